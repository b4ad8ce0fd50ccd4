select
    e.id as equipment_id,
    a.code as equipment_code,
    a.name as equipment_name,
    a.status as equipment_status,
    a.commissioned_at,
    e.line_id,
    l.line_code,
    l.site_code,
    e.ideal_cycle_time_seconds,
    e.manufacturer,
    e.serial_number
from {{ source('raw', 'equipment') }} as e
join {{ source('raw', 'assets') }} as a on a.id = e.id
left join {{ ref('stg_production_lines') }} as l on l.line_id = e.line_id

select
    equipment_id as equipment_key,
    equipment_code,
    equipment_name,
    line_id as line_key,
    line_code,
    site_code,
    ideal_cycle_time_seconds,
    manufacturer,
    serial_number,
    commissioned_at,
    equipment_status
from {{ ref('stg_equipment') }}

select
    l.line_id as line_key,
    l.line_code,
    l.line_name,
    l.site_code,
    l.site_name,
    (select count(*) from {{ ref('stg_equipment') }} as e where e.line_id = l.line_id) as machines
from {{ ref('stg_production_lines') }} as l

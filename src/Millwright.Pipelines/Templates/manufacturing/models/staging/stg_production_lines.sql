select
    l.id as line_id,
    l.code as line_code,
    l.name as line_name,
    s.code as site_code,
    s.name as site_name
from {{ source('raw', 'production_lines') }} as l
left join {{ source('raw', 'sites') }} as s on s.id = l.site_id

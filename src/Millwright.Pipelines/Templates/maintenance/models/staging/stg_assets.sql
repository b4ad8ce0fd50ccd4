select
    a.id as asset_id,
    a.code as asset_code,
    a.name as asset_name,
    a.kind as asset_kind,
    a.status as asset_status,
    s.code as site_code,
    a.commissioned_at
from {{ source('raw', 'assets') }} as a
left join {{ source('raw', 'sites') }} as s on s.id = a.site_id

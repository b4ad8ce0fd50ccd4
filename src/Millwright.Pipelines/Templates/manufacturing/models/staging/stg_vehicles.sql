select
    v.id as vehicle_id,
    v.vin,
    a.code as asset_code,
    s.code as site_code,
    m.code as model_code,
    m.make,
    m.name as model_name,
    m.body_type,
    m.chemistry,
    m.nominal_kwh,
    m.rated_range_km,
    v.model_year,
    v.odometer_km
from {{ source('raw', 'vehicles') }} as v
join {{ source('raw', 'assets') }} as a on a.id = v.id
left join {{ source('raw', 'sites') }} as s on s.id = a.site_id
left join {{ source('raw', 'vehicle_models') }} as m on m.id = v.model_id

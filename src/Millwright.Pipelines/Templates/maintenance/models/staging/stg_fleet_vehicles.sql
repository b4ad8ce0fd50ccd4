select
    v.id as vehicle_id,
    v.vin,
    a.asset_code,
    a.site_code,
    m.code as model_code,
    m.make,
    m.name as model_name,
    m.chemistry,
    m.nominal_kwh,
    v.model_year,
    v.odometer_km,
    v.current_battery_pack_id,
    p.serial as battery_serial
from {{ source('raw', 'vehicles') }} as v
join {{ ref('stg_assets') }} as a on a.asset_id = v.id
left join {{ source('raw', 'vehicle_models') }} as m on m.id = v.model_id
left join {{ source('raw', 'battery_packs') }} as p on p.id = v.current_battery_pack_id

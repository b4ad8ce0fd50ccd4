select
    vehicle_id as vehicle_key,
    vin,
    asset_code,
    site_code,
    model_code,
    make,
    model_name,
    body_type,
    chemistry,
    nominal_kwh,
    rated_range_km,
    model_year,
    odometer_km
from {{ ref('stg_vehicles') }}

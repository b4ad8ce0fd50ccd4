select
    vehicle_id,
    vin,
    model as vehicle_model,
    battery_kwh,
    in_service
from {{ ref('vehicles') }}

select
    id as snapshot_id,
    battery_pack_id,
    vehicle_id,
    measured_at,
    state_of_health_pct,
    capacity_kwh,
    equivalent_full_cycles
from {{ source('raw', 'battery_health_snapshots') }}
where vehicle_id is not null

-- One row per vehicle and day of telemetry: readings, the odometer's range, speed, charge and temperatures.
-- Incremental: a build recomputes only the last day it holds and the days after it, so a day of new telemetry
-- costs a day's work, not a year's.
{{ config(materialized='incremental', unique_key='vehicle_day') }}

select
    cast(vehicle_id as varchar) || '/' || cast(cast(recorded_at as date) as varchar) as vehicle_day,
    vehicle_id,
    cast(recorded_at as date) as day,
    count(*) as readings,
    min(odometer_km) as odometer_min_km,
    max(odometer_km) as odometer_max_km,
    avg(speed_kph) as avg_speed_kph,
    avg(state_of_charge_pct) as avg_state_of_charge_pct,
    max(pack_temp_c) as max_pack_temp_c,
    max(motor_temp_c) as max_motor_temp_c
from {{ source('raw', 'telemetry_readings') }}
{% if is_incremental() %}
where recorded_at >= (select cast(max(day) as timestamp) from {{ this }})
{% endif %}
group by vehicle_id, cast(recorded_at as date)

-- Battery health per vehicle, for the pack it carries now: the latest state of health, its fade a year (the slope of
-- a straight line through the pack's measurements) and when it would reach 80 % at that pace.
with snapshots as (
    select s.*
    from {{ ref('stg_battery_health') }} as s
    join {{ ref('stg_fleet_vehicles') }} as v on v.vehicle_id = s.vehicle_id and v.current_battery_pack_id = s.battery_pack_id
),

latest as (
    select *, row_number() over (partition by vehicle_id order by measured_at desc) as newest
    from snapshots
),

trend as (
    select
        vehicle_id,
        count(*) as measurements,
        min(measured_at) as first_measured_at,
        -- No slope from one measurement, or from several at one moment.
        case when var_pop(extract(epoch from measured_at)) > 0
            then regr_slope(state_of_health_pct, extract(epoch from measured_at) / 86400.0) * 365.25 end as slope_per_year
    from snapshots
    group by vehicle_id
)

select
    v.asset_code,
    v.vin,
    v.site_code,
    v.model_code,
    v.chemistry,
    v.battery_serial,
    l.measured_at as last_measured_at,
    l.state_of_health_pct as soh_pct,
    l.capacity_kwh,
    l.equivalent_full_cycles,
    t.measurements,
    t.first_measured_at,
    round(-t.slope_per_year, 2) as soh_fade_per_year,
    case when t.slope_per_year < 0 and l.state_of_health_pct > 80
        then round(cast(l.state_of_health_pct - 80 as {{ dbt.type_float() }}) / -t.slope_per_year * 12, 1) end as months_to_80_pct,
    l.state_of_health_pct < 80 as below_80_pct
from {{ ref('stg_fleet_vehicles') }} as v
join latest as l on l.vehicle_id = v.vehicle_id and l.newest = 1
left join trend as t on t.vehicle_id = v.vehicle_id

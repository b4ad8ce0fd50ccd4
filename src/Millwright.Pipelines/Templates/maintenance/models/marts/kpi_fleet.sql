-- Fleet KPIs per month: vehicles and their availability, distance, energy charged per 100 km, alerts and how many
-- became service orders, battery state of health and its fade. docs/KPIS.md defines each column.
with periods as (
    select * from {{ ref('int_periods') }}
),

days as (
    select
        d.vehicle_id,
        d.day,
        d.odometer_max_km - coalesce(lag(d.odometer_max_km) over (partition by d.vehicle_id order by d.day), d.odometer_min_km) as km
    from {{ ref('int_vehicle_days') }} as d
),

distance as (
    select date_trunc('month', day) as month_start, sum(km) as km, count(distinct vehicle_id) as vehicles_driven
    from days
    group by date_trunc('month', day)
),

energy as (
    select date_trunc('month', started_at) as month_start, sum(energy_kwh) as energy_kwh, count(*) as charge_sessions
    from {{ source('raw', 'charge_sessions') }}
    group by date_trunc('month', started_at)
),

alerts as (
    select
        date_trunc('month', raised_at) as month_start,
        count(*) as alerts,
        sum(case when service_order_id is not null then 1 else 0 end) as alerts_with_order
    from {{ source('raw', 'vehicle_alerts') }}
    group by date_trunc('month', raised_at)
),

reliability as (
    select month, count(*) as vehicles, sum(operating_hours) as operating_hours, sum(operating_hours + downtime_hours) as period_hours
    from {{ ref('kpi_asset_reliability') }}
    where asset_kind = 'VEHICLE'
    group by month
),

health as (
    select p.month_start, s.vehicle_id, s.battery_pack_id, s.measured_at, s.state_of_health_pct
    from periods as p
    join {{ ref('stg_battery_health') }} as s on s.measured_at < p.period_end
),

latest as (
    select month_start, vehicle_id, state_of_health_pct,
        row_number() over (partition by month_start, vehicle_id order by measured_at desc) as newest
    from health
),

fade as (
    -- Each pack's state of health against time (days), as a straight line; its slope a year, in points.
    select month_start, battery_pack_id, regr_slope(state_of_health_pct, extract(epoch from measured_at) / 86400.0) * 365.25 as slope_per_year
    from health
    group by month_start, battery_pack_id
    having var_pop(extract(epoch from measured_at)) > 0
)

select
    cast(p.month_start as date) as month,
    coalesce(r.vehicles, 0) as vehicles,
    {{ ratio('r.operating_hours', 'r.period_hours') }} as availability,
    cast(coalesce(d.km, 0) as decimal(18, 1)) as km,
    coalesce(d.vehicles_driven, 0) as vehicles_driven,
    cast(coalesce(e.energy_kwh, 0) as decimal(18, 1)) as energy_kwh,
    case when d.km > 0 then cast(e.energy_kwh * 100 / d.km as decimal(10, 2)) end as kwh_per_100km,
    coalesce(a.alerts, 0) as alerts,
    {{ ratio('a.alerts_with_order', 'a.alerts') }} as alert_to_order_rate,
    (select cast(avg(l.state_of_health_pct) as decimal(6, 2)) from latest as l where l.month_start = p.month_start and l.newest = 1) as avg_soh,
    (select round(avg(-f.slope_per_year), 2) from fade as f where f.month_start = p.month_start) as soh_fade_per_year
from periods as p
left join reliability as r on r.month = cast(p.month_start as date)
left join distance as d on d.month_start = p.month_start
left join energy as e on e.month_start = p.month_start
left join alerts as a on a.month_start = p.month_start

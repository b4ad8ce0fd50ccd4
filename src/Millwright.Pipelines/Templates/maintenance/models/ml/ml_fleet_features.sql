-- One row per vehicle and day (from its 29th day of telemetry): what a reliability engineer reads in the telemetry
-- before a drive inverter, battery cooling or HV battery fails, and whether one failed in the next 14 days.
-- Peak motor and pack temperatures are taken against the fleet's on the same day (which takes out the weather), then
-- averaged over the last 7 days and compared with the vehicle's own baseline three to nine weeks earlier; the battery's
-- last measured state of health joins them. failed_within_14d is null while the 14 days are not all observed yet:
-- those rows are what the daily prediction scores.
with days as (
    select vehicle_id, day, max_motor_temp_c, max_pack_temp_c
    from {{ ref('int_vehicle_days') }}
),

fleet as (
    select day, avg(max_motor_temp_c) as fleet_motor_c, avg(max_pack_temp_c) as fleet_pack_c
    from days
    group by day
),

relative as (
    select
        d.vehicle_id,
        d.day,
        d.max_motor_temp_c - f.fleet_motor_c as motor_excess_c,
        d.max_pack_temp_c - f.fleet_pack_c as pack_excess_c,
        row_number() over (partition by d.vehicle_id order by d.day) as day_number
    from days as d
    join fleet as f on f.day = d.day
),

windows as (
    select
        vehicle_id,
        day,
        day_number,
        avg(motor_excess_c) over last_3 as motor_excess_3d,
        avg(motor_excess_c) over last_week as motor_excess_7d,
        max(motor_excess_c) over last_week as motor_excess_max_7d,
        avg(motor_excess_c) over last_week - avg(motor_excess_c) over baseline as motor_trend,
        regr_slope(motor_excess_c, day_number) over last_2_weeks as motor_slope_14d,
        avg(pack_excess_c) over last_3 as pack_excess_3d,
        avg(pack_excess_c) over last_week as pack_excess_7d,
        max(pack_excess_c) over last_week as pack_excess_max_7d,
        avg(pack_excess_c) over last_week - avg(pack_excess_c) over baseline as pack_trend,
        regr_slope(pack_excess_c, day_number) over last_2_weeks as pack_slope_14d
    from relative
    window
        last_3 as (partition by vehicle_id order by day rows between 2 preceding and current row),
        last_week as (partition by vehicle_id order by day rows between 6 preceding and current row),
        last_2_weeks as (partition by vehicle_id order by day rows between 13 preceding and current row),
        baseline as (partition by vehicle_id order by day rows between 60 preceding and 21 preceding)
),

health_days as (
    select vehicle_id, cast(measured_at as date) as day, min(state_of_health_pct) as state_of_health_pct
    from {{ ref('stg_battery_health') }}
    group by vehicle_id, cast(measured_at as date)
),

last_health as (
    select w.vehicle_id, w.day, max(h.day) as health_day
    from windows as w
    join health_days as h on h.vehicle_id = w.vehicle_id and h.day <= w.day
    group by w.vehicle_id, w.day
),

failures as (
    select asset_id as vehicle_id, cast(coalesce(failure_at, reported_at) as date) as failed_on
    from {{ ref('stg_service_orders') }}
    where resolution_code like '%REPLACED_INVERTER%'
       or resolution_code like '%REPLACED_COOLANT_PUMP%'
       or resolution_code like '%REPLACED_HV_PACK%'
),

observed as (
    select max(day) as last_day from days
)

select
    cast(w.vehicle_id as varchar) || '/' || cast(w.day as varchar) as vehicle_day,
    w.vehicle_id,
    w.day,
    w.motor_excess_3d,
    w.motor_excess_7d,
    w.motor_excess_max_7d,
    w.motor_trend,
    w.motor_slope_14d,
    w.pack_excess_3d,
    w.pack_excess_7d,
    w.pack_excess_max_7d,
    w.pack_trend,
    w.pack_slope_14d,
    coalesce(h.state_of_health_pct, 100) as state_of_health_pct,
    case
        when w.day + 14 > o.last_day then null
        else exists (select 1 from failures as f where f.vehicle_id = w.vehicle_id and f.failed_on > w.day and f.failed_on <= w.day + 14)
    end as failed_within_14d
from windows as w
cross join observed as o
left join last_health as lh on lh.vehicle_id = w.vehicle_id and lh.day = w.day
left join health_days as h on h.vehicle_id = lh.vehicle_id and h.day = lh.health_day
where w.day_number > 28

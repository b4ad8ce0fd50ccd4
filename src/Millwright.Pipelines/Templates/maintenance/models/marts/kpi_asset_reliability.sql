-- Reliability per asset and month: failures, downtime, MTBF (with censored operating time), MTTR and availability.
-- See docs/KPIS.md for each definition.
with periods as (
    select * from {{ ref('int_periods') }}
),

grid as (
    select
        a.asset_id,
        a.asset_code,
        a.asset_kind,
        a.site_code,
        p.month_start,
        greatest(p.month_start, coalesce(a.commissioned_at, p.month_start)) as period_start,
        p.period_end
    from {{ ref('stg_assets') }} as a
    cross join periods as p
    where coalesce(a.commissioned_at, p.month_start) < p.period_end
),

failures as (
    select * from {{ ref('stg_service_orders') }} where is_failure
),

downtime as (
    select
        g.asset_id,
        g.month_start,
        sum(extract(epoch from (least(coalesce(f.downtime_end, g.period_end), g.period_end) - greatest(f.downtime_start, g.period_start))) / 3600.0) as downtime_hours
    from grid as g
    join failures as f
        on f.asset_id = g.asset_id
        and f.downtime_start is not null
        and f.downtime_start < g.period_end
        and coalesce(f.downtime_end, g.period_end) > g.period_start
    group by g.asset_id, g.month_start
),

failed as (
    select g.asset_id, g.month_start, count(*) as failures
    from grid as g
    join failures as f
        on f.asset_id = g.asset_id
        and coalesce(f.failure_at, f.downtime_start, f.reported_at) >= g.period_start
        and coalesce(f.failure_at, f.downtime_start, f.reported_at) < g.period_end
    group by g.asset_id, g.month_start
),

repaired as (
    select g.asset_id, g.month_start, count(*) as repairs, sum(extract(epoch from (f.downtime_end - f.downtime_start)) / 3600.0) as repair_hours
    from grid as g
    join failures as f
        on f.asset_id = g.asset_id
        and f.downtime_start is not null
        and f.downtime_end >= g.period_start
        and f.downtime_end < g.period_end
    group by g.asset_id, g.month_start
),

measured as (
    select
        g.asset_id,
        g.asset_code,
        g.asset_kind,
        g.site_code,
        g.month_start,
        extract(epoch from (g.period_end - g.period_start)) / 3600.0 as period_hours,
        coalesce(d.downtime_hours, 0) as downtime_hours,
        coalesce(f.failures, 0) as failures,
        coalesce(r.repairs, 0) as repairs,
        coalesce(r.repair_hours, 0) as repair_hours
    from grid as g
    left join downtime as d on d.asset_id = g.asset_id and d.month_start = g.month_start
    left join failed as f on f.asset_id = g.asset_id and f.month_start = g.month_start
    left join repaired as r on r.asset_id = g.asset_id and r.month_start = g.month_start
)

select
    asset_code,
    asset_kind,
    site_code,
    cast(month_start as date) as month,
    failures,
    round(period_hours - downtime_hours, 4) as operating_hours,
    round(downtime_hours, 4) as downtime_hours,
    repairs,
    round(repair_hours, 4) as repair_hours,
    case when failures > 0 then round((period_hours - downtime_hours) / failures, 4) end as mtbf_hours,
    case when repairs > 0 then round(repair_hours / repairs, 4) end as mttr_hours,
    case when period_hours > 0 then (period_hours - downtime_hours) / period_hours end as availability
from measured

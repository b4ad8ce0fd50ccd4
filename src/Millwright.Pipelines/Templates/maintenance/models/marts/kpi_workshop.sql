-- Workshop KPIs per site and month (SMRP Best Practice metrics; see docs/KPIS.md for each definition).
with periods as (
    select * from {{ ref('int_periods') }}
),

orders as (
    select * from {{ ref('stg_service_orders') }}
),

grid as (
    select sites.site_code, periods.month_start, periods.month_end, periods.period_end, periods.as_of
    from (select distinct site_code from {{ ref('stg_assets') }} where site_code is not null) as sites
    cross join periods
),

labor as (
    select service_order_id, sum(hours) as hours, sum(labor_cost) as labor_cost
    from {{ ref('stg_labor_entries') }}
    group by service_order_id
),

parts as (
    select service_order_id, sum(parts_cost) as parts_cost
    from {{ ref('stg_order_parts') }}
    group by service_order_id
),

completed as (
    select
        o.site_code,
        date_trunc('month', o.completed_at) as month_start,
        count(*) as orders_completed,
        sum(case when o.rework_count = 0 then 1 else 0 end) as fixed_first_time,
        sum(coalesce(l.hours, 0)) as labor_hours,
        sum(case when o.is_planned then coalesce(l.hours, 0) else 0 end) as planned_labor_hours,
        sum(coalesce(l.labor_cost, 0)) as labor_cost,
        sum(coalesce(p.parts_cost, 0)) as parts_cost
    from orders as o
    left join labor as l on l.service_order_id = o.service_order_id
    left join parts as p on p.service_order_id = o.service_order_id
    where o.completed_at is not null
    group by o.site_code, date_trunc('month', o.completed_at)
),

backlog as (
    select g.site_code, g.month_start, sum(o.estimated_hours) as backlog_hours, count(*) as backlog_orders
    from grid as g
    join orders as o
        on o.site_code = g.site_code
        and o.reported_at < g.period_end
        and (o.completed_at is null or o.completed_at >= g.period_end)
        and (o.cancelled_at is null or o.cancelled_at >= g.period_end)
    group by g.site_code, g.month_start
),

preventive as (
    select
        g.site_code,
        g.month_start,
        count(*) as pm_due,
        sum(case when o.completed_at is not null and o.completed_at <= o.due_at then 1 else 0 end) as pm_on_time
    from grid as g
    join orders as o
        on o.site_code = g.site_code
        and o.order_type = 'PREVENTIVE'
        and o.due_at >= g.month_start
        and o.due_at < g.period_end
        and (o.cancelled_at is null or o.cancelled_at > o.due_at)
    group by g.site_code, g.month_start
)

select
    g.site_code,
    cast(g.month_start as date) as month,
    coalesce(c.orders_completed, 0) as orders_completed,
    coalesce(b.backlog_orders, 0) as backlog_orders,
    cast(coalesce(b.backlog_hours, 0) as decimal(18, 2)) as backlog_hours,
    case when c.orders_completed > 0 then cast(c.fixed_first_time as double) / c.orders_completed end as first_time_fix_rate,
    coalesce(pm.pm_due, 0) as pm_due,
    case when pm.pm_due > 0 then cast(pm.pm_on_time as double) / pm.pm_due end as pm_compliance,
    case when c.labor_hours > 0 then cast(c.planned_labor_hours as double) / cast(c.labor_hours as double) end as planned_maintenance_pct,
    cast(coalesce(c.labor_hours, 0) as decimal(18, 2)) as labor_hours,
    cast(coalesce(c.labor_cost, 0) as decimal(18, 2)) as labor_cost,
    cast(coalesce(c.parts_cost, 0) as decimal(18, 2)) as parts_cost,
    cast(coalesce(c.labor_cost, 0) + coalesce(c.parts_cost, 0) as decimal(18, 2)) as maintenance_cost
from grid as g
left join completed as c on c.site_code = g.site_code and c.month_start = g.month_start
left join backlog as b on b.site_code = g.site_code and b.month_start = g.month_start
left join preventive as pm on pm.site_code = g.site_code and pm.month_start = g.month_start

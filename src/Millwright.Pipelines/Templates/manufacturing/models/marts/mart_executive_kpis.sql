-- One row per month: the plant's OEE and its parts (ISO 22400-2), production and quality, and maintenance cost
-- (labor and parts of the service orders completed in the month, for the plant's machines and for the fleet).
with production as (
    select
        cast(date_trunc('month', production_day) as date) as month,
        sum(planned_busy_minutes) as planned_busy_minutes,
        sum(actual_production_minutes) as actual_production_minutes,
        sum(ideal_production_minutes) as ideal_production_minutes,
        cast(sum(produced_quantity) as bigint) as produced_quantity,
        cast(sum(good_quantity) as bigint) as good_quantity,
        cast(sum(scrap_quantity) as bigint) as scrap_quantity,
        cast(sum(rework_quantity) as bigint) as rework_quantity
    from {{ ref('fact_production_metrics') }}
    group by cast(date_trunc('month', production_day) as date)
),

maintenance as (
    select
        month,
        count(*) as orders_completed,
        sum(labor_cost + parts_cost) as maintenance_cost,
        sum(case when asset_kind = 'EQUIPMENT' then labor_cost + parts_cost else 0 end) as plant_maintenance_cost,
        sum(case when asset_kind = 'VEHICLE' then labor_cost + parts_cost else 0 end) as fleet_maintenance_cost
    from {{ ref('int_maintenance_cost') }}
    group by month
),

months as (
    select month from production
    union
    select month from maintenance
),

ratios as (
    select
        m.month,
        {{ ratio('p.actual_production_minutes', 'p.planned_busy_minutes') }} as availability,
        {{ ratio('p.ideal_production_minutes', 'p.actual_production_minutes') }} as performance,
        {{ ratio('p.good_quantity', 'p.produced_quantity') }} as quality,
        coalesce(p.produced_quantity, 0) as produced_quantity,
        coalesce(p.good_quantity, 0) as good_quantity,
        coalesce(p.scrap_quantity, 0) as scrap_quantity,
        coalesce(p.rework_quantity, 0) as rework_quantity,
        {{ ratio('p.scrap_quantity', 'p.produced_quantity') }} as scrap_rate,
        coalesce(mt.orders_completed, 0) as orders_completed,
        cast(coalesce(mt.maintenance_cost, 0) as decimal(18, 2)) as maintenance_cost,
        cast(coalesce(mt.plant_maintenance_cost, 0) as decimal(18, 2)) as plant_maintenance_cost,
        cast(coalesce(mt.fleet_maintenance_cost, 0) as decimal(18, 2)) as fleet_maintenance_cost
    from months as m
    left join production as p on p.month = m.month
    left join maintenance as mt on mt.month = m.month
)

select
    month,
    availability,
    performance,
    quality,
    -- No production in planned time is an OEE of 0, though performance and quality are then undefined.
    case when availability = 0 then 0 else availability * performance * quality end as oee,
    produced_quantity,
    good_quantity,
    scrap_quantity,
    rework_quantity,
    scrap_rate,
    orders_completed,
    maintenance_cost,
    plant_maintenance_cost,
    fleet_maintenance_cost
from ratios

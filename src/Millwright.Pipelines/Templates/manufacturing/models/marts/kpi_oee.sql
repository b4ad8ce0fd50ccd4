-- OEE per machine and production day by ISO 22400-2 (docs/KPIS.md): availability x performance x quality.
with runs as (
    select * from {{ ref('fact_production_metrics') }}
),

daily as (
    select
        e.equipment_code as machine_code,
        e.line_code,
        r.production_day as day,
        count(*) as runs,
        sum(r.planned_busy_minutes) as planned_busy_minutes,
        sum(r.actual_production_minutes) as actual_production_minutes,
        sum(r.unplanned_down_minutes) as unplanned_down_minutes,
        sum(r.setup_minutes) as setup_minutes,
        sum(r.minor_stop_minutes) as minor_stop_minutes,
        sum(r.ideal_production_minutes) as ideal_production_minutes,
        cast(sum(r.produced_quantity) as bigint) as produced_quantity,
        cast(sum(r.good_quantity) as bigint) as good_quantity,
        cast(sum(r.scrap_quantity) as bigint) as scrap_quantity,
        cast(sum(r.rework_quantity) as bigint) as rework_quantity
    from runs as r
    join {{ ref('stg_equipment') }} as e on e.equipment_id = r.equipment_key
    group by e.equipment_code, e.line_code, r.production_day
),

ratios as (
    select
        *,
        {{ ratio('actual_production_minutes', 'planned_busy_minutes') }} as availability,
        {{ ratio('ideal_production_minutes', 'actual_production_minutes') }} as performance,
        {{ ratio('good_quantity', 'produced_quantity') }} as quality
    from daily
)

select
    machine_code,
    line_code,
    day,
    runs,
    availability,
    performance,
    quality,
    -- No production in planned time is an OEE of 0, though performance and quality are then undefined.
    case when availability = 0 then 0 else availability * performance * quality end as oee,
    produced_quantity,
    good_quantity,
    scrap_quantity,
    rework_quantity,
    planned_busy_minutes,
    actual_production_minutes,
    unplanned_down_minutes,
    setup_minutes,
    minor_stop_minutes
from ratios

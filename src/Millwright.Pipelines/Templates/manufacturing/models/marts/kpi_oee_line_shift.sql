-- OEE per production line, day and shift by ISO 22400-2: the line's machines' times and quantities summed, then the
-- three ratios (so a machine with more planned time weighs more).
with runs as (
    select * from {{ ref('fact_production_metrics') }}
),

summed as (
    select
        l.line_code,
        r.production_day as day,
        r.shift_code,
        count(distinct r.equipment_key) as machines,
        sum(r.planned_busy_minutes) as planned_busy_minutes,
        sum(r.actual_production_minutes) as actual_production_minutes,
        sum(r.ideal_production_minutes) as ideal_production_minutes,
        cast(sum(r.produced_quantity) as bigint) as produced_quantity,
        cast(sum(r.good_quantity) as bigint) as good_quantity,
        cast(sum(r.scrap_quantity) as bigint) as scrap_quantity,
        cast(sum(r.rework_quantity) as bigint) as rework_quantity
    from runs as r
    join {{ ref('stg_production_lines') }} as l on l.line_id = r.line_key
    group by l.line_code, r.production_day, r.shift_code
),

ratios as (
    select
        *,
        {{ ratio('actual_production_minutes', 'planned_busy_minutes') }} as availability,
        {{ ratio('ideal_production_minutes', 'actual_production_minutes') }} as performance,
        {{ ratio('good_quantity', 'produced_quantity') }} as quality
    from summed
)

select
    line_code,
    day,
    shift_code,
    machines,
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
    actual_production_minutes
from ratios

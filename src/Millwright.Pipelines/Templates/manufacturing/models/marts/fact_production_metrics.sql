-- The star schema's fact: one row per finished production run (a machine, a product, a shift), with ISO 22400-2 times
-- and quantities. Incremental: a build reprocesses only runs that ended within a day of the latest one it holds.
{{ config(materialized='incremental', unique_key='run_id') }}

select
    r.run_id,
    cast(extract(year from r.production_day) * 10000 + extract(month from r.production_day) * 100 + extract(day from r.production_day) as integer) as date_key,
    r.production_day,
    r.shift_code,
    r.equipment_id as equipment_key,
    e.line_id as line_key,
    r.product_code,
    r.started_at,
    r.ended_at,
    r.planned_busy_minutes,
    round(r.actual_production_minutes, 4) as actual_production_minutes,
    round(r.setup_minutes, 4) as setup_minutes,
    round(r.minor_stop_minutes, 4) as minor_stop_minutes,
    round(r.unplanned_down_minutes, 4) as unplanned_down_minutes,
    round(r.ideal_production_minutes, 4) as ideal_production_minutes,
    r.ideal_cycle_time_seconds,
    r.produced_quantity,
    r.good_quantity,
    r.scrap_quantity,
    r.rework_quantity,
    {{ ratio('r.actual_production_minutes', 'r.planned_busy_minutes') }} as availability,
    {{ ratio('r.ideal_production_minutes', 'r.actual_production_minutes') }} as performance,
    {{ ratio('r.good_quantity', 'r.produced_quantity') }} as quality
from {{ ref('int_run_times') }} as r
left join {{ ref('stg_equipment') }} as e on e.equipment_id = r.equipment_id
{% if is_incremental() %}
where r.ended_at > (select max(ended_at) from {{ this }}) - interval '1 day'
{% endif %}

-- Each finished run with the minutes its machine spent in each state inside the run's window (ISO 22400-2 times).
-- A state stretch that crosses the window's edges counts only its part inside; one still open counts to the run's end.
with runs as (
    select * from {{ ref('stg_production_runs') }}
),

clipped as (
    select
        r.run_id,
        s.state,
        extract(epoch from (least(coalesce(s.ended_at, r.ended_at), r.ended_at) - greatest(s.started_at, r.started_at))) / 60.0 as minutes
    from runs as r
    join {{ ref('stg_equipment_states') }} as s
        on s.equipment_id = r.equipment_id
        and s.started_at < r.ended_at
        and coalesce(s.ended_at, r.ended_at) > r.started_at
),

times as (
    select
        run_id,
        sum(case when state = 'PRODUCING' then minutes else 0 end) as actual_production_minutes,
        sum(case when state = 'SETUP' then minutes else 0 end) as setup_minutes,
        sum(case when state = 'IDLE' then minutes else 0 end) as minor_stop_minutes,
        sum(case when state = 'UNPLANNED_DOWN' then minutes else 0 end) as unplanned_down_minutes,
        sum(case when state = 'PLANNED_DOWN' then minutes else 0 end) as planned_down_minutes
    from clipped
    group by run_id
)

select
    r.*,
    coalesce(t.actual_production_minutes, 0) as actual_production_minutes,
    coalesce(t.setup_minutes, 0) as setup_minutes,
    coalesce(t.minor_stop_minutes, 0) as minor_stop_minutes,
    coalesce(t.unplanned_down_minutes, 0) as unplanned_down_minutes,
    coalesce(t.planned_down_minutes, 0) as planned_down_minutes,
    r.produced_quantity * r.ideal_cycle_time_seconds / 60.0 as ideal_production_minutes
from runs as r
left join times as t on t.run_id = r.run_id

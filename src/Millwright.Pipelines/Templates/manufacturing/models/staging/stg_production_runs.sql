-- Finished runs only: a run still going has no ended_at and no final quantities.
-- A run belongs to the day and the shift in which it starts (seeds/shifts.csv).
select
    r.id as run_id,
    r.equipment_id,
    r.product_code,
    r.started_at,
    r.ended_at,
    cast(r.started_at as date) as production_day,
    case
        when extract(hour from r.started_at) >= 6 and extract(hour from r.started_at) < 14 then 'A'
        when extract(hour from r.started_at) >= 14 and extract(hour from r.started_at) < 22 then 'B'
        else 'C'
    end as shift_code,
    r.planned_busy_minutes,
    r.ideal_cycle_time_seconds,
    r.produced_quantity,
    r.good_quantity,
    r.scrap_quantity,
    r.rework_quantity
from {{ source('raw', 'production_runs') }} as r
where r.ended_at is not null

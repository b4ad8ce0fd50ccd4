-- Test engines stop before failure; RUL_FDxxx.txt gives each unit's remaining life after its last cycle, so a cycle's
-- remaining life is that plus the cycles between it and the last one.
with trajectories as (
    select
        t.*,
        max(t.cycle) over (partition by t.subset, t.unit) as last_cycle
    from {{ source('raw', 'cmapss_test') }} as t
)

select
    t.subset,
    t.unit,
    t.cycle,
    t.last_cycle,
    r.rul + (t.last_cycle - t.cycle) as rul,
    least(r.rul + (t.last_cycle - t.cycle), {{ var('rul_cap') }}) as rul_capped,
    t.op_setting_1, t.op_setting_2, t.op_setting_3,
    {% for i in range(1, 22) -%}
    t.sensor_{{ i }}{{ "," if not loop.last }}
    {% endfor %}
from trajectories as t
join {{ source('raw', 'cmapss_rul') }} as r on r.subset = t.subset and r.unit = t.unit

-- Training engines run to failure: the remaining useful life of a cycle is the cycles left to the unit's last one,
-- and rul_capped caps it at var('rul_cap') (125), the piecewise-linear target of the C-MAPSS literature.
with trajectories as (
    select
        t.*,
        max(t.cycle) over (partition by t.subset, t.unit) as last_cycle
    from {{ source('raw', 'cmapss_train') }} as t
)

select
    subset,
    unit,
    cycle,
    last_cycle,
    last_cycle - cycle as rul,
    least(last_cycle - cycle, {{ var('rul_cap') }}) as rul_capped,
    op_setting_1, op_setting_2, op_setting_3,
    {% for i in range(1, 22) -%}
    sensor_{{ i }}{{ "," if not loop.last }}
    {% endfor %}
from trajectories

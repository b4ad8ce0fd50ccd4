-- One row per C-MAPSS engine and cycle with windowed features for remaining-useful-life models. Each sensor that moves
-- with wear is standardized per operating condition (the six flight regimes of FD002/FD004, from the training
-- trajectories only), then summarized over the last 10 and 30 cycles (mean) and the last 30 (slope per cycle).
-- Training cycles carry rul_capped as the label; test engines are scored at their last cycle (cycle = last_cycle).
{% set sensors = [2, 3, 4, 7, 8, 9, 11, 12, 13, 14, 15, 17, 20, 21] %}
with cycles as (
    select 'train' as split, subset, unit, cycle, last_cycle, rul_capped, op_setting_1, op_setting_2, op_setting_3,
        {% for i in sensors %}sensor_{{ i }}{{ "," if not loop.last }}{% endfor %}
    from {{ ref('stg_cmapss_train') }}
    union all
    select 'test', subset, unit, cycle, last_cycle, rul_capped, op_setting_1, op_setting_2, op_setting_3,
        {% for i in sensors %}sensor_{{ i }}{{ "," if not loop.last }}{% endfor %}
    from {{ ref('stg_cmapss_test') }}
),

conditioned as (
    select
        *,
        cast(round(cast(op_setting_1 as numeric)) as varchar) || ':' || cast(round(cast(op_setting_2 as numeric), 2) as varchar)
            || ':' || cast(round(cast(op_setting_3 as numeric)) as varchar) as operating_condition
    from cycles
),

condition_stats as (
    select
        subset,
        operating_condition,
        {% for i in sensors %}avg(sensor_{{ i }}) as mean_{{ i }}, stddev_samp(sensor_{{ i }}) as sd_{{ i }}{{ "," if not loop.last }}
        {% endfor %}
    from conditioned
    where split = 'train'
    group by subset, operating_condition
),

standardized as (
    select
        c.split, c.subset, c.unit, c.cycle, c.last_cycle, c.rul_capped,
        {% for i in sensors %}(c.sensor_{{ i }} - s.mean_{{ i }}) / nullif(s.sd_{{ i }}, 0) as z_{{ i }}{{ "," if not loop.last }}
        {% endfor %}
    from conditioned as c
    join condition_stats as s on s.subset = c.subset and s.operating_condition = c.operating_condition
)

select
    subset || '/' || split || '/' || cast(unit as varchar) as engine,
    split,
    subset,
    unit,
    cycle,
    last_cycle,
    rul_capped,
    {% for i in sensors -%}
    z_{{ i }},
    avg(z_{{ i }}) over last_10 as mean10_{{ i }},
    avg(z_{{ i }}) over last_30 as mean30_{{ i }},
    regr_slope(z_{{ i }}, cycle) over last_30 as slope30_{{ i }}{{ "," if not loop.last }}
    {% endfor %}
from standardized
window
    last_10 as (partition by split, subset, unit order by cycle rows between 9 preceding and current row),
    last_30 as (partition by split, subset, unit order by cycle rows between 29 preceding and current row)

-- One row per C-MAPSS engine: how long its trajectory is and its remaining useful life after the last cycle
-- (0 for a training engine, which runs to failure; RUL_FDxxx.txt for a test engine).
select subset, 'train' as split, unit, count(*) as cycles, min(rul) as final_rul
from {{ ref('stg_cmapss_train') }}
group by subset, unit
union all
select subset, 'test', unit, count(*), min(rul)
from {{ ref('stg_cmapss_test') }}
group by subset, unit

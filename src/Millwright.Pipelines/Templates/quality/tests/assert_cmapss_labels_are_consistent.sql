-- Labels as C-MAPSS defines them: remaining life counts down to 0 at failure, capped for training. Rows returned here break that.
select 'C-MAPSS remaining life negative or above its cap' as problem, subset || ' ' || cast(unit as varchar) || ' ' || cast(cycle as varchar) as at
from {{ ref('stg_cmapss_train') }} where rul < 0 or rul_capped > {{ var('rul_cap') }} or rul_capped > rul
union all
select 'C-MAPSS training engine not run to failure', subset || ' ' || cast(unit as varchar) from {{ ref('mart_cmapss_units') }} where split = 'train' and final_rul <> 0

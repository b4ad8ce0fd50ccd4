-- Labels as the data sets define them; rows returned here break that.
select 'secom yield outside [0, 1]' as problem, cast(day as varchar) as at from {{ ref('mart_secom_daily_yield') }} where yield not between 0 and 1
union all
select 'C-MAPSS remaining life negative or above its cap', subset || ' ' || cast(unit as varchar) || ' ' || cast(cycle as varchar)
from {{ ref('stg_cmapss_train') }} where rul < 0 or rul_capped > {{ var('rul_cap') }} or rul_capped > rul
union all
select 'C-MAPSS training engine not run to failure', subset || ' ' || cast(unit as varchar) from {{ ref('mart_cmapss_units') }} where split = 'train' and final_rul <> 0

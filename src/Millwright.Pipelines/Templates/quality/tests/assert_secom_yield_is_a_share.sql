-- Labels as SECOM defines them: a day's yield is a share of its wafers. Rows returned here break that.
-- (One test per data set, so a workspace that loaded only some of them builds and tests those.)
select 'secom yield outside [0, 1]' as problem, cast(day as varchar) as at from {{ ref('mart_secom_daily_yield') }} where yield not between 0 and 1

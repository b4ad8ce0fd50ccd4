-- SECOM first-pass yield per production day: wafers that passed inspection / wafers inspected.
select
    production_day as day,
    count(*) as wafers,
    cast(sum(case when failed then 0 else 1 end) as bigint) as passed,
    cast(sum(case when failed then 1 else 0 end) as bigint) as failed,
    {{ ratio('sum(case when failed then 0 else 1 end)', 'count(*)') }} as yield
from {{ ref('stg_secom') }}
group by production_day

-- Reads the register through its source and the staging model, so it runs after the seed.
select
    count(*) as vehicles,
    sum(case when register.in_service then 1 else 0 end) as in_service
from {{ source('garage', 'fleet') }} as register
join {{ ref('stg_vehicles') }} as staged on staged.vehicle_id = register.vehicle_id

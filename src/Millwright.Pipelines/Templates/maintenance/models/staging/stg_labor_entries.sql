select
    id as labor_entry_id,
    service_order_id,
    mechanic_id,
    started_at,
    ended_at,
    hours,
    hourly_cost,
    cast(hours * hourly_cost as decimal(18, 4)) as labor_cost
from {{ source('raw', 'labor_entries') }}
where ended_at is not null

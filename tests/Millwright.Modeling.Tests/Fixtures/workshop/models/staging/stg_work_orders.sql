{#- One row per work order; labor in hours. -#}
select
    order_id,
    vehicle_id,
    opened_on,
    kind,
    status,
    coalesce(labor_minutes, 0) / 60.0 as labor_hours
from {{ ref('work_orders') }}

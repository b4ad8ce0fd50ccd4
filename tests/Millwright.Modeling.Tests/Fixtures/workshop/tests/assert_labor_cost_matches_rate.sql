-- A work order's labor cost is its hours at the configured rate.
select order_id
from {{ ref('fct_work_orders') }}
where abs(labor_cost - labor_hours * {{ var('labor_rate') }}) > 0.001

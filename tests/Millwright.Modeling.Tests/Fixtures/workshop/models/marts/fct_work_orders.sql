{%- set kinds = ['preventive', 'corrective', 'breakdown'] -%}
with orders as (
    select * from {{ ref('stg_work_orders') }}
)
select
    orders.order_id,
    orders.vehicle_id,
    orders.kind,
    orders.status,
    {% for kind in kinds -%}
    case when orders.kind = '{{ kind }}' then 1 else 0 end as is_{{ kind }},
    {% endfor -%}
    orders.labor_hours,
    orders.labor_hours * {{ var('labor_rate') }} as labor_cost,
    coalesce(costs.parts_cost, 0) as parts_cost
from orders
left join {{ ref('order_costs') }} as costs on costs.order_id = orders.order_id

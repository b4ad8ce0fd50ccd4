{{ config(tags=['fleet']) }}

select
    v.vehicle_id,
    v.vehicle_model,
    v.battery_kwh,
    count(o.order_id) as work_orders,
    coalesce(sum(o.labor_cost + o.parts_cost), 0) as maintenance_cost
from {{ ref('stg_vehicles') }} as v
left join {{ ref('fct_work_orders') }} as o on o.vehicle_id = v.vehicle_id
group by 1, 2, 3

select
    id as order_part_id,
    service_order_id,
    part_id,
    quantity_issued - quantity_returned as quantity_used,
    unit_cost,
    cast((quantity_issued - quantity_returned) * unit_cost as decimal(18, 4)) as parts_cost
from {{ source('raw', 'order_parts') }}

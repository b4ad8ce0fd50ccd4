-- One row per order line: the latest load of each (order_id, line_number) wins, so a stream load retried or a day's
-- file read again after it grew never counts a line twice.
with ranked as (
    select
        o.*,
        row_number() over (partition by o.order_id, o.line_number order by o._loaded_at desc, o._load_id desc) as version
    from {{ source('raw', 'retail_orders') }} as o
)

select
    order_id || '-' || cast(line_number as varchar) as order_line_id,
    order_id,
    line_number,
    ordered_at,
    cast(ordered_at as date) as order_date,
    customer_id,
    sku,
    category,
    channel,
    quantity,
    unit_price,
    discount,
    _loaded_at as loaded_at
from ranked
where version = 1

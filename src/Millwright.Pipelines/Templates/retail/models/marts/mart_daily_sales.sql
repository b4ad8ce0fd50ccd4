-- Sales per day and channel: orders, lines, units, gross, discount and net revenue, average order value.
select
    order_date as day,
    channel,
    count(distinct order_id) as orders,
    count(*) as order_lines,
    cast(sum(quantity) as bigint) as units,
    cast(sum(gross_amount) as decimal(18, 2)) as gross_revenue,
    cast(sum(discount_amount) as decimal(18, 2)) as discounts,
    cast(sum(net_amount) as decimal(18, 2)) as net_revenue,
    cast(sum(net_amount) / count(distinct order_id) as decimal(18, 2)) as average_order_value
from {{ ref('fact_sales') }}
group by order_date, channel

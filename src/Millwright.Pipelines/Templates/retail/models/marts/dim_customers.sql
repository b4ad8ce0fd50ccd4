-- Customers with their order history: first and latest order, orders, lifetime net revenue.
with bought as (
    select
        customer_id,
        min(ordered_at) as first_ordered_at,
        max(ordered_at) as last_ordered_at,
        count(distinct order_id) as orders,
        sum(net_amount) as lifetime_net_revenue
    from {{ ref('fact_sales') }}
    group by customer_id
)

select
    c.customer_id,
    c.customer_name,
    c.city,
    c.signed_up_at,
    b.first_ordered_at,
    b.last_ordered_at,
    coalesce(b.orders, 0) as orders,
    cast(coalesce(b.lifetime_net_revenue, 0) as decimal(18, 2)) as lifetime_net_revenue
from {{ ref('stg_retail_customers') }} as c
left join bought as b on b.customer_id = c.customer_id

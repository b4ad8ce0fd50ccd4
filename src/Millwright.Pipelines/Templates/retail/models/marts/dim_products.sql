-- The catalog with what each product sold (every order line, all time).
with sold as (
    select sku, count(*) as order_lines, sum(quantity) as units, sum(net_amount) as net_revenue
    from {{ ref('fact_sales') }}
    group by sku
)

select
    p.sku,
    p.product_name,
    p.category,
    p.list_price,
    coalesce(s.order_lines, 0) as order_lines,
    cast(coalesce(s.units, 0) as bigint) as units_sold,
    cast(coalesce(s.net_revenue, 0) as decimal(18, 2)) as net_revenue
from {{ ref('stg_retail_products') }} as p
left join sold as s on s.sku = p.sku

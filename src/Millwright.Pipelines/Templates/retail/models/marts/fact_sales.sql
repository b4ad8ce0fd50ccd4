-- One row per order line with its amounts. Incremental: a build reads only the lines loaded since the latest load it
-- holds (a stream load or a new file), keeps the latest version of each, and replaces those lines, so a day of new
-- orders costs a day's work. docs/KPIS.md defines the amounts.
{{ config(materialized='incremental', unique_key='order_line_id') }}

with arrived as (
    select
        o.*,
        row_number() over (partition by o.order_id, o.line_number order by o._loaded_at desc, o._load_id desc) as version
    from {{ source('raw', 'retail_orders') }} as o
    {% if is_incremental() %}
    where o._loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
)

select
    order_id || '-' || cast(line_number as varchar) as order_line_id,
    order_id,
    line_number,
    ordered_at,
    cast(ordered_at as date) as order_date,
    cast(extract(year from ordered_at) * 10000 + extract(month from ordered_at) * 100 + extract(day from ordered_at) as integer) as date_key,
    customer_id,
    sku,
    category,
    channel,
    quantity,
    unit_price,
    discount,
    cast(quantity * unit_price as decimal(18, 2)) as gross_amount,
    cast(quantity * unit_price * discount as decimal(18, 2)) as discount_amount,
    cast(quantity * unit_price - quantity * unit_price * discount as decimal(18, 2)) as net_amount,
    _loaded_at as loaded_at
from arrived
where version = 1

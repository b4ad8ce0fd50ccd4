-- Every order line counts once, with net = gross - discount; the daily mart adds up to the fact. Rows returned break that.
select 'fact_sales holds a line the staging does not, or misses one' as problem
where (select count(*) from {{ ref('fact_sales') }}) <> (select count(*) from {{ ref('stg_retail_orders') }})
union all
select 'net is not gross less discount' from {{ ref('fact_sales') }} where abs(net_amount - (gross_amount - discount_amount)) > 0.01
union all
select 'daily sales do not add up to the fact'
where (select sum(net_revenue) from {{ ref('mart_daily_sales') }}) <> (select sum(net_amount) from {{ ref('fact_sales') }})

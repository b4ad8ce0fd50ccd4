with ranked as (
    select p.*, row_number() over (partition by p.sku order by p._loaded_at desc, p._load_id desc) as version
    from {{ source('raw', 'retail_products') }} as p
)

select sku, name as product_name, category, unit_price as list_price
from ranked
where version = 1

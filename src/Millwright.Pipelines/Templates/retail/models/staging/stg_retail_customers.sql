with ranked as (
    select c.*, row_number() over (partition by c.customer_id order by c._loaded_at desc, c._load_id desc) as version
    from {{ source('raw', 'retail_customers') }} as c
)

select customer_id, name as customer_name, city, signed_up_at
from ranked
where version = 1

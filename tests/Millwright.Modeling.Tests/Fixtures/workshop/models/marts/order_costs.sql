{{ config(materialized='ephemeral') }}

select order_id, sum(line_cost) as parts_cost, count(*) as part_lines
from {{ ref('stg_parts_used') }}
group by order_id

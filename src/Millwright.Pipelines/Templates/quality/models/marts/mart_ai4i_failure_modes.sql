-- AI4I 2020 failures per product quality variant (L, M, H) and failure mode, with the variant's failure rate.
with products as (
    select quality_variant, count(*) as products, sum(case when machine_failure then 1 else 0 end) as failures
    from {{ ref('stg_ai4i') }}
    group by quality_variant
)

select
    a.quality_variant,
    a.failure_mode,
    count(*) as occurrences,
    p.products,
    cast(p.failures as bigint) as variant_failures,
    {{ ratio('p.failures', 'p.products') }} as variant_failure_rate
from {{ ref('stg_ai4i') }} as a
join products as p on p.quality_variant = a.quality_variant
where a.failure_mode <> 'NONE'
group by a.quality_variant, a.failure_mode, p.products, p.failures

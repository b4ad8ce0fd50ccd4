-- Calendar months from the first order to the as-of moment (the var as_of, else the latest moment in the data).
-- period_end is the month's end, or the as-of moment for the month that holds it.
with as_of as (
    select
    {%- if var('as_of', none) %}
        cast('{{ var("as_of") }}' as timestamp) as as_of
    {%- else %}
        greatest(
            (select max(reported_at) from {{ ref('stg_service_orders') }}),
            coalesce((select max(completed_at) from {{ ref('stg_service_orders') }}), (select max(reported_at) from {{ ref('stg_service_orders') }})),
            coalesce((select max(ended_at) from {{ ref('stg_labor_entries') }}), (select max(reported_at) from {{ ref('stg_service_orders') }}))
        ) as as_of
    {%- endif %}
),

months as (
    select cast(m.month_start as timestamp) as month_start
    from generate_series(
        cast((select date_trunc('month', min(reported_at)) from {{ ref('stg_service_orders') }}) as timestamp),
        cast((select date_trunc('month', as_of) from as_of) as timestamp),
        interval '1 month'
    ) as m(month_start)
)

select
    months.month_start,
    cast(months.month_start + interval '1 month' as timestamp) as month_end,
    least(cast(months.month_start + interval '1 month' as timestamp), as_of.as_of) as period_end,
    as_of.as_of
from months
cross join as_of
where months.month_start < as_of.as_of

-- One row per calendar day from the first production run or completed order to the last.
with bounds as (
    select
        least(
            (select min(production_day) from {{ ref('stg_production_runs') }}),
            (select cast(min(completed_at) as date) from {{ ref('int_maintenance_cost') }})
        ) as first_day,
        greatest(
            (select max(production_day) from {{ ref('stg_production_runs') }}),
            (select cast(max(completed_at) as date) from {{ ref('int_maintenance_cost') }})
        ) as last_day
),

days as (
    select cast(d.day as date) as date_day
    from bounds
    cross join generate_series(cast(bounds.first_day as timestamp), cast(bounds.last_day as timestamp), interval '1 day') as d(day)
)

select
    cast(extract(year from date_day) * 10000 + extract(month from date_day) * 100 + extract(day from date_day) as integer) as date_key,
    date_day,
    cast(extract(year from date_day) as integer) as year,
    cast(extract(quarter from date_day) as integer) as quarter,
    cast(extract(month from date_day) as integer) as month,
    cast(date_trunc('month', date_day) as date) as month_start,
    cast(extract(week from date_day) as integer) as iso_week,
    cast(extract(isodow from date_day) as integer) as iso_day_of_week,
    extract(isodow from date_day) in (6, 7) as is_weekend
from days

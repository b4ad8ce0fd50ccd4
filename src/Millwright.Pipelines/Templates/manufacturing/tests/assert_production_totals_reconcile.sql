-- Every finished run's quantities reach the fact, the machine-day and the line-shift marts, neither lost nor doubled.
with runs as (
    select sum(produced_quantity) as produced, sum(good_quantity) as good, sum(scrap_quantity) as scrap from {{ ref('stg_production_runs') }}
),
fact as (
    select sum(produced_quantity) as produced, sum(good_quantity) as good, sum(scrap_quantity) as scrap from {{ ref('fact_production_metrics') }}
),
machine_days as (
    select sum(produced_quantity) as produced, sum(good_quantity) as good, sum(scrap_quantity) as scrap from {{ ref('kpi_oee') }}
),
line_shifts as (
    select sum(produced_quantity) as produced, sum(good_quantity) as good, sum(scrap_quantity) as scrap from {{ ref('kpi_oee_line_shift') }}
)
select 'fact' as relation from runs, fact where (runs.produced, runs.good, runs.scrap) is distinct from (fact.produced, fact.good, fact.scrap)
union all
select 'kpi_oee' from runs, machine_days where (runs.produced, runs.good, runs.scrap) is distinct from (machine_days.produced, machine_days.good, machine_days.scrap)
union all
select 'kpi_oee_line_shift' from runs, line_shifts where (runs.produced, runs.good, runs.scrap) is distinct from (line_shifts.produced, line_shifts.good, line_shifts.scrap)

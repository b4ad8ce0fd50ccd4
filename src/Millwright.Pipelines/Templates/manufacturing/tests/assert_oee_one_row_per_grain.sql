select machine_code as grain, cast(day as varchar) as period from {{ ref('kpi_oee') }} group by machine_code, day having count(*) > 1
union all
select line_code || ' ' || shift_code, cast(day as varchar) from {{ ref('kpi_oee_line_shift') }} group by line_code, shift_code, day having count(*) > 1

-- ISO 22400-2: OEE = availability x performance x quality, each a share in [0, 1]. Rows returned here break that.
select 'kpi_oee' as model, machine_code as grain, day
from {{ ref('kpi_oee') }}
where availability not between 0 and 1 or performance not between 0 and 1 or quality not between 0 and 1
   or abs(oee - availability * performance * quality) > 1e-9 or oee not between 0 and 1 or (availability = 0 and oee <> 0)
union all
select 'kpi_oee_line_shift', line_code || ' ' || shift_code, day
from {{ ref('kpi_oee_line_shift') }}
where availability not between 0 and 1 or performance not between 0 and 1 or quality not between 0 and 1 or oee not between 0 and 1
union all
select 'mart_executive_kpis', 'plant', month
from {{ ref('mart_executive_kpis') }}
where oee not between 0 and 1 or scrap_rate not between 0 and 1

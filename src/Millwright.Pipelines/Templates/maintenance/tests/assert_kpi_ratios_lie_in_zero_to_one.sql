-- Every ratio is a share: rows returned here break that.
select 'kpi_workshop' as model, site_code as grain, month
from {{ ref('kpi_workshop') }}
where first_time_fix_rate not between 0 and 1 or pm_compliance not between 0 and 1 or planned_maintenance_pct not between 0 and 1
union all
select 'kpi_asset_reliability', asset_code, month
from {{ ref('kpi_asset_reliability') }}
where availability not between 0 and 1 or operating_hours < 0 or downtime_hours < 0
union all
select 'kpi_fleet', 'fleet', month
from {{ ref('kpi_fleet') }}
where availability not between 0 and 1 or alert_to_order_rate not between 0 and 1 or km < 0 or avg_soh not between 0 and 120

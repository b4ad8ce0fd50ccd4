-- One row per site and month, and per asset and month.
select site_code, month from {{ ref('kpi_workshop') }} group by site_code, month having count(*) > 1
union all
select asset_code, month from {{ ref('kpi_asset_reliability') }} group by asset_code, month having count(*) > 1

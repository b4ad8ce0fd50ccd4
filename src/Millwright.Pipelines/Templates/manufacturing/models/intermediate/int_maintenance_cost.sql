-- Labor and parts cost of every completed service order, with the kind of asset it served (VEHICLE, EQUIPMENT).
with labor as (
    select service_order_id, sum(hours * hourly_cost) as labor_cost
    from {{ source('raw', 'labor_entries') }}
    where ended_at is not null
    group by service_order_id
),

parts as (
    select service_order_id, sum((quantity_issued - quantity_returned) * unit_cost) as parts_cost
    from {{ source('raw', 'order_parts') }}
    group by service_order_id
)

select
    o.id as service_order_id,
    a.kind as asset_kind,
    o.completed_at,
    cast(date_trunc('month', o.completed_at) as date) as month,
    cast(coalesce(l.labor_cost, 0) as decimal(18, 4)) as labor_cost,
    cast(coalesce(p.parts_cost, 0) as decimal(18, 4)) as parts_cost
from {{ source('raw', 'service_orders') }} as o
join {{ source('raw', 'assets') }} as a on a.id = o.asset_id
left join labor as l on l.service_order_id = o.id
left join parts as p on p.service_order_id = o.id
where o.completed_at is not null

with cancellations as (
    select service_order_id, min(changed_at) as cancelled_at
    from {{ source('raw', 'service_order_status_history') }}
    where to_status = 'CANCELLED'
    group by service_order_id
)

select
    o.id as service_order_id,
    o.number as order_number,
    o.asset_id,
    a.asset_code,
    a.asset_kind,
    a.site_code,
    o.type as order_type,
    o.priority,
    o.status,
    o.reported_at,
    o.failure_at,
    o.asset_down,
    o.downtime_start,
    o.downtime_end,
    o.scheduled_start,
    o.due_at,
    o.estimated_hours,
    o.rework_count,
    o.resolution_code,
    o.started_at,
    o.completed_at,
    o.closed_at,
    c.cancelled_at,
    -- SMRP: planned work is work that was prepared before it started (preventive, predictive, inspections).
    o.type in ('PREVENTIVE', 'PREDICTIVE', 'INSPECTION') as is_planned,
    -- A failure: corrective or warranty work on an asset that failed (a failure time, or the asset down).
    o.type in ('CORRECTIVE', 'WARRANTY') and (o.failure_at is not null or o.asset_down) as is_failure
from {{ source('raw', 'service_orders') }} as o
join {{ ref('stg_assets') }} as a on a.asset_id = o.asset_id
left join cancellations as c on c.service_order_id = o.id

select
    id as state_event_id,
    equipment_id,
    state,
    reason_code,
    started_at,
    ended_at
from {{ source('raw', 'equipment_state_events') }}

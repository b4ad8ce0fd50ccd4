select
    shift_code,
    shift_name,
    starts_at_hour,
    ends_at_hour,
    planned_break_minutes
from {{ ref('shifts') }}

-- One row per landed reading: renamed and typed, nothing else.
select
    reading_id,
    machine_code,
    status,
    measured_at,
    value,
    _load_id as load_id
from {{ source('raw', '__name___readings') }}

-- Rows returned here fail the test: a reading never goes below zero.
select reading_id, value
from {{ ref('stg___name___readings') }}
where value < 0

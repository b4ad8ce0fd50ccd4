select
    defect_code,
    disposition,
    description,
    counts_as_good
from {{ ref('quality_defects') }}

-- One row per SECOM wafer: the n-th data row of uci-secom.csv (file line n + 1) is labelled by line n of
-- secom_labels.data, which also holds the true time (the CSV swaps day and month in 582 rows).
select
    s._source_line - 1 as wafer_id,
    l.recorded_at,
    cast(l.recorded_at as date) as production_day,
    l.label = 1 as failed,
    {% for i in range(590) -%}
    s.c_{{ i }}{{ "," if not loop.last }}
    {% endfor %}
from {{ source('raw', 'secom') }} as s
join {{ source('raw', 'secom_labels') }} as l on l.row_id = s._source_line - 1

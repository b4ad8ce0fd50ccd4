select
    line_id,
    order_id,
    part,
    quantity,
    {{ cents_to_currency('quantity * unit_cost_cents') }} as line_cost
from {{ ref('parts_used') }}

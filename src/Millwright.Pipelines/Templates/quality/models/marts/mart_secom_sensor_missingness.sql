-- How much of each of SECOM's 590 sensor signals is missing (one scan, then one row per sensor).
with counted as (
    select
        count(*) as wafers,
        {% for i in range(590) -%}
        count(c_{{ i }}) as c_{{ i }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ ref('stg_secom') }}
)

{% for i in range(590) -%}
select 'c_{{ i }}' as sensor, wafers - c_{{ i }} as missing, {{ ratio('wafers - c_' ~ i, 'wafers') }} as missing_fraction from counted
{% if not loop.last %}union all
{% endif %}
{%- endfor %}

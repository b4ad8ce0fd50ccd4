{#- numerator / denominator as a float; empty (null) when the denominator is zero or empty. -#}
{% macro ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as {{ dbt.type_float() }}) / cast({{ denominator }} as {{ dbt.type_float() }}) end
{%- endmacro %}

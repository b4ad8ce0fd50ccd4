{#- A folder's +schema is the schema itself (marts, staging, ...), not appended to the target's schema as dbt does by default. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

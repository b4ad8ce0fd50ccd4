{#- Millwright's built-in macros: the generic tests every dbt project can use, and the helpers they call.
    A project overrides any of them by defining a macro or test of the same name. -#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% test not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}

{% test unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test accepted_values(model, column_name, values, quote=True) %}
{{- adapter.dispatch('test_accepted_values', 'dbt')(model, column_name, values, quote) -}}
{% endtest %}

{#- The accepted values as a SQL list: quoted as strings, or written as they are with quote=false. -#}
{% macro millwright_value_list(values, quote) -%}
    {%- for value in values -%}
        {%- if quote -%}'{{ value }}'{%- else -%}{{ value }}{%- endif -%}
        {%- if not loop.last -%}, {% endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro default__test_accepted_values(model, column_name, values, quote=True) %}
with observed as (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select value_field, n_records
from observed
where value_field not in ({{ millwright_value_list(values, quote) }})
{% endmacro %}

{#- ClickHouse before 20.x has no common table expressions: the same query with a subquery. -#}
{% macro clickhouse__test_accepted_values(model, column_name, values, quote=True) %}
select value_field, n_records
from (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
) as observed
where value_field not in ({{ millwright_value_list(values, quote) }})
{% endmacro %}

{% test relationships(model, column_name, to, field) %}
{{- adapter.dispatch('test_relationships', 'dbt')(model, column_name, to, field) -}}
{% endtest %}

{% macro default__test_relationships(model, column_name, to, field) %}
with children as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),
parents as (
    select {{ field }} as to_field
    from {{ to }}
)
select children.from_field
from children
left join parents on children.from_field = parents.to_field
where parents.to_field is null
{% endmacro %}

{#- ClickHouse: no CTEs before 20.x, and an unmatched LEFT JOIN row holds default values, not NULL, unless
    join_use_nulls is set (Millwright's adapter sets it; a profile may not); NOT IN asks the question without either. -#}
{% macro clickhouse__test_relationships(model, column_name, to, field) %}
select from_field
from (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
) as children
where from_field not in (select {{ field }} from {{ to }} where {{ field }} is not null)
{% endmacro %}

{% macro load_relation(relation) -%}
    {{ return(adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}

{% macro load_cached_relation(relation) -%}
    {{ return(load_relation(relation)) }}
{%- endmacro %}

{% macro should_store_failures() -%}
    {{ return(config.get('store_failures') or flags.STORE_FAILURES) }}
{%- endmacro %}

{% macro should_full_refresh() -%}
    {{ return(config.get('full_refresh') or flags.FULL_REFRESH) }}
{%- endmacro %}

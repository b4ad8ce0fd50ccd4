{#- The cross-database macros dbt projects call as dbt.name(...) or name(...). Each dispatches on the adapter:
    a project may override any of them with its own duckdb__NAME, postgres__NAME or default__NAME macro. -#}

{% macro date_trunc(datepart, date) -%}{{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}{%- endmacro %}
{% macro default__date_trunc(datepart, date) -%}date_trunc('{{ datepart }}', {{ date }}){%- endmacro %}

{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}{{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}{%- endmacro %}
{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
    ({{ from_date_or_timestamp }} + ((interval '1 {{ datepart }}') * ({{ interval }})))
{%- endmacro %}

{% macro datediff(first_date, second_date, datepart) -%}{{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}{%- endmacro %}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
    date_diff('{{ datepart }}', ({{ first_date }})::timestamp, ({{ second_date }})::timestamp)
{%- endmacro %}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
    {%- set days = "((" ~ second_date ~ ")::date - (" ~ first_date ~ ")::date)" -%}
    {%- set years = "(date_part('year', (" ~ second_date ~ ")::date) - date_part('year', (" ~ first_date ~ ")::date))" -%}
    {%- if datepart == 'year' -%} {{ years }}
    {%- elif datepart == 'quarter' -%} ({{ years }} * 4 + date_part('quarter', ({{ second_date }})::date) - date_part('quarter', ({{ first_date }})::date))
    {%- elif datepart == 'month' -%} ({{ years }} * 12 + date_part('month', ({{ second_date }})::date) - date_part('month', ({{ first_date }})::date))
    {%- elif datepart == 'week' -%} ({{ days }} / 7 + case when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp) then case when {{ first_date }} <= {{ second_date }} then 0 else -1 end else case when {{ first_date }} <= {{ second_date }} then 1 else 0 end end)
    {%- elif datepart == 'day' -%} {{ days }}
    {%- elif datepart == 'hour' -%} ({{ days }} * 24 + date_part('hour', ({{ second_date }})::timestamp) - date_part('hour', ({{ first_date }})::timestamp))
    {%- elif datepart == 'minute' -%} (({{ days }} * 24 + date_part('hour', ({{ second_date }})::timestamp) - date_part('hour', ({{ first_date }})::timestamp)) * 60 + date_part('minute', ({{ second_date }})::timestamp) - date_part('minute', ({{ first_date }})::timestamp))
    {%- elif datepart == 'second' -%} floor(extract(epoch from ({{ second_date }})::timestamp) - extract(epoch from ({{ first_date }})::timestamp))
    {%- else -%} {{ exceptions.raise_compiler_error("datediff: unsupported datepart '" ~ datepart ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro last_day(date, datepart) -%}{{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}{%- endmacro %}
{% macro default__last_day(date, datepart) -%}
    cast(date_trunc('{{ datepart }}', {{ date }}) + interval '1 {{ datepart }}' - interval '1 day' as date)
{%- endmacro %}

{% macro concat(fields) -%}{{ return(adapter.dispatch('concat', 'dbt')(fields)) }}{%- endmacro %}
{% macro default__concat(fields) -%}{{ fields | join(' || ') }}{%- endmacro %}

{% macro hash(field) -%}{{ return(adapter.dispatch('hash', 'dbt')(field)) }}{%- endmacro %}
{% macro default__hash(field) -%}md5(cast({{ field }} as {{ api_type_string() }})){%- endmacro %}

{% macro safe_cast(field, type) -%}{{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}{%- endmacro %}
{% macro duckdb__safe_cast(field, type) -%}try_cast({{ field }} as {{ type }}){%- endmacro %}
{% macro default__safe_cast(field, type) -%}cast({{ field }} as {{ type }}){%- endmacro %}

{% macro cast_bool_to_text(field) -%}{{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}{%- endmacro %}
{% macro default__cast_bool_to_text(field) -%}cast({{ field }} as {{ api_type_string() }}){%- endmacro %}

{% macro current_timestamp() -%}{{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}{%- endmacro %}
{% macro default__current_timestamp() -%}now(){%- endmacro %}

{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}{{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}{%- endmacro %}
{% macro postgres__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
    array_to_string((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], {{ delimiter_text }})
    {%- else -%}
    string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
    {%- endif -%}
{%- endmacro %}
{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
    array_to_string(list_slice(array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}), 1, {{ limit_num }}), {{ delimiter_text }})
    {%- else -%}
    string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
    {%- endif -%}
{%- endmacro %}

{% macro split_part(string_text, delimiter_text, part_number) -%}{{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}{%- endmacro %}
{% macro default__split_part(string_text, delimiter_text, part_number) -%}split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }}){%- endmacro %}

{% macro any_value(expression) -%}{{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}{%- endmacro %}
{% macro duckdb__any_value(expression) -%}any_value({{ expression }}){%- endmacro %}
{% macro default__any_value(expression) -%}min({{ expression }}){%- endmacro %}

{% macro bool_or(expression) -%}{{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}{%- endmacro %}
{% macro default__bool_or(expression) -%}bool_or({{ expression }}){%- endmacro %}

{% macro escape_single_quotes(expression) -%}{{ expression | replace("'", "''") }}{%- endmacro %}
{% macro string_literal(value) -%}'{{ value | replace("'", "''") }}'{%- endmacro %}
{% macro right(string_text, length_expression) -%}right({{ string_text }}, {{ length_expression }}){%- endmacro %}
{% macro length(expression) -%}length({{ expression }}){%- endmacro %}
{% macro position(substring_text, string_text) -%}position({{ substring_text }} in {{ string_text }}){%- endmacro %}
{% macro replace(field, old_chars, new_chars) -%}replace({{ field }}, {{ old_chars }}, {{ new_chars }}){%- endmacro %}
{% macro array_construct(inputs=[], data_type=api_type_string()) -%}array[{{ inputs | join(', ') }}]{%- endmacro %}
{% macro array_append(array, new_element) -%}array_append({{ array }}, {{ new_element }}){%- endmacro %}
{% macro array_concat(array_1, array_2) -%}array_cat({{ array_1 }}, {{ array_2 }}){%- endmacro %}

{#- Type names as each engine spells them. -#}
{% macro api_type_string() -%}varchar{%- endmacro %}
{% macro type_string() -%}varchar{%- endmacro %}
{% macro type_timestamp() -%}timestamp{%- endmacro %}
{% macro type_int() -%}integer{%- endmacro %}
{% macro type_bigint() -%}bigint{%- endmacro %}
{% macro type_float() -%}{{ return(adapter.dispatch('type_float', 'dbt')()) }}{%- endmacro %}
{% macro default__type_float() -%}float{%- endmacro %}
{% macro duckdb__type_float() -%}double{%- endmacro %}
{% macro type_numeric() -%}numeric(28, 6){%- endmacro %}
{% macro type_boolean() -%}boolean{%- endmacro %}

{% macro except() -%}{{ return(adapter.dispatch('except', 'dbt')()) }}{%- endmacro %}
{% macro default__except() -%}except
{% endmacro %}

{% macro intersect() -%}{{ return(adapter.dispatch('intersect', 'dbt')()) }}{%- endmacro %}
{% macro default__intersect() -%}intersect
{% endmacro %}

{% macro cast(field, type) -%}{{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}{%- endmacro %}
{% macro default__cast(field, type) -%}cast({{ field }} as {{ type }}){%- endmacro %}

{#- A date literal from its parts: dbt.date(2023, 10, 4). -#}
{% macro date(year, month, day) -%}{{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}{%- endmacro %}
{% macro default__date(year, month, day) -%}
    {%- set iso = modules.datetime.date(year, month, day).strftime('%Y-%m-%d') -%}
    to_date('{{ iso }}', 'YYYY-MM-DD')
{%- endmacro %}
{% macro duckdb__date(year, month, day) -%}
    {%- set iso = modules.datetime.date(year, month, day).strftime('%Y-%m-%d') -%}
    cast('{{ iso }}' as date)
{%- endmacro %}

{#- Equality as dbt's default behaviour has it (the truthy-nulls flag off): NULL = NULL is not true. -#}
{% macro equals(expr1, expr2) -%}{{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}{%- endmacro %}
{% macro default__equals(expr1, expr2) -%}({{ expr1 }} = {{ expr2 }}){%- endmacro %}

{#- The smallest n with upper_bound <= 2 ** n: how many doublings generate_series needs. -#}
{% macro get_powers_of_two(upper_bound) -%}{{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}{%- endmacro %}
{% macro default__get_powers_of_two(upper_bound) -%}
    {%- if upper_bound <= 0 -%}
        {{ exceptions.raise_compiler_error("get_powers_of_two: the upper bound must be positive, not " ~ upper_bound) }}
    {%- endif -%}
    {%- for n in range(1, 100) -%}
        {%- if upper_bound <= 2 ** n -%}{{ return(n) }}{%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- Rows generated_number = 1 .. upper_bound, built from cross joins of two-row tables (portable SQL). -#}
{% macro generate_series(upper_bound) -%}{{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}{%- endmacro %}
{% macro default__generate_series(upper_bound) -%}
    {%- set n = dbt.get_powers_of_two(upper_bound) %}
    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (
        select
        {% for i in range(n) -%}
            p{{ i }}.generated_number * power(2, {{ i }}){{ ' + ' if not loop.last }}
        {%- endfor %} + 1 as generated_number
        from {% for i in range(n) %}p as p{{ i }}{{ ' cross join ' if not loop.last }}{% endfor %}
    )
    select *
    from unioned
    where generated_number <= {{ upper_bound }}
    order by generated_number
{%- endmacro %}

{#- How many datepart steps lie between two dates, asked of the warehouse (1 when not executing). -#}
{% macro get_intervals_between(start_date, end_date, datepart) -%}{{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}{%- endmacro %}
{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
    {%- call statement('get_intervals_between', fetch_result=True) %}
        select {{ dbt.datediff(start_date, end_date, datepart) }}
    {%- endcall -%}
    {%- set result = load_result('get_intervals_between') -%}
    {%- if result and result['data'] -%}
        {{ return(result['data'][0][0]) }}
    {%- else -%}
        {{ return(1) }}
    {%- endif -%}
{%- endmacro %}

{#- Days, months... from start_date up to (not including) end_date, as rows of date_<datepart>. -#}
{% macro date_spine(datepart, start_date, end_date) -%}{{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}{%- endmacro %}
{% macro default__date_spine(datepart, start_date, end_date) -%}
    with rawdata as (
        {{ dbt.generate_series(dbt.get_intervals_between(start_date, end_date, datepart)) }}
    ), all_periods as (
        select (
            {{ dbt.dateadd(datepart, "row_number() over (order by generated_number) - 1", start_date) }}
        ) as date_{{ datepart }}
        from rawdata
    ), filtered as (
        select *
        from all_periods
        where date_{{ datepart }} <= {{ end_date }}
    )
    select * from filtered
{%- endmacro %}

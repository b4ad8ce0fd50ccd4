{#- The names dbt gives a node when the project says nothing else: its schema (the target's, or the target's with a
    custom suffix), its alias (the configured one, else the name, with the version for a versioned model) and its
    database. A project's macro of the same name wins; a project's macro often calls these default__ forms. -#}

{% macro generate_schema_name(custom_schema_name=none, node=none) -%}
  {{- return(adapter.dispatch('generate_schema_name', 'dbt')(custom_schema_name, node)) -}}
{%- endmacro %}

{% macro default__generate_schema_name(custom_schema_name=none, node=none) -%}
  {%- if custom_schema_name is none -%}
    {{- target.schema -}}
  {%- else -%}
    {{- target.schema ~ '_' ~ (custom_schema_name | trim) -}}
  {%- endif -%}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
  {{- return(adapter.dispatch('generate_alias_name', 'dbt')(custom_alias_name, node)) -}}
{%- endmacro %}

{% macro default__generate_alias_name(custom_alias_name=none, node=none) -%}
  {%- if custom_alias_name -%}
    {{- custom_alias_name | trim -}}
  {%- elif node is not none and node.version -%}
    {{- node.name ~ '_v' ~ (node.version | string | replace('.', '_')) -}}
  {%- else -%}
    {{- node.name -}}
  {%- endif -%}
{%- endmacro %}

{% macro generate_database_name(custom_database_name=none, node=none) -%}
  {{- return(adapter.dispatch('generate_database_name', 'dbt')(custom_database_name, node)) -}}
{%- endmacro %}

{% macro default__generate_database_name(custom_database_name=none, node=none) -%}
  {%- if custom_database_name is none -%}
    {{- target.database -}}
  {%- else -%}
    {{- custom_database_name -}}
  {%- endif -%}
{%- endmacro %}

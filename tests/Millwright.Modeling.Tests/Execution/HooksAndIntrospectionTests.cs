namespace Millwright.Modeling.Tests.Execution;

/// <summary>Project and model hooks, run-operation, run_query, statement blocks and adapter introspection on each engine.</summary>
public abstract class HooksAndIntrospectionTests(Engine engine)
{
    private TestProject Project()
    {
        var project = TestProject.Create("shop", engine);
        project.Write("seeds/items.csv", "kind,qty\na,1\nb,2\nc,3\na,4\n");
        return project;
    }

    [Fact]
    public async Task Project_and_model_hooks_run_around_the_nodes_in_order()
    {
        await using var project = Project();
        File.AppendAllText(project.Path_("dbt_project.yml"), """
            on-run-start:
              - "create table if not exists {{ target.schema }}.audit_log (seq integer, event varchar(100))"
              - "insert into {{ target.schema }}.audit_log values (1, 'start')"
            on-run-end:
              - "insert into {{ target.schema }}.audit_log values (4, 'end {{ results | length }} {{ results[0].status }}')"
            """);
        project.Write("models/totals.sql", """
            {{ config(materialized='table',
                      pre_hook="insert into " ~ target.schema ~ ".audit_log values (2, 'pre {{ this.identifier }}')",
                      post_hook="insert into " ~ target.schema ~ ".audit_log select 3, 'post ' || cast(count(*) as varchar) from {{ this }}") }}
            select kind, sum(qty) as qty from {{ ref('items') }} group by kind
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));
        await using var warehouse = project.OpenWarehouse();
        await using var rows = await warehouse.QueryAsync($"select event from {project.Schema}.audit_log order by seq", TestContext.Current.CancellationToken);
        var events = new List<string>();
        while (await rows.ReadAsync(TestContext.Current.CancellationToken))
        {
            events.Add((string)rows.GetValue(0)!);
        }

        Assert.Equal(["start", "pre totals", "post 3", "end 2 success"], events);
    }

    [Fact]
    public async Task A_failing_on_run_start_hook_stops_before_any_node_runs()
    {
        await using var project = Project();
        File.AppendAllText(project.Path_("dbt_project.yml"), "on-run-start: \"select * from no_such_table_anywhere\"\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Seed));
        Assert.StartsWith("on-run-start hook 1 failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table_anywhere", error.Message, StringComparison.Ordinal);
        await using var warehouse = project.OpenWarehouse();
        Assert.Null(await warehouse.GetRelationAsync(new Warehouse.RelationName(project.Schema, "items"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Run_query_shapes_a_model_from_the_data()
    {
        await using var project = Project();
        project.Write("models/pivot.sql", """
            {%- set kinds = run_query("select distinct kind from " ~ ref('items') ~ " order by 1") -%}
            {%- set names = kinds.columns[0].values() if execute else [] -%}
            select
            {%- for k in names %}
                sum(case when kind = '{{ k }}' then qty else 0 end) as {{ k }}_qty{{ ',' if not loop.last }}
            {%- endfor %}
            from {{ ref('items') }}
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));
        await using var warehouse = project.OpenWarehouse();
        var columns = await warehouse.GetColumnsAsync(new Warehouse.RelationName(project.Schema, "pivot"), TestContext.Current.CancellationToken);
        Assert.Equal(["a_qty", "b_qty", "c_qty"], columns.Select(c => c.Name));
        Assert.Equal(5m, await project.NumberAsync("select a_qty from {schema}.pivot"));
    }

    [Fact]
    public async Task A_query_result_reads_as_an_agate_table_by_row_by_column_and_by_name()
    {
        await using var project = Project();
        project.Write("macros/shape.sql", """
            {% macro shape() %}
              {%- set t = run_query("select kind, sum(qty) as qty from " ~ ref('items') ~ " group by kind order by kind") -%}
              {%- set by_column = {} -%}
              {%- for name, column in t.columns.items() -%}{%- do by_column.update({name: column.values() | list}) -%}{%- endfor -%}
              {%- do log('names ' ~ (t.column_names | join(',')) ~ ' types ' ~ (t.column_types | map(attribute='name') | join(',')), info=true) -%}
              {%- do log('kinds ' ~ (by_column['kind'] | join(',')) ~ ' qty ' ~ (t.columns['qty'].values() | join(',')), info=true) -%}
              {%- do log('rows ' ~ (t.rows | length) ~ ' first ' ~ t.rows[0]['kind'] ~ '=' ~ t.rows[0].qty ~ ' last ' ~ t[-1][1], info=true) -%}
              {%- set kinds = [] -%}{%- for row in t -%}{%- do kinds.append(row.kind) -%}{%- endfor -%}
              {%- do log('iterated ' ~ (kinds | join('')) ~ ' selected ' ~ (t.select(['qty']).column_names | join(',')) ~ ' ' ~ (t.columns | length) ~ ' columns', info=true) -%}
              {%- do log('column ' ~ t.columns[1].name ~ ' ' ~ t.columns[1].data_type.name ~ ' keys ' ~ (t.rows[1].keys() | join(',')), info=true) -%}
            {% endmacro %}
            """);
        Assert.True((await project.RunAsync(DbtCommand.Seed)).Succeeded);

        await project.RunAsync(DbtCommand.RunOperation, project.Options() with { Operation = "shape" });

        Assert.Contains("names kind,qty types Text,Number", project.Messages);
        Assert.Contains("kinds a,b,c qty 5,2,3", project.Messages);
        Assert.Contains("rows 3 first a=5 last 3", project.Messages);
        Assert.Contains("iterated abc selected qty 2 columns", project.Messages);
        Assert.Contains("column qty Number keys kind,qty", project.Messages);
    }

    [Fact]
    public async Task Schema_and_relation_macros_of_the_adapter_and_api_work_on_the_warehouse()
    {
        await using var project = Project();
        project.Write("macros/housekeeping.sql", """
            {% macro housekeeping() %}
              {%- set scratch = api.Relation.create(database=target.database, schema=target.schema ~ '_scratch') -%}
              {%- do log('bare ' ~ scratch ~ ' none ' ~ ('None' in (scratch | string)), info=true) -%}
              {%- do adapter.create_schema(scratch) -%}
              {%- do log('exists ' ~ adapter.check_schema_exists(target.database, target.schema ~ '_scratch') ~ ' listed ' ~ ((target.schema ~ '_scratch') in adapter.list_schemas(target.database)), info=true) -%}
              {%- do run_query('create table ' ~ scratch.schema ~ '.t1 as select 1 as x') -%}
              {%- set found = adapter.list_relations_without_caching(scratch) -%}
              {%- do log('relations ' ~ (found | map(attribute='identifier') | join(',')) ~ ' already ' ~ adapter.already_exists(scratch.schema, 't1'), info=true) -%}
              {%- set t1 = found[0] -%}
              {%- do log('equal ' ~ (t1 == api.Relation.create(database=t1.database, schema=t1.schema, identifier='t1')) ~ ' unequal ' ~ (t1 == t1.incorporate(path={'identifier': 't2'})), info=true) -%}
              {%- do log('without ' ~ t1.without_identifier() ~ ' replaced ' ~ t1.replace_path(identifier='t9').identifier ~ ' info ' ~ t1.information_schema('columns'), info=true) -%}
              {%- set col = api.Column.create('amount', 'integer') -%}
              {%- do log('column ' ~ col.name ~ ' ' ~ col.data_type ~ ' ' ~ col.is_integer() ~ ' ' ~ api.Column.translate_type('string') ~ ' ' ~ api.Column.numeric_type('numeric', 12, 2), info=true) -%}
              {%- do log('quoted ' ~ adapter.quote_as_configured('Odd Name', 'identifier') ~ ' strict ' ~ (set_strict([1, 2, 2]) | length) ~ ' builtin ' ~ builtins.ref('items').identifier, info=true) -%}
              {%- do adapter.drop_schema(scratch) -%}
              {%- do log('dropped ' ~ adapter.check_schema_exists(target.database, target.schema ~ '_scratch'), info=true) -%}
            {% endmacro %}
            """);
        Assert.True((await project.RunAsync(DbtCommand.Seed)).Succeeded);

        await project.RunAsync(DbtCommand.RunOperation, project.Options() with { Operation = "housekeeping" });

        var database = engine == Engine.DuckDb ? "shop" : "postgres";
        Assert.Contains($"bare \"{database}\".\"{project.Schema}_scratch\" none False", project.Messages);
        Assert.Contains("exists True listed True", project.Messages);
        Assert.Contains("relations t1 already True", project.Messages);
        Assert.Contains("equal True unequal False", project.Messages);
        Assert.Contains($"without \"{database}\".\"{project.Schema}_scratch\" replaced t9 info \"information_schema\".\"columns\"", project.Messages);
        Assert.True(project.Messages.Contains("column amount INT True TEXT numeric(12,2)"), string.Join(" | ", project.Messages));
        Assert.Contains("quoted \"Odd Name\" strict 2 builtin items", project.Messages);
        Assert.Contains("dropped False", project.Messages);
    }

    [Fact]
    public async Task The_graph_holds_each_node_and_source_as_the_manifest_does()
    {
        await using var project = Project();
        project.Write("models/sources.yml", """
            version: 2
            sources:
              - name: landing
                schema: "{{ target.schema }}"
                loaded_at_field: loaded_at
                tables:
                  - name: raw_items
                    identifier: items
            models:
              - name: kinds
                meta: {owner: planning}
                columns:
                  - name: kind
                    description: the part family
                    tests: [not_null]
            """);
        project.Write("models/kinds.sql", "select distinct kind from {{ source('landing', 'raw_items') }}");
        project.Write("macros/inspect.sql", """
            {% macro inspect() %}
              {%- set model = graph.nodes.values() | selectattr('name', 'equalto', 'kinds') | first -%}
              {%- do log('model ' ~ model.package_name ~ ' ' ~ model.original_file_path ~ ' ' ~ (model.fqn | join('.')) ~ ' ' ~ model.config.materialized ~ ' ' ~ model.meta.owner ~ ' ' ~ model.columns.kind.description, info=true) -%}
              {%- do log('depends ' ~ (model.depends_on.nodes | join(',')) ~ ' raw ' ~ ('source(' in model.raw_code), info=true) -%}
              {%- set test = graph.nodes.values() | selectattr('resource_type', 'equalto', 'test') | first -%}
              {%- do log('test ' ~ test.test_metadata.name ~ ' on ' ~ test.column_name ~ ' attached ' ~ test.attached_node, info=true) -%}
              {%- set source = graph.sources.values() | first -%}
              {%- do log('source ' ~ source.source_name ~ '.' ~ source.name ~ ' identifier ' ~ source.identifier ~ ' loaded_at ' ~ source.loaded_at_field, info=true) -%}
              {%- do log('others ' ~ (graph.exposures | length) ~ (graph.metrics | length) ~ (graph.groups | length), info=true) -%}
            {% endmacro %}
            """);

        await project.RunAsync(DbtCommand.RunOperation, project.Options() with { Operation = "inspect" });

        Assert.Contains("model shop models/kinds.sql shop.kinds view planning the part family", project.Messages);
        Assert.Contains("depends source.shop.landing.raw_items raw True", project.Messages);
        Assert.Contains("test not_null on kind attached model.shop.kinds", project.Messages);
        Assert.Contains("source landing.raw_items identifier items loaded_at loaded_at", project.Messages);
        Assert.Contains("others 000", project.Messages);
    }

    [Fact]
    public async Task Run_operation_calls_a_macro_with_arguments_statements_and_introspection()
    {
        await using var project = Project();
        project.Write("macros/describe.sql", """
            {% macro describe(relation_name, min_qty=0) %}
              {%- set rel = adapter.get_relation(database=target.database, schema=target.schema, identifier=relation_name) -%}
              {%- set cols = adapter.get_columns_in_relation(rel) -%}
              {%- call statement('counted', fetch_result=True) -%}
                select count(*) as n from {{ rel }} where qty >= {{ min_qty }}
              {%- endcall -%}
              {%- set n = load_result('counted')['data'][0][0] -%}
              {%- do log(relation_name ~ ': ' ~ (cols | map(attribute='name') | join(', ')) ~ '; ' ~ n ~ ' rows', info=true) -%}
              {%- set missing = adapter.get_relation(database=target.database, schema=target.schema, identifier='nothing_here') -%}
              {{ return('missing is none' if missing is none else 'missing found') }}
            {% endmacro %}
            """);
        Assert.True((await project.RunAsync(DbtCommand.Seed)).Succeeded);

        await project.RunAsync(DbtCommand.RunOperation, project.Options() with { Operation = "describe", OperationArgs = "{relation_name: items, min_qty: 2}" });

        Assert.Contains("items: kind, qty; 3 rows", project.Messages);
        Assert.Contains("missing is none", project.Messages);
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.RunOperation, project.Options() with { Operation = "nope" }));
        Assert.Contains("no macro named 'nope'", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbHooksAndIntrospectionTests() : HooksAndIntrospectionTests(Engine.DuckDb);

public sealed class PostgresHooksAndIntrospectionTests() : HooksAndIntrospectionTests(Engine.Postgres);

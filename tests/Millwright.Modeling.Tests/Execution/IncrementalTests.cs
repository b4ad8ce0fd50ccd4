using System.Globalization;
using System.Text;
using Millwright.Warehouse;

namespace Millwright.Modeling.Tests.Execution;

/// <summary>Incremental models on each engine: growth, strategies, keys, schema changes, full refresh and the failures.</summary>
public abstract class IncrementalTests(Engine engine)
{
    private static string Rows(int count, int factor = 1, int repeatId = 0)
    {
        var csv = new StringBuilder("id,region,amount,note\n");
        for (var i = 1; i <= count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},{(i % 2 == 0 ? "north" : "south")},{i * 10 * factor},row {i}\n");
        }

        if (repeatId > 0)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{repeatId},north,999,again\n");
        }

        return csv.ToString();
    }

    private TestProject Project(string model)
    {
        var project = TestProject.Create("shop", engine);
        project.Write("seeds/source_rows.csv", Rows(10));
        project.Write("models/events.sql", model);
        return project;
    }

    private static async Task<NodeResult> RunModelAsync(TestProject project, string? vars = null, bool fullRefresh = false)
    {
        Assert.True((await project.RunAsync(DbtCommand.Seed, project.Options() with { Vars = vars })).Succeeded);
        var summary = await project.RunAsync(DbtCommand.Run, project.Options("events") with { Vars = vars, FullRefresh = fullRefresh });
        return Assert.Single(summary.Results);
    }

    [Fact]
    public async Task Grows_from_10_to_20_rows_reading_only_the_new_rows()
    {
        await using var project = Project("""
            {{ config(materialized='incremental', unique_key='id') }}
            select id, amount from {{ ref('source_rows') }}
            {% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
            """);
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        Assert.Equal(10m, await project.NumberAsync("select count(*) from {schema}.events"));
        Assert.DoesNotContain("where id >", File.ReadAllText(project.Path_("target", "compiled", "shop", "models", "events.sql")), StringComparison.Ordinal);

        project.Write("seeds/source_rows.csv", Rows(20));
        var second = await RunModelAsync(project);

        Assert.Equal(NodeStatus.Success, second.Status);
        Assert.Contains("incremental model", second.Message, StringComparison.Ordinal);
        Assert.Equal(20m, await project.NumberAsync("select count(*) from {schema}.events"));
        Assert.Equal(20m, await project.NumberAsync("select count(distinct id) from {schema}.events"));
        Assert.Contains($".\"{project.Schema}\".\"events\")", File.ReadAllText(project.Path_("target", "compiled", "shop", "models", "events.sql")), StringComparison.Ordinal);
        Assert.Contains("where id > (select max(id) from ", File.ReadAllText(project.Path_("target", "compiled", "shop", "models", "events.sql")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_of_63_characters_survive_their_work_tables_for_seeds_and_incremental_models()
    {
        // PostgreSQL cuts identifiers at 63 bytes: a work table named after the relation must not be cut back to it.
        var seed = "s" + new string('x', 62);
        var model = "m" + new string('y', 62);
        await using var project = TestProject.Create("shop", engine);
        project.Write($"seeds/{seed}.csv", Rows(10));
        project.Write($"models/{model}.sql", $$$"""
            {{ config(materialized='incremental', unique_key='id') }}
            select id, amount from {{ ref('{{{seed}}}') }}
            {% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
            """);
        Assert.True((await project.RunAsync(DbtCommand.Build, project.Options())).Succeeded);

        // A new column: the seed is loaded through its work table this time.
        project.Write($"seeds/{seed}.csv", "id,region,amount,note,extra\n" + string.Concat(Enumerable.Range(1, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},north,{i * 10},row {i},x\n"))));
        var again = await project.RunAsync(DbtCommand.Build, project.Options());

        Assert.True(again.Succeeded, string.Join("; ", again.Results.Select(r => r.Message)));
        Assert.Equal(20m, await project.NumberAsync($"select count(*) from {{schema}}.{seed}"));
        Assert.Equal(20m, await project.NumberAsync($"select count(*) from {{schema}}.{model}"));
    }

    [Theory]
    [InlineData("append", 22, 2200)]
    [InlineData("delete+insert", 12, 1560)]
    [InlineData("merge", 12, 1560)]
    public async Task Each_strategy_applies_changed_and_new_rows_its_own_way(string strategy, int rows, int total)
    {
        await using var project = Project("""
            {{ config(materialized='incremental', unique_key='id', incremental_strategy=var('strategy')) }}
            select id, region, amount from {{ ref('source_rows') }} where id <= {{ var('upto', 10) }}
            """);
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project, $"{{strategy: '{strategy}'}}")).Status);
        project.Write("seeds/source_rows.csv", Rows(12, factor: 2));

        var result = await RunModelAsync(project, $"{{strategy: '{strategy}', upto: 12}}");

        Assert.Equal(NodeStatus.Success, result.Status);
        Assert.Equal(rows, await project.NumberAsync("select count(*) from {schema}.events"));
        // append keeps the old 10 rows (550) beside the new 12 (1,560); the others replace them.
        Assert.Equal(strategy == "append" ? 550 + 1560 : total, await project.NumberAsync("select sum(amount) from {schema}.events"));
    }

    [Fact]
    public async Task A_unique_key_of_several_columns_matches_on_all_of_them()
    {
        await using var project = Project("""
            {{ config(materialized='incremental', unique_key=['region', 'bucket'], incremental_strategy='merge') }}
            select region, id % 3 as bucket, sum(amount) as amount from {{ ref('source_rows') }} group by 1, 2
            """);
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        Assert.Equal(6m, await project.NumberAsync("select count(*) from {schema}.events"));
        project.Write("seeds/source_rows.csv", Rows(10, factor: 3));
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        Assert.Equal(6m, await project.NumberAsync("select count(*) from {schema}.events"));
        Assert.Equal(1650m, await project.NumberAsync("select sum(amount) from {schema}.events"));
    }

    [Fact]
    public async Task A_merge_with_a_repeated_key_fails_naming_it_and_leaves_the_table_as_it_was()
    {
        await using var project = Project("""
            {{ config(materialized='incremental', unique_key='id', incremental_strategy='merge') }}
            select id, amount from {{ ref('source_rows') }}
            """);
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        project.Write("seeds/source_rows.csv", Rows(10, factor: 5, repeatId: 4));

        var result = await RunModelAsync(project);

        Assert.Equal(NodeStatus.Error, result.Status);
        Assert.Contains("repeat unique_key (id)", result.Message, StringComparison.Ordinal);
        Assert.Contains("(4) x2", result.Message, StringComparison.Ordinal);
        Assert.Equal(550m, await project.NumberAsync("select sum(amount) from {schema}.events"));
        await using var warehouse = project.OpenWarehouse();
        Assert.DoesNotContain(await warehouse.ListRelationsAsync(project.Schema, TestContext.Current.CancellationToken), r => r.Name.Contains("dbt_tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_schema_change_fail_names_both_schemas_and_changes_nothing()
    {
        await using var project = Project("{{ config(materialized='incremental', on_schema_change='fail') }}\nselect id, amount from {{ ref('source_rows') }} {% if is_incremental() %} where false {% endif %}");
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        project.Write("models/events.sql", "{{ config(materialized='incremental', on_schema_change='fail') }}\nselect id, note from {{ ref('source_rows') }}");

        var result = await RunModelAsync(project);

        Assert.Equal(NodeStatus.Error, result.Status);
        Assert.Contains("on_schema_change is 'fail'", result.Message, StringComparison.Ordinal);
        Assert.Contains("new columns: note", result.Message, StringComparison.Ordinal);
        Assert.Contains("missing columns: amount", result.Message, StringComparison.Ordinal);
        Assert.Equal(10m, await project.NumberAsync("select count(*) from {schema}.events"));
    }

    [Fact]
    public async Task Append_new_columns_adds_them_and_sync_all_columns_also_drops_the_missing_ones()
    {
        await using var project = Project("{{ config(materialized='incremental', on_schema_change='append_new_columns') }}\nselect id, amount from {{ ref('source_rows') }} where id <= 5");
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        project.Write("models/events.sql", "{{ config(materialized='incremental', on_schema_change='append_new_columns') }}\nselect id, amount, note from {{ ref('source_rows') }} where id > 5");
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        Assert.Equal(5m, await project.NumberAsync("select count(note) from {schema}.events"));
        Assert.Equal(10m, await project.NumberAsync("select count(*) from {schema}.events"));

        project.Write("models/events.sql", "{{ config(materialized='incremental', on_schema_change='sync_all_columns') }}\nselect id, note from {{ ref('source_rows') }} where id = 1");
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project)).Status);
        await using var warehouse = project.OpenWarehouse();
        Assert.Equal(["id", "note"], (await warehouse.GetColumnsAsync(new RelationName(project.Schema, "events"), TestContext.Current.CancellationToken)).Select(c => c.Name));
        Assert.Equal(11m, await project.NumberAsync("select count(*) from {schema}.events"));
    }

    [Fact]
    public async Task Full_refresh_rebuilds_from_scratch()
    {
        await using var project = Project("{{ config(materialized='incremental') }}\nselect id, amount from {{ ref('source_rows') }}");
        await RunModelAsync(project);
        await RunModelAsync(project);
        Assert.Equal(20m, await project.NumberAsync("select count(*) from {schema}.events"));
        Assert.Equal(NodeStatus.Success, (await RunModelAsync(project, fullRefresh: true)).Status);
        Assert.Equal(10m, await project.NumberAsync("select count(*) from {schema}.events"));
    }

    [Fact]
    public async Task An_unknown_strategy_is_a_compile_error_naming_the_model()
    {
        await using var project = Project("{{ config(materialized='incremental', incremental_strategy='upsert_magic') }}\nselect 1 as id");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Run));
        Assert.Contains("model events (models/events.sql)", error.Message, StringComparison.Ordinal);
        Assert.Contains("unknown incremental_strategy 'upsert_magic'", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbIncrementalTests() : IncrementalTests(Engine.DuckDb);

public sealed class PostgresIncrementalTests() : IncrementalTests(Engine.Postgres);

using System.Globalization;
using System.Text;

namespace Millwright.Modeling.Tests.Execution;

/// <summary>Snapshots on each engine, following dbt-adapters' basic scenarios: rows versioned as the source changes.</summary>
public abstract class SnapshotTests(Engine engine)
{
    /// <summary>People 1..count; <paramref name="generation"/> changes email and, with <paramref name="moveTime"/>, updated_at.</summary>
    private static string People(int count, int generation = 0, bool moveTime = true, int renamed = 0)
    {
        var csv = new StringBuilder("id,name,email,updated_at\n");
        for (var i = 1; i <= count; i++)
        {
            var at = new DateTime(2026, 1, 1, 8, 0, 0).AddDays(moveTime ? generation : 0).AddMinutes(i);
            var name = i <= renamed ? $"Renamed {i}" : $"Person {i}";
            csv.Append(CultureInfo.InvariantCulture, $"{i},{name},p{i}.g{(moveTime ? generation : 0)}@example.com,{at:yyyy-MM-dd HH:mm:ss}\n");
        }

        return csv.ToString();
    }

    private TestProject Project(string strategyConfig)
    {
        var project = TestProject.Create("shop", engine);
        project.Write("seeds/people.csv", People(10));
        project.Write("snapshots/people_history.sql", $$$"""
            {% snapshot people_history %}
            {{ config(target_schema=target.schema ~ '_snapshots', unique_key='id', {{{strategyConfig}}}) }}
            select * from {{ ref('people') }}
            {% endsnapshot %}
            """);
        return project;
    }

    private static async Task<decimal> SnapshotAsync(TestProject project)
    {
        Assert.True((await project.RunAsync(DbtCommand.Seed)).Succeeded);
        var summary = await project.RunAsync(DbtCommand.Snapshot);
        var result = Assert.Single(summary.Results);
        Assert.True(result.Status == NodeStatus.Success, result.Message);
        return await project.NumberAsync("select count(*) from {schema}_snapshots.people_history");
    }

    [Fact]
    public async Task Timestamp_snapshot_goes_10_20_30_30()
    {
        await using var project = Project("strategy='timestamp', updated_at='updated_at'");
        Assert.Equal(10m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(10, generation: 1));
        Assert.Equal(20m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(20, generation: 1));
        Assert.Equal(30m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(20, generation: 1, renamed: 5).Replace("g1@", "g1@", StringComparison.Ordinal));
        Assert.Equal(30m, await SnapshotAsync(project));

        Assert.Equal(20m, await project.NumberAsync("select count(*) from {schema}_snapshots.people_history where dbt_valid_to is null"));
        Assert.Equal(10m, await project.NumberAsync("select count(*) from {schema}_snapshots.people_history where dbt_valid_to = dbt_valid_from + interval '1 day'"));
        Assert.Equal(30m, await project.NumberAsync("select count(distinct dbt_scd_id) from {schema}_snapshots.people_history"));
    }

    [Fact]
    public async Task Check_snapshot_goes_10_20_30_40()
    {
        await using var project = Project("strategy='check', check_cols='all'");
        Assert.Equal(10m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(10, generation: 1));
        Assert.Equal(20m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(20, generation: 1));
        Assert.Equal(30m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(20, generation: 1, renamed: 10));
        Assert.Equal(40m, await SnapshotAsync(project));
        Assert.Equal(20m, await project.NumberAsync("select count(*) from {schema}_snapshots.people_history where dbt_valid_to is null"));
    }

    [Fact]
    public async Task Check_cols_limits_what_counts_as_a_change_and_hard_deletes_close_the_current_version()
    {
        await using var project = Project("strategy='check', check_cols=['name'], hard_deletes='invalidate'");
        Assert.Equal(10m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(10, generation: 1));
        Assert.Equal(10m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(8, generation: 1, renamed: 3));
        Assert.Equal(13m, await SnapshotAsync(project));
        Assert.Equal(8m, await project.NumberAsync("select count(*) from {schema}_snapshots.people_history where dbt_valid_to is null"));
        Assert.Equal(0m, await project.NumberAsync("select count(*) from {schema}_snapshots.people_history where id in (9, 10) and dbt_valid_to is null"));
    }

    [Fact]
    public async Task A_snapshot_configured_in_yaml_reads_its_relation()
    {
        var project = TestProject.Create("shop", engine);
        await using var _ = project;
        project.Write("seeds/people.csv", People(10));
        project.Write("snapshots/snapshots.yml", """
            snapshots:
              - name: people_history
                relation: ref('people')
                config:
                  target_schema: "{{ target.schema }}_snapshots"
                  unique_key: id
                  strategy: timestamp
                  updated_at: updated_at
            """);
        Assert.Equal(10m, await SnapshotAsync(project));
        project.Write("seeds/people.csv", People(10, generation: 2));
        Assert.Equal(20m, await SnapshotAsync(project));
    }

    [Fact]
    public async Task A_snapshot_without_what_its_strategy_needs_is_a_compile_error()
    {
        await using var project = Project("strategy='timestamp'");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Snapshot));
        Assert.Contains("snapshot people_history (snapshots/people_history.sql)", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs updated_at", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbSnapshotTests() : SnapshotTests(Engine.DuckDb);

public sealed class PostgresSnapshotTests() : SnapshotTests(Engine.Postgres);

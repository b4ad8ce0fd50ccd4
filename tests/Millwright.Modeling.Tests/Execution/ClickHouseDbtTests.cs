using System.Globalization;
using System.Text;

namespace Millwright.Modeling.Tests.Execution;

/// <summary>
/// A dbt project on a `clickhouse` target (the throwaway 18.16 server of ./test.sh): seeds, a view, ephemeral models, a table
/// stored as its config says (engine, order_by, partition_by as dbt-clickhouse users write them), incremental models by append and by
/// delete+insert (built aside and swapped in, since ClickHouse has no transactions), and generic tests. The SQL is
/// ClickHouse 18.16's: no CTEs, one JOIN per SELECT, and sort keys that are not Nullable.
/// </summary>
public sealed class ClickHouseDbtTests
{
    private static string Readings(int days)
    {
        var csv = new StringBuilder("id,vehicle,day,reading\n");
        var id = 0;
        for (var d = 0; d < days; d++)
        {
            foreach (var vehicle in new[] { "VAN-01", "VAN-02", "BUS-07" })
            {
                id++;
                var day = new DateOnly(2026, 11, 25).AddDays(d);
                csv.Append(CultureInfo.InvariantCulture, $"{id},{vehicle},{day:yyyy-MM-dd},{(id % 7) + 0.5}\n");
            }
        }

        return csv.ToString();
    }

    private static TestProject Project()
    {
        var project = TestProject.Create("fleet", Engine.ClickHouse);
        project.Write("seeds/raw_readings.csv", Readings(10));
        project.Write("models/stg_readings.sql", """
            {{ config(materialized='view') }}
            select id, vehicle, day, reading from {{ ref('raw_readings') }}
            """);
        // Ephemeral models, one built on the other: inlined as subqueries, since 18.16 has no CTEs to inject them as.
        project.Write("models/valid_readings.sql", """
            {{ config(materialized='ephemeral') }}
            select * from {{ ref('stg_readings') }} where reading is not null
            """);
        project.Write("models/daily_readings.sql", """
            {{ config(materialized='ephemeral') }}
            select vehicle, day, reading from {{ ref('valid_readings') }}
            """);
        project.Write("models/vehicle_daily.sql", """
            {{ config(materialized='table', engine='MergeTree()', order_by=['vehicle', 'day'], partition_by='toYYYYMM(day)') }}
            select assumeNotNull(vehicle) as vehicle, assumeNotNull(day) as day, count(*) as readings, sum(reading) as total
            from {{ ref('daily_readings') }} as readings
            group by vehicle, day
            """);
        project.Write("models/readings_log.sql", """
            {{ config(materialized='incremental', incremental_strategy='append', order_by='id') }}
            select assumeNotNull(id) as id, vehicle, reading from {{ ref('stg_readings') }}
            {% if is_incremental() %} where id > (select max(id) from {{ this }}) {% endif %}
            """);
        project.Write("models/latest_reading.sql", """
            {{ config(materialized='incremental', unique_key='vehicle', order_by='vehicle') }}
            select assumeNotNull(vehicle) as vehicle, argMax(reading, id) as reading, max(id) as last_id
            from {{ ref('stg_readings') }}
            {% if is_incremental() %} where id > (select max(last_id) from {{ this }}) {% endif %}
            group by vehicle
            """);
        project.Write("models/keyed.sql", """
            {{ config(materialized='incremental', unique_key='id') }}
            select id, reading from {{ ref('stg_readings') }}
            {% if is_incremental() %} where id > (select max(id) from {{ this }})
            {% else %} union all select CAST(NULL AS Nullable(Int32)) as id, CAST(0 AS Nullable(Float64)) as reading {% endif %}
            """);
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: vehicle_daily
                columns:
                  - name: vehicle
                    tests: [not_null]
              - name: latest_reading
                columns:
                  - name: vehicle
                    tests:
                      - unique
                      - not_null
                      - accepted_values: { values: ['VAN-01', 'VAN-02', 'BUS-07'] }
                      - relationships: { to: "ref('stg_readings')", field: vehicle }
            """);
        return project;
    }

    [Fact]
    public async Task A_project_builds_tables_by_their_layout_and_grows_incrementally()
    {
        await using var project = Project();

        var first = await project.RunAsync(DbtCommand.Build);

        Assert.True(first.Succeeded, string.Join("\n", first.Results.Where(r => r.Status is NodeStatus.Error or NodeStatus.Fail).Select(r => $"{r.Name}: {r.Message}")));
        Assert.Equal(30m, await project.NumberAsync("select count() from {schema}.stg_readings"));
        Assert.Equal(30m, await project.NumberAsync("select sum(readings) from {schema}.vehicle_daily"));
        Assert.Equal(30m, await project.NumberAsync("select count() from {schema}.readings_log"));
        Assert.Equal(3m, await project.NumberAsync("select count() from {schema}.latest_reading"));
        Assert.Equal(30m, await project.NumberAsync("select max(last_id) from {schema}.latest_reading"));
        Assert.Equal(31m, await project.NumberAsync("select count() from {schema}.keyed"));
        var layout = (string?)await project.ScalarAsync("select engine_full from system.tables where database = '{schema}' and name = 'vehicle_daily'");
        Assert.Contains("PARTITION BY toYYYYMM(day) ORDER BY (vehicle, day)", layout, StringComparison.Ordinal);
        Assert.Equal("View", await project.ScalarAsync("select engine from system.tables where database = '{schema}' and name = 'stg_readings'"));
        using (var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(project.Path_("target", "manifest.json"))))
        {
            // A ClickHouse name has two parts: the database is the schema.
            Assert.Equal($"`{project.Schema}`.`vehicle_daily`", manifest.RootElement.GetProperty("nodes").GetProperty("model.fleet.vehicle_daily").GetProperty("relation_name").GetString());
        }


        // Five more days: the log appends only the new rows, and each vehicle's latest reading is replaced, not repeated.
        project.Write("seeds/raw_readings.csv", Readings(15));
        var second = await project.RunAsync(DbtCommand.Build);

        Assert.True(second.Succeeded, string.Join("\n", second.Results.Where(r => r.Status is NodeStatus.Error or NodeStatus.Fail).Select(r => $"{r.Name}: {r.Message}")));
        Assert.Equal(45m, await project.NumberAsync("select count() from {schema}.readings_log"));
        Assert.Equal(45m, await project.NumberAsync("select count(distinct id) from {schema}.readings_log"));
        Assert.Equal(3m, await project.NumberAsync("select count() from {schema}.latest_reading"));
        Assert.Equal(45m, await project.NumberAsync("select max(last_id) from {schema}.latest_reading"));
        // delete+insert keeps a row whose key is NULL, as a DELETE ... WHERE key IN (...) would.
        Assert.Equal(46m, await project.NumberAsync("select count() from {schema}.keyed"));
        Assert.Equal(1m, await project.NumberAsync("select count() from {schema}.keyed where id is null"));
        Assert.Equal(45m, await project.NumberAsync("select sum(readings) from {schema}.vehicle_daily"));
        Assert.Contains("ORDER BY vehicle", (string?)await project.ScalarAsync("select engine_full from system.tables where database = '{schema}' and name = 'latest_reading'"), StringComparison.Ordinal);

        // The generic tests can fail there too: a vehicle the readings do not know, and a value outside the list.
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: vehicle_daily
                columns:
                  - name: vehicle
                    tests:
                      - accepted_values: { values: ['VAN-01', 'VAN-02'] }
                      - relationships: { to: "ref('readings_log')", field: "concat(vehicle, 'x')" }
            """);
        var failing = await project.RunAsync(DbtCommand.Test, "vehicle_daily");
        Assert.True(2 == failing.Results.Count(r => r.Status == NodeStatus.Fail), string.Join("\n", failing.Results.Select(r => $"{r.Name} {r.Status} {r.Message}")));
        Assert.Contains(failing.Results, r => r.Name.StartsWith("accepted_values", StringComparison.Ordinal) && r.Failures == 1);
        Assert.Contains(failing.Results, r => r.Name.StartsWith("relationships", StringComparison.Ordinal) && r.Failures == 45);
        await using var warehouse = project.OpenWarehouse();
        Assert.DoesNotContain(await warehouse.ListRelationsAsync(project.Schema, TestContext.Current.CancellationToken), r => r.Name.Contains("__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_snapshot_is_refused_with_the_reason_and_the_way_around_it()
    {
        await using var project = Project();
        project.Write("snapshots/readings_snapshot.sql", """
            {% snapshot readings_snapshot %}
            {{ config(target_schema=target.schema, unique_key='id', strategy='check', check_cols=['reading']) }}
            select id, reading from {{ ref('stg_readings') }}
            {% endsnapshot %}
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        var snapshot = Assert.Single(summary.Results, r => r.Name == "readings_snapshot");
        Assert.Equal(NodeStatus.Error, snapshot.Status);
        Assert.Contains("one transaction, which ClickHouse does not have", snapshot.Message, StringComparison.Ordinal);
        Assert.Contains("incremental model", snapshot.Message, StringComparison.Ordinal);
    }
}

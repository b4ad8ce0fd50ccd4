using System.Globalization;
using System.Text.Json;

namespace Millwright.Modeling.Tests.Execution;

/// <summary>Source freshness against warn_after and error_after, on each engine.</summary>
public abstract class FreshnessTests(Engine engine)
{
    [Fact]
    public async Task Each_source_table_passes_warns_or_errors_by_its_newest_row_and_sources_json_is_written()
    {
        await using var project = TestProject.Create("shop", engine);
        string Rows(params double[] hoursAgo) => "id,loaded_at\n" + string.Join("", hoursAgo.Select((h, i) =>
            $"{i + 1},{DateTime.UtcNow.AddHours(-h).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}\n"));
        project.Write("seeds/fresh_rows.csv", Rows(30, 0.2));
        project.Write("seeds/late_rows.csv", Rows(50, 2));
        project.Write("seeds/stale_rows.csv", Rows(9, 5));
        project.Write("seeds/untimed_rows.csv", Rows(1));
        project.Write("models/sources.yml", """
            version: 2
            sources:
              - name: landing
                schema: "{{ target.schema }}"
                loaded_at_field: loaded_at
                freshness:
                  warn_after: {count: 1, period: hour}
                  error_after: {count: 3, period: hour}
                tables:
                  - name: fresh_rows
                  - name: late_rows
                  - name: stale_rows
                  - name: untimed_rows
                    freshness: null
            """);
        Assert.True((await project.RunAsync(DbtCommand.Seed)).Succeeded);

        var summary = await project.RunAsync(DbtCommand.SourceFreshness);

        var statuses = summary.Results.ToDictionary(r => r.Name, r => r.Status);
        Assert.Equal(3, statuses.Count);
        Assert.Equal(NodeStatus.Pass, statuses["fresh_rows"]);
        Assert.Equal(NodeStatus.Warn, statuses["late_rows"]);
        Assert.Equal(NodeStatus.Fail, statuses["stale_rows"]);
        Assert.Contains("ERROR STALE", summary.Results.Single(r => r.Name == "stale_rows").Message, StringComparison.Ordinal);

        Artifacts.ArtifactSchemas.AssertValid("sources.v1.json", project.Path_("target", "sources.json"));
        using var json = JsonDocument.Parse(File.ReadAllText(project.Path_("target", "sources.json")));
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToDictionary(e => e.GetProperty("unique_id").GetString()!, e => e);
        Assert.Equal("warn", results["source.shop.landing.late_rows"].GetProperty("status").GetString());
        var ago = results["source.shop.landing.late_rows"].GetProperty("max_loaded_at_time_ago_in_s").GetDouble();
        Assert.InRange(ago, 2 * 3600 - 120, 2 * 3600 + 600);
        Assert.Equal(1, results["source.shop.landing.stale_rows"].GetProperty("criteria").GetProperty("warn_after").GetProperty("count").GetInt32());

        var selected = await project.RunAsync(DbtCommand.SourceFreshness, project.Options("source:landing.fresh_rows"));
        Assert.Equal("fresh_rows", Assert.Single(selected.Results).Name);
    }
}

public sealed class DuckDbFreshnessTests() : FreshnessTests(Engine.DuckDb);

public sealed class PostgresFreshnessTests() : FreshnessTests(Engine.Postgres);

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Source freshness: for each selected source table with a loaded_at_field and a freshness policy, the newest
/// loaded_at value is compared with warn_after and error_after; results go to target/sources.json.
/// </summary>
internal static class Freshness
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<List<NodeResult>> CheckAsync(DbtRuntime runtime, IWarehouse warehouse, IReadOnlyList<ManifestNode> sources, string targetPath, Action<NodeResult> report, CancellationToken cancellationToken)
    {
        var checkable = sources.Where(s => s.Source!.LoadedAtField is not null && s.Config.Get("freshness") is PyDict).ToList();
        var results = new List<NodeResult>();
        var rows = new List<Dictionary<string, object?>>();
        var index = 0;
        foreach (var node in checkable)
        {
            index++;
            var clock = Stopwatch.StartNew();
            var policy = (PyDict)node.Config.Get("freshness")!;
            var warnAfter = Period(policy.Get("warn_after"));
            var errorAfter = Period(policy.Get("error_after"));
            var filter = policy.Get("filter") as string;
            var relation = warehouse.Dialect.Render(new RelationName(node.Schema, node.Alias));
            var sql = $"select max({node.Source!.LoadedAtField}) as max_loaded_at from {relation}{(filter is null ? "" : $" where {filter}")}";
            var now = runtime.RunStartedAt;
            NodeResult result;
            DateTime? maxLoadedAt = null;
            try
            {
                var value = await warehouse.QueryScalarAsync(sql, cancellationToken).ConfigureAwait(false);
                maxLoadedAt = value switch
                {
                    DateTime dt => dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc),
                    DateTimeOffset dto => dto.UtcDateTime,
                    DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                    _ => null,
                };
                var display = $"{node.Source.SourceName}.{node.Source.TableName}";
                if (maxLoadedAt is null)
                {
                    result = new NodeResult(node.UniqueId, node.Name, "source", display, NodeStatus.Fail, $"{display} has no rows with {node.Source.LoadedAtField}", clock.Elapsed, index, checkable.Count);
                }
                else
                {
                    var age = now - maxLoadedAt.Value;
                    var (status, message) = errorAfter is { } e && age > e
                        ? (NodeStatus.Fail, $"ERROR STALE: last loaded {Ago(age)} ago, more than {Describe(policy.Get("error_after"))}")
                        : warnAfter is { } w && age > w
                            ? (NodeStatus.Warn, $"WARN: last loaded {Ago(age)} ago, more than {Describe(policy.Get("warn_after"))}")
                            : (NodeStatus.Pass, $"PASS: last loaded {Ago(age)} ago");
                    result = new NodeResult(node.UniqueId, node.Name, "source", display, status, message, clock.Elapsed, index, checkable.Count);
                }
            }
            catch (WarehouseException ex)
            {
                result = new NodeResult(node.UniqueId, node.Name, "source", node.Name, NodeStatus.Error, $"Database Error in source {node.Name}\n  {ex.Message}", clock.Elapsed, index, checkable.Count);
            }

            results.Add(result);
            report(result);
            rows.Add(new Dictionary<string, object?>
            {
                ["unique_id"] = node.UniqueId,
                ["status"] = result.Status switch { NodeStatus.Pass => "pass", NodeStatus.Warn => "warn", NodeStatus.Fail => "error", _ => "runtime error" },
                ["max_loaded_at"] = maxLoadedAt?.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["snapshotted_at"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["max_loaded_at_time_ago_in_s"] = maxLoadedAt is null ? null : Math.Round((now - maxLoadedAt.Value).TotalSeconds, 3),
                ["criteria"] = new Dictionary<string, object?> { ["warn_after"] = Plain(policy.Get("warn_after")), ["error_after"] = Plain(policy.Get("error_after")), ["filter"] = filter },
                ["message"] = result.Message,
                ["execution_time"] = Math.Round(result.Duration.TotalSeconds, 6),
                ["thread_id"] = "Thread-1",
            });
        }

        var document = new Dictionary<string, object?>
        {
            ["metadata"] = new Dictionary<string, object?>
            {
                ["dbt_schema_version"] = "https://millwright.dev/schemas/modeling/sources/v1.json",
                ["dbt_version"] = DbtRuntime.DbtVersion,
                ["generator"] = "millwright",
                ["generated_at"] = runtime.RunStartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["invocation_id"] = runtime.InvocationId,
            },
            ["results"] = rows,
            ["elapsed_time"] = results.Sum(r => r.Duration.TotalSeconds),
        };
        await File.WriteAllTextAsync(Path.Combine(targetPath, "sources.json"), JsonSerializer.Serialize(document, Indented), cancellationToken).ConfigureAwait(false);
        return results;
    }

    public static TimeSpan? Period(object? value)
    {
        if (value is not PyDict d || d.Get("count") is null || d.Get("period") is null)
        {
            return null;
        }

        var count = Py.ToDouble(d.Get("count"));
        return Py.Str(d.Get("period")) switch
        {
            "minute" => TimeSpan.FromMinutes(count),
            "hour" => TimeSpan.FromHours(count),
            "day" => TimeSpan.FromDays(count),
            var other => throw new ModelingException($"freshness period '{other}' is not one of minute, hour, day"),
        };
    }

    private static Dictionary<string, object?>? Plain(object? value) =>
        value is PyDict d ? new Dictionary<string, object?> { ["count"] = d.Get("count") is { } c ? Py.ToLong(c) : null, ["period"] = d.Get("period") as string } : null;

    private static string Describe(object? value) => value is PyDict d ? $"{Py.Str(d.Get("count"))} {Py.Str(d.Get("period"))}(s)" : "";

    private static string Ago(TimeSpan age) => age.TotalHours >= 48
        ? $"{age.TotalDays:0.#} days"
        : age.TotalMinutes >= 120 ? $"{age.TotalHours:0.#} hours" : $"{Math.Max(0, age.TotalMinutes):0} minutes";
}

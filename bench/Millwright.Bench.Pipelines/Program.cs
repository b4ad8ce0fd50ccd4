using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using Millwright.Operations.Data;
using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines;
using Millwright.Simulation;
using Millwright.Workspace;

// Usage: Millwright.Bench.Pipelines [SCALE] [DAYS]
// A simulated history (500 vehicles at scale 1, their workshops, the plant, the shop's files) goes through every shipped
// pipeline twice: the full build, then the build after one more simulated day. Each build is two runs: the loads
// (extraction of the operational store, files, data sets) and the dbt models with their tests and data-quality checks.
// Between the two runs the warehouse file is copied, and DuckDB alone then runs the same compiled SQL of every model and
// test on the copy, in the same order, on one connection held open: the engine's own floor for the modeling work.
var scale = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;
var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 365;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Command: bench/run-pipelines.sh {scale} {days}"));
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
var root = Directory.CreateTempSubdirectory("mw-bench-pipelines-").FullName;
try
{
    var layout = WorkspaceLayout.Init(Path.Combine(root, "ws")).Workspace;
    var datasets = Millwright.Ingestion.Datasets.PublicDatasets.Locate(Directory.GetCurrentDirectory(), Environment.GetEnvironmentVariable);
    if (datasets is not null)
    {
        Environment.SetEnvironmentVariable(Millwright.Ingestion.Datasets.PublicDatasets.Variable, datasets);
    }

    foreach (var template in PipelineTemplates.Workspace.Where(t => t != "quality" || datasets is not null))
    {
        PipelineTemplates.Create(layout.PipelinesDirectory, template, template);
    }

    var settings = SettingsLoader.Load(layout);
    Console.WriteLine($"pipelines: {string.Join(", ", Directory.GetDirectories(layout.PipelinesDirectory).Select(Path.GetFileName).Order())}; data sets: {datasets ?? "none"}");

    // The history runs at once; the simulator then waits on this clock before the first event of the extra day.
    var clock = new GateClock(DateTimeOffset.UtcNow);
    var watch = Stopwatch.StartNew();
    var simulation = Simulator.RunAsync(at => OperationsStore.Sqlite(settings.Settings.Operations.Path!, at), new SimulationOptions
    {
        Seed = 42,
        Scale = scale,
        Days = days,
        Start = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        OutputDirectory = layout.Resolve(Path.Combine("landing", "simulated")),
        Follow = true,
        FollowFor = TimeSpan.FromDays(1),
        RealTime = clock,
    });
    if (await Task.WhenAny(clock.Waiting, simulation) == simulation)
    {
        await simulation;
        throw new InvalidOperationException("the simulation ended before its extra day");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated {days} days at scale {scale} in {watch.Elapsed.TotalSeconds:0.0} s"));

    var full = await BuildAsync("full", settings, Path.Combine(root, "full"));
    clock.Advance(TimeSpan.FromDays(2));
    var summary = await simulation;
    Console.WriteLine($"simulated one more day: {summary.End:yyyy-MM-dd}");
    var incremental = await BuildAsync("incremental (one new day)", settings, Path.Combine(root, "incremental"));

    Console.WriteLine();
    Console.WriteLine("| build | loads run s | models run s (dbt build + tests + data quality) | DuckDB alone, same SQL s | models / DuckDB alone | nodes | raw rows |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var b in new[] { full, incremental })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {b.Name} | {b.LoadSeconds:0.0} | {b.ModelSeconds:0.0} | {b.AloneSeconds:0.0} | {b.ModelSeconds / b.AloneSeconds:0.0}x | {b.Nodes:N0} | {b.RawRows:N0} |"));
    }

    Console.WriteLine();
    Console.WriteLine("Steps of each build (seconds):");
    foreach (var b in new[] { full, incremental })
    {
        Console.WriteLine($"  {b.Name}: " + string.Join(", ", b.Steps.OrderByDescending(s => s.Value).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value:0.0}"))));
    }

    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(root, recursive: true);
}

static async Task<Build> BuildAsync(string name, LoadedSettings settings, string copies)
{
    await using var orchestration = await WorkspaceOrchestration.OpenAsync(settings);
    var loads = await orchestration.Orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*", Exclude = "kind:dbt" });
    await CheckAsync(orchestration.Storage, loads, "loads");

    // The warehouse as the models find it, for DuckDB alone.
    Directory.CreateDirectory(copies);
    var warehouse = settings.Settings.Warehouse.Path!;
    var copy = Path.Combine(copies, Path.GetFileName(warehouse));
    File.Copy(warehouse, copy);
    var rawRows = 0L;
    foreach (var relation in await orchestration.Pipelines.Warehouse.ListRelationsAsync("raw"))
    {
        rawRows += Convert.ToInt64(await orchestration.Pipelines.Warehouse.QueryScalarAsync($"select count(*) from raw.\"{relation.Name}\""), CultureInfo.InvariantCulture);
    }

    var models = await orchestration.Orchestrator.MaterializeAsync(new LaunchRequest { Selection = "kind:dbt" });
    await CheckAsync(orchestration.Storage, models, "models");
    var steps = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var run in new[] { loads, models })
    {
        foreach (var e in await orchestration.Storage.GetRunEventsAsync(run.RunId, 0, 1_000_000, CancellationToken.None))
        {
            if (e.Type == "STEP_SUCCESS" && e.Data is { } data && e.StepKey is { } step)
            {
                var kind = step.Contains(':', StringComparison.Ordinal) ? step : "ingest files";
                steps[kind] = steps.GetValueOrDefault(kind) + (JsonDocument.Parse(data).RootElement.GetProperty("duration_ms").GetDouble() / 1000);
            }
        }
    }

    var (alone, nodes) = await DuckDbAloneAsync(copy, settings.Workspace.PipelinesDirectory);
    var result = new Build(name, Seconds(loads), Seconds(models), alone, nodes, rawRows, steps);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: loads {result.LoadSeconds:0.0} s, models {result.ModelSeconds:0.0} s, DuckDB alone {alone:0.0} s for {nodes} nodes"));
    return result;
}

static async Task CheckAsync(IOrchestrationStorage storage, RunRecord run, string what)
{
    if (run.Status != RunStatus.Success)
    {
        var errors = (await storage.GetRunEventsAsync(run.RunId, 0, 1_000_000, CancellationToken.None)).Where(e => e.Level == "error").Select(e => $"{e.Type} {e.AssetKey}: {e.Message}");
        throw new InvalidOperationException($"the {what} run {run.RunId} ended {run.Status}: {run.Error}\n  " + string.Join("\n  ", errors));
    }
}

static double Seconds(RunRecord run) => (run.EndedAt!.Value - run.StartedAt!.Value).TotalSeconds;

// Every model, seed and test of each project's last build, in the order it ran, as plain SQL on one open connection.
static async Task<(double Seconds, int Nodes)> DuckDbAloneAsync(string database, string pipelines)
{
    var statements = new List<string>();
    foreach (var project in Directory.GetDirectories(pipelines).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, "target", "run_results.json"))))
    {
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(project, "target", "manifest.json")));
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(project, "target", "run_results.json")));
        var nodes = manifest.RootElement.GetProperty("nodes");
        foreach (var result in results.RootElement.GetProperty("results").EnumerateArray())
        {
            var id = result.GetProperty("unique_id").GetString()!;
            if (!nodes.TryGetProperty(id, out var node))
            {
                continue;
            }

            var config = node.GetProperty("config");
            var relation = $"\"{node.GetProperty("schema").GetString()}\".\"{node.GetProperty("alias").GetString()}\"";
            var code = result.TryGetProperty("compiled_code", out var compiled) ? compiled.GetString() ?? "" : "";
            switch (node.GetProperty("resource_type").GetString())
            {
                case "test":
                    statements.Add($"select count(*) from ({code}) as failures");
                    break;
                case "seed":
                    statements.Add($"create schema if not exists \"{node.GetProperty("schema").GetString()}\"");
                    statements.Add($"create or replace table {relation} as select * from read_csv('{Path.Combine(project, node.GetProperty("original_file_path").GetString()!)}', header = true)");
                    break;
                case "model":
                    var materialized = config.GetProperty("materialized").GetString();
                    statements.Add($"create schema if not exists \"{node.GetProperty("schema").GetString()}\"");
                    if (materialized == "incremental" && IsIncrementalRun(result))
                    {
                        statements.Add($"create or replace temp table incoming as {code}");
                        if (config.TryGetProperty("unique_key", out var key) && key.ValueKind == JsonValueKind.String)
                        {
                            statements.Add($"delete from {relation} where \"{key.GetString()}\" in (select \"{key.GetString()}\" from incoming)");
                        }

                        statements.Add($"insert into {relation} by name select * from incoming");
                    }
                    else if (materialized == "view")
                    {
                        statements.Add($"create or replace view {relation} as {code}");
                    }
                    else if (materialized != "ephemeral")
                    {
                        statements.Add($"create or replace table {relation} as {code}");
                    }

                    break;
            }
        }
    }

    using var connection = new DuckDBConnection($"Data Source={database}");
    connection.Open();
    var watch = Stopwatch.StartNew();
    var nodesRun = 0;
    foreach (var sql in statements)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await command.ExecuteNonQueryAsync();
        }
        catch (DuckDBException e)
        {
            throw new InvalidOperationException($"DuckDB alone failed on: {sql[..Math.Min(sql.Length, 300)]}: {e.Message}", e);
        }

        nodesRun += sql.StartsWith("create schema", StringComparison.Ordinal) || sql.StartsWith("delete", StringComparison.Ordinal) || sql.StartsWith("insert", StringComparison.Ordinal) ? 0 : 1;
    }

    return (watch.Elapsed.TotalSeconds, nodesRun);
}

// An incremental model's compiled code reads its own table only on an incremental build (is_incremental()).
static bool IsIncrementalRun(JsonElement result) =>
    result.GetProperty("compiled_code").GetString() is { } code && result.GetProperty("relation_name").GetString() is { } relation && code.Contains(relation, StringComparison.Ordinal);

internal sealed record Build(string Name, double LoadSeconds, double ModelSeconds, double AloneSeconds, int Nodes, long RawRows, Dictionary<string, double> Steps);

/// <summary>A fake clock that says when something first waits on it.</summary>
internal sealed class GateClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Waiting => _waiting.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _waiting.TrySetResult();
        return timer;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Millwright.Orchestration;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines;
using Millwright.Warehouse;

// Usage: Millwright.Bench.Orchestration [ASSETS_IN_RUN] [ASSETS_DEFINED] [BACKFILL_PARTITIONS]
// PostgreSQL runs too when MILLWRIGHT_TEST_PG holds a connection string (bench/run-orchestration.sh starts a throwaway cluster).
var runAssets = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var defined = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var partitions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3000;
var pg = Environment.GetEnvironmentVariable("MILLWRIGHT_TEST_PG");
var root = Directory.CreateTempSubdirectory("mw-bench-orch-").FullName;
Console.WriteLine($"Command: bench/run-orchestration.sh {runAssets} {defined} {partitions}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

try
{
    // 1. Definition loading.
    Console.WriteLine($"\n## Definition loading: {defined:N0} assets\n\n| how | seconds |\n|---|---:|");
    for (var attempt = 1; attempt <= 2; attempt++)
    {
        var clock = Stopwatch.StartNew();
        var definitions = Layered(defined, width: 50);
        Console.WriteLine($"| C# builder, validated graph, {(attempt == 1 ? "cold (JIT)" : "warm")} | {clock.Elapsed.TotalSeconds:0.000} |");
        if (definitions.TopologicalOrder.Count != defined)
        {
            throw new InvalidOperationException("wrong asset count");
        }
    }

    var pipelines = Path.Combine(root, "pipelines");
    WritePipeline(Path.Combine(pipelines, "big"), defined, width: 50);
    for (var attempt = 1; attempt <= 2; attempt++)
    {
        var clock = Stopwatch.StartNew();
        await using var loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(pipelines, WarehouseOptions.DuckDb(Path.Combine(root, "warehouse.duckdb"))));
        Console.WriteLine($"| pipeline.yml with {defined:N0} SQL assets (YAML, templates, checks), {(attempt == 1 ? "cold (JIT)" : "warm")} | {clock.Elapsed.TotalSeconds:0.000} |");
        if (loaded.Definitions.TopologicalOrder.Count != defined)
        {
            throw new InvalidOperationException("wrong asset count");
        }
    }

    // 2. One run of trivial assets, and 3. backfill submission, per storage.
    var stores = new List<(string Name, Func<Task<IOrchestrationStorage>> Open)>
    {
        ("sqlite", async () =>
        {
            var storage = OrchestrationStores.Sqlite(Path.Combine(root, $"state-{Guid.NewGuid():N}.db"));
            await storage.InitializeAsync(CancellationToken.None);
            return storage;
        }),
    };
    if (!string.IsNullOrEmpty(pg))
    {
        stores.Add(("postgres", async () =>
        {
            var storage = OrchestrationStores.Postgres(pg, "bench_" + Guid.NewGuid().ToString("N")[..10]);
            await storage.InitializeAsync(CancellationToken.None);
            return storage;
        }));
    }

    Console.WriteLine($"\n## One run of {runAssets:N0} trivial assets (50 layers, each asset depends on 2 of the layer above)\n");
    Console.WriteLine("| storage | run | start-up ms (submit to first asset) | total s | per-asset overhead ms | storage floor ms/asset (3 events appended alone) | ratio |\n|---|---|---:|---:|---:|---:|---:|");
    foreach (var (name, open) in stores)
    {
        await using var storage = await open();
        var floor = await EventFloorAsync(storage, runAssets);
        foreach (var (label, parallel) in new[] { ("cold (JIT), 2 parallel steps", 2), ("warm, 2 parallel steps", 2), ("warm, 1 step at a time", 1) })
        {
            var firstStart = TimeSpan.Zero;
            var clock = new Stopwatch();
            var started = 0;
            var definitions = Layered(runAssets, width: 50, _ =>
            {
                if (Interlocked.Increment(ref started) == 1)
                {
                    firstStart = clock.Elapsed;
                }

                return Task.CompletedTask;
            });
            await using var orchestrator = new Orchestrator(definitions, storage, new OrchestratorOptions { MaxParallelSteps = parallel });
            clock.Start();
            var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" });
            clock.Stop();
            if (run.Status != RunStatus.Success || started != runAssets)
            {
                throw new InvalidOperationException($"run {run.Status}: {run.Error}");
            }

            var perAsset = (clock.Elapsed - firstStart).TotalMilliseconds / runAssets;
            Console.WriteLine($"| {name} | {label} | {firstStart.TotalMilliseconds:0.0} | {clock.Elapsed.TotalSeconds:0.000} | {perAsset:0.000} | {floor:0.000} | {perAsset / floor:0.0}x |");
        }
    }

    Console.WriteLine($"\n## Backfill submission: {partitions:N0} daily partitions\n");
    Console.WriteLine("| storage | path | seconds | runs/s | ratio to storage floor |\n|---|---|---:|---:|---:|");
    foreach (var (name, open) in stores)
    {
        await using var storage = await open();
        var defs = Definitions.Builder()
            .Asset("daily", _ => Task.CompletedTask, a => a.Partitions(new TimeWindowPartitions(PartitionCadence.Daily, DateTime.UtcNow.Date.AddDays(-partitions))))
            .Build();
        await using var orchestrator = new Orchestrator(defs, storage);

        // The storage's own limit: the same number of run rows inserted in one transaction, no validation, no events.
        var now = DateTimeOffset.UtcNow;
        var raw = Enumerable.Range(0, partitions).Select(i => new RunRecord { RunId = Guid.NewGuid().ToString("N"), Assets = ["daily"], CreatedAt = now, PartitionKey = i.ToString(CultureInfo.InvariantCulture) }).ToList();
        var floorClock = Stopwatch.StartNew();
        await storage.AddRunsAsync(raw, CancellationToken.None);
        var floorRate = partitions / floorClock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {name} | storage floor: {partitions:N0} run rows in one transaction | {floorClock.Elapsed.TotalSeconds:0.000} | {floorRate:N0} | 1.00x |");

        var backfill = await orchestrator.BackfillAsync("daily", null, null, null);
        var clock = Stopwatch.StartNew();
        var submitted = 0;
        while (submitted < backfill.Partitions.Count)
        {
            var current = (await storage.GetBackfillAsync(backfill.Id, CancellationToken.None))!;
            submitted += await orchestrator.SubmitBackfillRunsAsync(current, 1000);
        }

        var rate = submitted / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {name} | backfill submission (validated runs + RUN_QUEUED events, 1,000 per transaction) | {clock.Elapsed.TotalSeconds:0.000} | {rate:N0} | {rate / floorRate:0.00}x |");
    }

    Console.WriteLine("\nRerun: bench/run-orchestration.sh " + string.Join(' ', runAssets, defined, partitions));
}
finally
{
    Directory.Delete(root, recursive: true);
}

// A layered DAG: `count` assets in layers of `width`, each depending on two assets of the layer above.
static Definitions Layered(int count, int width, AssetCompute? compute = null)
{
    var builder = Definitions.Builder();
    for (var i = 0; i < count; i++)
    {
        var layer = i / width;
        var deps = layer == 0 ? [] : new AssetKey[] { $"a{((layer - 1) * width) + (i % width)}", $"a{((layer - 1) * width) + ((i + 1) % width)}" };
        builder.Asset($"a{i}", compute ?? (_ => Task.CompletedTask), a => a.DependsOn(deps).Group($"layer{layer}"));
    }

    return builder.Build();
}

static void WritePipeline(string folder, int count, int width)
{
    Directory.CreateDirectory(folder);
    var yaml = new StringBuilder("assets:\n");
    for (var i = 0; i < count; i++)
    {
        var layer = i / width;
        yaml.Append(CultureInfo.InvariantCulture, $"  - key: s{layer}/a{i}\n    sql: select {i} as id, {{{{ partition_key }}}} as p\n");
        if (layer > 0)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    deps: [s{layer - 1}/a{((layer - 1) * width) + (i % width)}]\n");
        }

        if (i % 10 == 0)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    checks:\n      - name: not_empty\n        sql: select 1 where (select count(*) from s{layer}.a{i}) = 0\n");
        }
    }

    File.WriteAllText(Path.Combine(folder, "pipeline.yml"), yaml.ToString());
}

// What the storage alone needs per asset: three events (step start, materialization, step success) appended in batches of 100.
static async Task<double> EventFloorAsync(IOrchestrationStorage storage, int assets)
{
    var now = DateTimeOffset.UtcNow;
    var events = Enumerable.Range(0, assets * 3).Select(i => new EventRecord { RunId = "floor", Timestamp = now, Type = i % 3 == 1 ? EventTypes.Materialization : EventTypes.Log, AssetKey = i % 3 == 1 ? $"floor{i}" : null, Message = "x", Data = "{\"duration_ms\":0.1}" }).ToList();
    var clock = Stopwatch.StartNew();
    foreach (var chunk in events.Chunk(300))
    {
        await storage.AppendEventsAsync(chunk, CancellationToken.None);
    }

    return clock.Elapsed.TotalMilliseconds / assets;
}

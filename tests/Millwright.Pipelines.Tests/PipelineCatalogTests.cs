using Millwright.Orchestration;
using Millwright.Orchestration.Daemon;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests;

public sealed class PipelineCatalogTests : IDisposable
{
    private readonly PlantWorkspace _workspace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _workspace.Dispose();

    private Task<LoadedPipelines> LoadAsync() =>
        PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath)), Ct);

    [Fact]
    public async Task A_pipeline_and_its_dbt_project_form_one_asset_graph()
    {
        _workspace.Write("models/marts/machine_torque.sql", """
            {{ config(alias='torque_by_machine') }}
            select machine_id, avg(torque) as avg_torque, count(*) as readings
            from {{ ref('stg_readings') }}
            group by machine_id
            """);
        await using var loaded = await LoadAsync();
        var defs = loaded.Definitions;

        Assert.Equal(["raw/readings", "stg_readings", "machine_torque"], defs.TopologicalOrder.Select(k => k.Path));
        Assert.Equal(["raw/readings"], defs.Upstream("stg_readings").Select(k => k.Path));
        Assert.Equal(["stg_readings"], defs.Upstream("machine_torque").Select(k => k.Path));
        Assert.Equal("dbt:plant", defs.Owner("machine_torque").Name);
        Assert.Same(defs.Owner("stg_readings"), defs.Owner("machine_torque"));
        Assert.Equal(["team:analytics"], defs.Spec("stg_readings").Owners);
        Assert.Equal("One row per reading", defs.Spec("stg_readings").Description);
        Assert.Contains("dbt", defs.Spec("machine_torque").Kinds);
        Assert.Equal(["not_null_stg_readings_machine_id", "unique_machine_torque_machine_id"], defs.Owner("stg_readings").Checks.Select(c => c.Name).Order());
        Assert.All(defs.Owner("stg_readings").Checks, c => Assert.True(c.Blocking));
        Assert.Equal(["data_quality", "torque_present"], defs.Owner("raw/readings").Checks.Select(c => c.Name).Order());
        Assert.Equal(["team:reliability"], defs.Spec("raw/readings").Owners);
        Assert.Equal(["landing"], defs.Sensors.Select(s => s.Name));
        Assert.False(Assert.Single(defs.Schedules).RunningByDefault);
        var plant = Assert.Single(loaded.Pipelines);
        Assert.Equal(("plant", 3, 1, 1), (plant.Name, plant.Assets, plant.Sensors, plant.Schedules));
        Assert.Equal("Torque readings from the landing zone to per-machine marts", plant.Description);
        Assert.False(File.Exists(Path.Combine(_workspace.Plant, "target", "manifest.json")), "loading leaves the project's docs artifacts alone");
        Assert.Equal(("warehouse", 1), (defs.Owner("stg_readings").Pool, defs.Pools["warehouse"]));

        // The table each asset writes: the SQL asset's from its key, a dbt model's under its alias.
        Assert.Equal(RelationName.Of("raw", "readings"), loaded.Relations["raw/readings"]);
        Assert.Equal("stg_readings", loaded.Relations["stg_readings"].Name);
        Assert.Equal("torque_by_machine", loaded.Relations["machine_torque"].Name);
    }

    [Fact]
    public async Task On_postgres_builds_of_one_dbt_project_still_go_one_at_a_time()
    {
        await using var loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.Postgres(TestPostgres.ConnectionString)), Ct);
        Assert.Equal("dbt:plant", loaded.Definitions.Owner("machine_torque").Pool);
        Assert.Equal(1, loaded.Definitions.Pools["dbt:plant"]);
        Assert.Equal(4, loaded.Definitions.Pools["warehouse"]);
    }

    [Fact]
    public async Task A_dropped_csv_is_picked_up_by_the_file_sensor_and_flows_through_the_dbt_models()
    {
        await using var loaded = await LoadAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage, new OrchestratorOptions { TimeProvider = clock, HeartbeatInterval = TimeSpan.FromMilliseconds(100) });
        var daemon = new OrchestrationDaemon(orchestrator);

        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        var file = _workspace.Drop("2024-05-01.csv", "machine_id,torque\nM1,40.0\nM1,42.0\nM2,55.5\n", clock.GetUtcNow(), TimeSpan.FromSeconds(2));

        // Within one sensor interval of the drop, the daemon submits and launches the run.
        clock.Advance(TimeSpan.FromSeconds(5));
        var pass = await daemon.PassAsync(Ct);
        var runId = Assert.Single(pass.SubmittedRuns);
        Assert.Equal(1, pass.Launched);
        await orchestrator.WhenIdleAsync();

        var run = await storage.GetRunAsync(runId, Ct);
        Assert.Equal(RunStatus.Success, run!.Status);
        Assert.Equal(file, run.Tags["millwright/file"]);
        Assert.Equal(["raw/readings", "stg_readings", "machine_torque"], run.Assets);
        await using (var result = await loaded.Warehouse.QueryAsync("select machine_id, avg_torque, readings from main.machine_torque order by machine_id", Ct))
        {
            var rows = new List<string>();
            while (await result.ReadAsync(Ct))
            {
                rows.Add($"{result.GetValue(0)}:{result.GetValue(1)}:{result.GetValue(2)}");
            }

            Assert.Equal(["M1:41:2", "M2:55.5:1"], rows);
        }

        var assets = (await orchestrator.GetAssetsAsync(Ct)).ToDictionary(a => a.Spec.Key.Path);
        Assert.All(assets.Values, a => Assert.Equal("MATERIALIZED", a.Status));
        Assert.Contains("\"row_count\":3", assets["raw/readings"].Metadata, StringComparison.Ordinal);
        Assert.Contains("plant.stg_readings", assets["stg_readings"].Metadata, StringComparison.Ordinal);
        Assert.Equal(["not_null_stg_readings_machine_id"], assets["stg_readings"].Checks.Where(c => c.Passed).Select(c => c.CheckName));
        Assert.Equal(["data_quality", "torque_present"], assets["raw/readings"].Checks.Where(c => c.Passed).Select(c => c.CheckName).Order());

        // The same file is not loaded twice; a new file is.
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        _workspace.Drop("2024-05-02.csv", "machine_id,torque\nM3,10\n", clock.GetUtcNow(), TimeSpan.FromSeconds(2));
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Single((await daemon.PassAsync(Ct)).SubmittedRuns);
        await orchestrator.WhenIdleAsync();
        Assert.Equal(1L, await loaded.Warehouse.QueryScalarAsync("select count(*) from main.machine_torque", Ct));
    }

    [Fact]
    public async Task A_failing_blocking_check_on_the_load_stops_the_dbt_models()
    {
        await using var loaded = await LoadAsync();
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);
        _workspace.Drop("bad.csv", "machine_id,torque\nM1,\n", DateTimeOffset.UtcNow, TimeSpan.Zero);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/readings+" }, Ct);

        Assert.Equal(RunStatus.Failure, run.Status);
        var events = new List<EventRecord>(await storage.GetRunEventsAsync(run.RunId, 0, 1000, Ct));
        Assert.Contains("torque_present: 1 failing row(s)", events.Single(e => e.CheckName == "torque_present").Message, StringComparison.Ordinal);
        Assert.Equal(["stg_readings", "machine_torque"], events.Where(e => e.Type == EventTypes.AssetSkipped).Select(e => e.AssetKey));
    }

    [Fact]
    public async Task A_dbt_model_failure_is_retried_and_reported_on_that_asset()
    {
        _workspace.Write("models/marts/machine_torque.sql", "select machine_id, avg(torque) from {{ ref('stg_readings') }} group by nonexistent_column");
        _workspace.Write("pipeline.yml", File.ReadAllText(Path.Combine(_workspace.Plant, "pipeline.yml")) + "dbt:\n  retry: {max: 1, delay: 5ms}\n");
        await using var loaded = await LoadAsync();
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);
        _workspace.Drop("ok.csv", "machine_id,torque\nM1,1\n", DateTimeOffset.UtcNow, TimeSpan.Zero);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Failure, run.Status);
        var events = await storage.GetRunEventsAsync(run.RunId, 0, 1000, Ct);
        Assert.Single(events, e => e.Type == EventTypes.StepRetry && e.StepKey == "dbt:plant");
        Assert.All(events.Where(e => e.Type == EventTypes.AssetFailed), e => Assert.Equal("machine_torque", e.AssetKey));
        Assert.Contains(events, e => e.Type == EventTypes.AssetFailed && e.Message.Contains("nonexistent_column", StringComparison.Ordinal));
        Assert.Equal(2, events.Count(e => e.Type == EventTypes.Materialization && e.AssetKey == "stg_readings") + events.Count(e => e.Type == EventTypes.Materialization && e.AssetKey == "raw/readings"));
    }

    [Fact]
    public async Task An_ingest_asset_loads_landed_files_under_their_contract()
    {
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        _workspace.Write("contracts/torque.yml", """
            source: torque
            version: 1
            format: {delimiter: ','}
            max_rejected_fraction: 0.1
            columns:
              - {name: machine_id, type: string, nullable: false}
              - {name: torque, type: double, min: 0}
            """);
        _workspace.Write("pipeline.yml", """
            assets:
              - key: landing/torque
                ingest: {contract: torque, path: landing/*.csv}
              - key: torque_by_machine
                deps: [landing/torque]
                sql: select machine_id, avg(torque) as avg_torque from raw.torque group by 1
            """);
        _workspace.Drop("a.csv", "machine_id,torque\nM1,40\nM2,50\n", DateTimeOffset.UtcNow, TimeSpan.Zero);
        _workspace.Drop("b.csv", "machine_id,torque\nM1,42\n", DateTimeOffset.UtcNow, TimeSpan.Zero);
        await using var loaded = await LoadAsync();
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);
        Assert.True(run.Status == RunStatus.Success, run.Error);
        var asset = (await orchestrator.GetAssetsAsync(Ct)).First(a => a.Spec.Key.Path == "landing/torque");
        Assert.Contains("\"rows_loaded\":3", asset.Metadata, StringComparison.Ordinal);
        Assert.Contains("ingest", asset.Spec.Kinds);
        Assert.Equal(3L, await loaded.Warehouse.QueryScalarAsync("select count(*) from raw.torque", Ct));

        _workspace.Drop("c.csv", "machine_id,torque\n,1\n", DateTimeOffset.UtcNow, TimeSpan.Zero);
        var failed = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "landing/torque" }, Ct);
        Assert.Equal(RunStatus.Failure, failed.Status);
        Assert.Contains("broke contract torque v1", failed.Error, StringComparison.Ordinal);
        Assert.Equal(3L, await loaded.Warehouse.QueryScalarAsync("select count(*) from raw.torque", Ct));
    }

    [Theory]
    [InlineData("assets:\n  - key: x\n    sql: select 1\n    colour: red\n", "pipeline.yml:4:5: assets[0]: unknown key 'colour'")]
    [InlineData("assets:\n  - key: x\n", "pipeline.yml:2:5: assets[0]: asset x needs exactly one of 'sql', 'command', 'ingest', 'ml' or 'external: true'")]
    [InlineData("assets:\n  - key: m\n    ml:\n      train: {task: binary, label: y, features: select 1, parameters: {depth: 3}}\n", "pipeline.yml:4:71: assets[0].ml.train.parameters: model m: unknown parameter 'depth'")]
    [InlineData("assets:\n  - key: m\n    ml:\n      train: {task: guess, label: y, features: select 1}\n", "assets[0].ml.train.task: 'guess' is not binary, multiclass or regression")]
    [InlineData("assets:\n  - key: m\n    ml:\n      train: {task: binary, label: y, features: select 1, targets: {rocauc: 0.9}}\n", "assets[0].ml.train.targets.rocauc: asset m: 'rocauc' is not a metric of a binary model (metrics: roc_auc, f1, pr_auc, accuracy, precision, recall, log_loss)")]
    [InlineData("assets:\n  - key: m\n    ml:\n      predict: {model: m, features: select 1}\n      orders: {threshold: 150}\n", "assets[0].ml.orders.threshold: threshold is a failure probability from 0 to 100")]
    [InlineData("assets:\n  - key: m\n    ml:\n      train: {task: binary, label: y, features: select 1}\n      orders: {threshold: 50}\n", "asset m: 'orders' belongs to a predict asset")]
    [InlineData("assets:\n  - key: x\n    ingest: {contract: nowhere}\n", "asset x: no contract 'nowhere'")]
    [InlineData("assets:\n  - key: x\n    sql: select 1\n    retry: {delay: soon}\n", "pipeline.yml:4:20: assets[0].retry.delay: 'soon' is not a duration")]
    [InlineData("assets:\n  - key: x\n    sql: select 1\n    deps: [nowhere]\n", "asset x depends on nowhere, which is not defined")]
    [InlineData("schedules:\n  - name: s\n    cron: every day\n", "schedule s: 'every day' is not a cron expression")]
    [InlineData("assets:\n  - key: x\n    sql: select 1\n    partitions: {daily: {start: 2024-01-01}}\n", "asset x is partitioned: give 'partition_column'")]
    public async Task A_bad_pipeline_file_names_file_line_and_field(string yaml, string expected)
    {
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        _workspace.Write("pipeline.yml", yaml);
        var e = await Assert.ThrowsAsync<PipelineException>(LoadAsync);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
    }

    [Theory]
    [InlineData("assets: [\n  x\n", "pipeline.yml:4:1: invalid YAML")]
    [InlineData(null, "pipeline.yml:1:264: invalid YAML: nested deeper than 256 levels")]
    public async Task Malformed_or_absurdly_nested_yaml_names_the_file_and_position(string? yaml, string expected)
    {
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        _workspace.Write("pipeline.yml", yaml ?? "assets: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        var e = await Assert.ThrowsAsync<PipelineException>(LoadAsync);
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task Partitioned_sql_assets_replace_only_their_partition_and_command_assets_run_processes()
    {
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        _workspace.Write("pipeline.yml", """
            assets:
              - key: shop/daily_output
                partitions: {daily: {start: 2024-01-01}}
                partition_column: day
                sql: select cast({{ partition_start }} as timestamp) as day, cast(right({{ partition_key }}, 1) as integer) as units
              - key: shop/export
                deps: [shop/daily_output]
                command: echo "exporting $MILLWRIGHT_PARTITION for $MILLWRIGHT_ASSET"
                partitions: {daily: {start: 2024-01-01}}
              - key: shop/fail
                command: ["sh", "-c", "echo broken pipe >&2; exit 3"]
            """);
        await using var loaded = await LoadAsync();
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        foreach (var day in new[] { "2024-01-01", "2024-01-02", "2024-01-02" })
        {
            Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "shop/daily_output+", PartitionKey = day }, Ct)).Status);
        }

        Assert.Equal(3L, await loaded.Warehouse.QueryScalarAsync("select cast(sum(units) as bigint) from shop.daily_output", Ct));
        Assert.Equal(2L, await loaded.Warehouse.QueryScalarAsync("select count(*) from shop.daily_output", Ct));
        var runs = await storage.GetRunsAsync(new RunFilter { Limit = 1 }, Ct);
        var log = (await storage.GetRunEventsAsync(runs[0].RunId, 0, 100, Ct)).Single(e => e.Type == EventTypes.Log && e.StepKey == "shop/export");
        Assert.Equal("exporting 2024-01-02 for shop/export", log.Message);

        var failed = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "shop/fail" }, Ct);
        Assert.Contains("exited with code 3: broken pipe", failed.Error, StringComparison.Ordinal);
    }
}

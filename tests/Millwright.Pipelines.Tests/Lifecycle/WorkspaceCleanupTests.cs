using Millwright.Orchestration;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines.Lifecycle;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests.Lifecycle;

/// <summary>Each retention rule of pipeline.yml, the dry run that changes nothing, and what is never deleted.</summary>
public sealed class WorkspaceCleanupTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-cleanup-").FullName;
    private string Shop => Path.Combine(_root, "pipelines", "shop");
    private string Landing => Path.Combine(Shop, "landing");
    private string Processed => Path.Combine(Landing, "processed");
    private LoadedPipelines _pipelines = null!;
    private IOrchestrationStorage _storage = null!;
    private Orchestrator _orchestrator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(Shop, "contracts"));
        Directory.CreateDirectory(Landing);
        File.WriteAllText(Path.Combine(Shop, "pipeline.yml"), """
            retention: {landing: 7d, temp: 1d, raw_copies: 30d, quarantine: 30d}
            assets:
              - key: raw/orders
                ingest: {contract: orders, path: landing/*.csv}
            """);
        File.WriteAllText(Path.Combine(Shop, "contracts", "orders.yml"), """
            source: orders
            version: 1
            format: {delimiter: ','}
            max_rejected_fraction: 0.5
            columns:
              - {name: order_id, type: integer, nullable: false}
              - {name: amount, type: double, min: 0}
            """);
        _pipelines = await PipelineCatalog.LoadAsync(new PipelineOptions(Path.Combine(_root, "pipelines"), WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb"))) { RawLayerPath = Path.Combine(_root, "raw") }, Ct);
        _storage = OrchestrationStores.Sqlite(Path.Combine(_root, "orchestration.db"));
        await _storage.InitializeAsync(Ct);
        _orchestrator = new Orchestrator(_pipelines.Definitions, _storage);
    }

    public async ValueTask DisposeAsync()
    {
        await _orchestrator.DisposeAsync();
        await _storage.DisposeAsync();
        await _pipelines.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<string> LoadAsync(string name, string csv)
    {
        File.WriteAllText(Path.Combine(Landing, name), csv);
        var run = await _orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/orders" }, Ct);
        Assert.Equal(RunStatus.Success, run.Status);
        return (string)(await _pipelines.Warehouse.QueryScalarAsync($"select load_id from ingest.loads where file like '%{name}' order by started_at desc limit 1", Ct))!;
    }

    private static void Age(string path, TimeSpan age) => File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await _pipelines.Warehouse.QueryScalarAsync(sql, Ct), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Old_processed_files_temp_files_raw_copies_and_quarantine_go_and_the_dry_run_changes_nothing()
    {
        var old = await LoadAsync("a.csv", "order_id,amount\n1,10\n2,-5\n");
        var latest = await LoadAsync("b.csv", "order_id,amount\n3,7\n");

        // Loaded files moved to landing/processed/; make a.csv and its load old, b.csv and its load stay recent.
        Assert.Equal(["a.csv", "b.csv"], Directory.GetFiles(Processed).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFiles(Landing, "*.csv"));
        Age(Path.Combine(Processed, "a.csv"), TimeSpan.FromDays(10));
        await _pipelines.Warehouse.ExecuteAsync($"update ingest.loads set started_at = started_at - interval 40 day where load_id = '{old}'", Ct);
        Directory.CreateDirectory(Path.Combine(Shop, "temp", "work"));
        File.WriteAllText(Path.Combine(Shop, "temp", "work", "old.tmp"), "x");
        Age(Path.Combine(Shop, "temp", "work", "old.tmp"), TimeSpan.FromDays(2));
        File.WriteAllText(Path.Combine(Shop, "temp", "new.tmp"), "y");
        var oldCopy = (string)(await _pipelines.Warehouse.QueryScalarAsync($"select parquet_path from ingest.loads where load_id = '{old}'", Ct))!;
        var latestCopy = (string)(await _pipelines.Warehouse.QueryScalarAsync($"select parquet_path from ingest.loads where load_id = '{latest}'", Ct))!;

        var cleanup = new WorkspaceCleanup(Path.Combine(_root, "pipelines"), _pipelines.Warehouse, _storage);
        var plan = await cleanup.PlanAsync(Ct);

        Assert.Equal(
            [(CleanupKind.LandingFile, Path.Combine(Processed, "a.csv")), (CleanupKind.TempFile, Path.Combine(Shop, "temp", "work", "old.tmp")), (CleanupKind.RawCopy, oldCopy), (CleanupKind.Quarantine, "1 quarantined row(s) of 1 load(s) of orders")],
            plan.Items.Select(i => (i.Kind, i.What)));
        Assert.All(plan.Items, i => Assert.Equal("shop", i.Pipeline));
        Assert.Equal(new FileInfo(oldCopy).Length, plan.Items.Single(i => i.Kind == CleanupKind.RawCopy).Bytes);

        // Planning is the dry run: everything is still there.
        Assert.True(File.Exists(Path.Combine(Processed, "a.csv")) && File.Exists(oldCopy) && File.Exists(Path.Combine(Shop, "temp", "work", "old.tmp")));
        Assert.Equal(1, await ScalarAsync("select count(*) from ingest.quarantine"));

        await cleanup.ExecuteAsync(plan, Ct);

        Assert.Equal(["b.csv"], Directory.GetFiles(Processed).Select(Path.GetFileName));
        Assert.Equal(["new.tmp"], Directory.GetFiles(Path.Combine(Shop, "temp"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
        Assert.False(File.Exists(oldCopy));
        Assert.True(File.Exists(latestCopy));
        Assert.Equal(0, await ScalarAsync($"select count(*) from ingest.loads where load_id = '{old}' and parquet_path is not null"));
        Assert.Equal(0, await ScalarAsync("select count(*) from ingest.quarantine"));
        Assert.Equal(2, await ScalarAsync("select count(*) from ingest.loads where status = 'SUCCESS'"));
        Assert.Empty((await cleanup.PlanAsync(Ct)).Items);
    }

    [Fact]
    public async Task A_source_s_latest_load_and_a_file_an_unfinished_run_reads_are_kept_however_old()
    {
        var only = await LoadAsync("a.csv", "order_id,amount\n1,10\n2,-5\n");
        await _pipelines.Warehouse.ExecuteAsync($"update ingest.loads set started_at = started_at - interval 400 day where load_id = '{only}'", Ct);
        var processed = Path.Combine(Processed, "a.csv");
        Age(processed, TimeSpan.FromDays(100));
        await _orchestrator.SubmitAsync(new LaunchRequest { Selection = "raw/orders", Tags = new Dictionary<string, string> { [RunFiles.Tag] = processed } }, Ct);

        var plan = await new WorkspaceCleanup(Path.Combine(_root, "pipelines"), _pipelines.Warehouse, _storage).PlanAsync(Ct);

        Assert.Empty(plan.Items);
        Assert.Equal($"{processed}: an unfinished run reads it", Assert.Single(plan.Kept));
    }

    [Fact]
    public async Task Without_retention_nothing_is_moved_or_planned()
    {
        File.WriteAllText(Path.Combine(Shop, "pipeline.yml"), """
            assets:
              - key: raw/orders
                ingest: {contract: orders, path: landing/*.csv}
            """);
        await using var pipelines = await PipelineCatalog.LoadAsync(new PipelineOptions(Path.Combine(_root, "pipelines"), WarehouseOptions.DuckDb(Path.Combine(_root, "other.duckdb"))), Ct);
        await using var storage = OrchestrationStores.Sqlite(Path.Combine(_root, "other.db"));
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(pipelines.Definitions, storage);
        File.WriteAllText(Path.Combine(Landing, "a.csv"), "order_id,amount\n1,10\n");
        Assert.Equal(RunStatus.Success, (await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/orders" }, Ct)).Status);

        Assert.True(File.Exists(Path.Combine(Landing, "a.csv")));
        Assert.Empty((await new WorkspaceCleanup(Path.Combine(_root, "pipelines"), pipelines.Warehouse, storage).PlanAsync(Ct)).Items);
    }
}

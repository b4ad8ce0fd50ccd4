using System.Globalization;
using Millwright.Ingestion.Datasets;
using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests.Templates;

/// <summary>
/// The quality template on the real public data sets (../shared/datasets): loaded under their contracts, staged with
/// their labels, the figures matching what the data sets' own documentation states.
/// </summary>
public sealed class QualityTemplateTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-quality-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Datasets => PublicDatasets.Locate(AppContext.BaseDirectory, Environment.GetEnvironmentVariable);

    private string Pipelines => Path.Combine(_root, "pipelines");

    public ValueTask InitializeAsync()
    {
        PipelineTemplates.Create(Pipelines, "quality", "quality");
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return ValueTask.CompletedTask;
    }

    private Task<LoadedPipelines> LoadAsync(string? datasets) =>
        PipelineCatalog.LoadAsync(new PipelineOptions(Pipelines, WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb"))) { DatasetsFolder = datasets, ModelsDirectory = Path.Combine(_root, "models") }, Ct);

    /// <summary>The run storage and orchestrator of one test over <paramref name="loaded"/>.</summary>
    private async Task<Runs> RunsAsync(LoadedPipelines loaded)
    {
        var storage = OrchestrationStores.Sqlite(Path.Combine(_root, "orchestration.db"));
        await storage.InitializeAsync(Ct);
        return new Runs(storage, new Orchestrator(loaded.Definitions, storage));
    }

    private sealed record Runs(IOrchestrationStorage Storage, Orchestrator Orchestrator) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Orchestrator.DisposeAsync();
            await Storage.DisposeAsync();
        }
    }

    private static async Task<long> CountAsync(IWarehouse warehouse, string sql) =>
        await warehouse.QueryScalarAsync(sql, Ct) is System.Numerics.BigInteger big ? (long)big : Convert.ToInt64(await warehouse.QueryScalarAsync(sql, Ct), CultureInfo.InvariantCulture);

    [Fact]
    public async Task The_data_sets_load_once_and_stage_with_the_labels_their_documentation_states()
    {
        Assert.SkipWhen(Datasets is null, "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");
        await using var loaded = await LoadAsync(Datasets);
        Assert.Equal(["raw/ai4i2020", "raw/cmapss_rul", "raw/cmapss_test", "raw/cmapss_train", "raw/secom", "raw/secom_labels"],
            loaded.Definitions.Assets.Where(a => a.Kinds.Contains("dataset")).Select(a => a.Key.Path).Order(StringComparer.Ordinal));
        await using var runs = await RunsAsync(loaded);
        var (storage, orchestrator) = (runs.Storage, runs.Orchestrator);

        var first = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);
        var second = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/*" }, Ct);

        Assert.Equal((RunStatus.Success, RunStatus.Success), (first.Status, second.Status));
        var models = await new Learning.ModelRegistry(loaded.Warehouse, Path.Combine(_root, "models")).ListAsync(cancellationToken: Ct);
        Assert.Equal(["ai4i2020", "ai4i2020_mode", "cmapss_fd001", "cmapss_fd002", "cmapss_fd003", "cmapss_fd004", "secom"], models.Select(m => m.Name));
        Assert.All(models, m => Assert.Equal(Learning.ModelStatus.Champion, m.Status));
        Assert.True(models.Single(m => m.Name == "ai4i2020").Metrics["roc_auc"] > 0.95);
        Assert.True(models.Single(m => m.Name == "cmapss_fd001").Metrics["rmse"] < 20);
        Assert.Equal(100, await CountAsync(loaded.Warehouse, "select count(*) from ml.maintenance_predictions where model = 'cmapss_fd001' and rul_cycles >= 0"));
        var checks = (await storage.GetRunEventsAsync(first.RunId, 0, 10_000, Ct)).Where(e => e.Type == EventTypes.CheckEvaluation).ToList();
        Assert.True(checks.Count >= 8, $"{checks.Count} checks");
        Assert.DoesNotContain(checks, e => e.Data!.Contains("\"passed\":false", StringComparison.Ordinal));
        // A test of two models is a check of the one built from the other.
        Assert.Equal("mart_cmapss_units", Assert.Single(checks, e => e.CheckName == "assert_cmapss_labels_are_consistent").AssetKey);
        var relog = (await storage.GetRunEventsAsync(second.RunId, 0, 1000, Ct)).Where(e => e.Type == EventTypes.Log && e.Message.Contains(": ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(15, relog.Count(m => m.Contains(": SKIPPED, unchanged since load ", StringComparison.Ordinal)));
        Assert.DoesNotContain(relog, m => m.Contains(" loaded, ", StringComparison.Ordinal));

        var w = loaded.Warehouse;
        // SECOM: 1,567 wafers, 104 fails, every wafer labelled with its true time (July to October 2008).
        Assert.Equal((1567L, 104L, 0L), (await CountAsync(w, "select count(*) from staging.stg_secom"), await CountAsync(w, "select count(*) from staging.stg_secom where failed"), await CountAsync(w, "select count(*) from staging.stg_secom where recorded_at is null")));
        Assert.Equal(1567L, await CountAsync(w, "select sum(wafers) from marts.mart_secom_daily_yield"));
        Assert.Equal(590L, await CountAsync(w, "select count(*) from marts.mart_secom_sensor_missingness"));
        // C-MAPSS FD001: 100 training engines over 20,631 cycles, each run to failure; 100 test engines whose final
        // remaining life runs from 7 to 145 cycles (RUL_FD001.txt); the training target capped at 125.
        Assert.Equal((100L, 20631L), (await CountAsync(w, "select count(*) from marts.mart_cmapss_units where subset = 'FD001' and split = 'train'"), await CountAsync(w, "select sum(cycles) from marts.mart_cmapss_units where subset = 'FD001' and split = 'train'")));
        Assert.Equal((7L, 145L), (await CountAsync(w, "select min(final_rul) from marts.mart_cmapss_units where subset = 'FD001' and split = 'test'"), await CountAsync(w, "select max(final_rul) from marts.mart_cmapss_units where subset = 'FD001' and split = 'test'")));
        Assert.Equal(125L, await CountAsync(w, "select max(rul_capped) from staging.stg_cmapss_train"));
        Assert.Equal(707L, await CountAsync(w, "select count(*) from marts.mart_cmapss_units where split = 'test'"));
        // AI4I 2020: 339 failures, 9 of them with no mode flagged.
        Assert.Equal((339L, 9L), (await CountAsync(w, "select count(*) from staging.stg_ai4i where machine_failure"), await CountAsync(w, "select count(*) from staging.stg_ai4i where failure_mode = 'UNLABELED'")));
    }

    [Fact]
    public async Task Selecting_one_table_of_a_dataset_loads_only_that_tables_files()
    {
        Assert.SkipWhen(Datasets is null, "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");
        await using var loaded = await LoadAsync(Datasets);
        await using var runs = await RunsAsync(loaded);
        var (storage, orchestrator) = (runs.Storage, runs.Orchestrator);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/secom_labels" }, Ct);

        Assert.True(run.Status == RunStatus.Success, run.Error);
        Assert.Equal(1567L, await CountAsync(loaded.Warehouse, "select count(*) from raw.secom_labels"));
        Assert.Null(await loaded.Warehouse.GetRelationAsync(RelationName.Of("raw", "secom"), Ct));
    }

    [Fact]
    public async Task Without_a_datasets_folder_the_loads_are_skipped_saying_where_to_point_and_a_dataset_ingested_by_hand_trains()
    {
        await using var loaded = await LoadAsync(null);
        await using var runs = await RunsAsync(loaded);
        var (storage, orchestrator) = (runs.Storage, runs.Orchestrator);

        var skipped = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "+ml/ai4i2020" }, Ct);

        Assert.True(skipped.Status == RunStatus.Success, skipped.Error);
        var events = await storage.GetRunEventsAsync(skipped.RunId, 0, 1000, Ct);
        var reason = Assert.Single(events, e => e.Type == EventTypes.AssetSkipped && e.AssetKey == "raw/ai4i2020").Message;
        Assert.Contains("there is no datasets folder: set MILLWRIGHT_DATASETS to a folder laid out as ../shared/datasets", reason, StringComparison.Ordinal);
        Assert.Contains("or load it with `millwright ingest dataset ai4i2020 --from DIR`", reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Type == EventTypes.AssetSkipped && e.AssetKey == "ml/ai4i2020");

        // What `millwright ingest dataset ai4i2020 --from DIR` does; then the model trains with no further set-up.
        Assert.SkipWhen(Datasets is null, "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");
        await PublicDatasets.LoadAsync(new Ingestion.Files.FileIngestor(loaded.Warehouse), "ai4i2020", Datasets!, Ct);
        var trained = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "+ml/ai4i2020" }, Ct);

        Assert.True(trained.Status == RunStatus.Success, trained.Error);
        var models = await new Learning.ModelRegistry(loaded.Warehouse, Path.Combine(_root, "models")).ListAsync("ai4i2020", Ct);
        Assert.Equal(Learning.ModelStatus.Champion, Assert.Single(models).Status);
        Assert.Equal(10_000L, await CountAsync(loaded.Warehouse, "select count(*) from staging.stg_ai4i"));

        // Only SECOM of the others: its mart builds and its tests pass without C-MAPSS.
        await PublicDatasets.LoadAsync(new Ingestion.Files.FileIngestor(loaded.Warehouse), "secom", Datasets!, Ct);
        var secom = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "+mart_secom_daily_yield" }, Ct);

        Assert.True(secom.Status == RunStatus.Success, secom.Error);
        Assert.Equal(1567L, await CountAsync(loaded.Warehouse, "select sum(wafers) from marts.mart_secom_daily_yield"));
    }
}

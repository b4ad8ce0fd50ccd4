using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Pipelines;

/// <summary>
/// A workspace's orchestrator: its pipelines' definitions over the orchestration storage its settings name
/// (SQLite in .millwright/ or PostgreSQL). What `millwright up`, `millwright daemon` and the CLI verbs share.
/// </summary>
public sealed class WorkspaceOrchestration : IAsyncDisposable
{
    private WorkspaceOrchestration(LoadedPipelines pipelines, IOrchestrationStorage storage, Orchestrator orchestrator)
    {
        Pipelines = pipelines;
        Storage = storage;
        Orchestrator = orchestrator;
    }

    public LoadedPipelines Pipelines { get; }

    public IOrchestrationStorage Storage { get; }

    public Orchestrator Orchestrator { get; }

    /// <summary>Opens the storage (creating its tables), loads every pipeline and builds the orchestrator.</summary>
    public static async Task<WorkspaceOrchestration> OpenAsync(LoadedSettings loaded, Func<OrchestratorOptions, OrchestratorOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var settings = loaded.Settings;
        var storage = OpenStorage(settings.Orchestration.Store);
        try
        {
            await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var pipelines = await PipelineCatalog.LoadAsync(new PipelineOptions(loaded.Workspace.PipelinesDirectory, settings.Warehouse.Options)
            {
                RawLayerPath = Path.Combine(loaded.Workspace.StateDirectory, "raw"),
                Operations = () => OperationsSourceAsync(settings.Operations),
                ModelsDirectory = Path.Combine(loaded.Workspace.StateDirectory, "models"),
                OperationsStore = _ => Task.FromResult(OpenOperationsStore(settings.Operations)),
                DatasetsFolder = Ingestion.Datasets.PublicDatasets.Locate(loaded.Workspace.Root, loaded.Variable),
            }, cancellationToken).ConfigureAwait(false);
            var options = new OrchestratorOptions
            {
                MaxConcurrentRuns = settings.Orchestration.MaxConcurrentRuns,
                Retention = TimeSpan.FromDays(settings.Orchestration.RetentionDays),
            };
            return new WorkspaceOrchestration(pipelines, storage, new Orchestrator(pipelines.Definitions, storage, configure?.Invoke(options) ?? options));
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The workspace's operational store as an extraction source (what <c>ingest db</c> and <c>extract:</c> read). On
    /// SQLite, which declares timestamps and decimals TEXT and booleans INTEGER, the store's own model names those
    /// columns' types, so they land typed; integers and text keep their declared types.
    /// </summary>
    public static async Task<Ingestion.Extraction.ExtractionOptions> OperationsSourceAsync(StoreSettings operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Provider == StoreProvider.Postgres)
        {
            return new Ingestion.Extraction.ExtractionOptions(Ingestion.Extraction.SourceDatabase.Postgres, operations.Connection!);
        }

        await using var store = Operations.Data.OperationsStore.Sqlite(operations.Path!);
        var types = store.ColumnTypes()
            .Select(c => (c.Key, Type: LogicalTypes.FromClr(c.Value)))
            .Where(c => c.Type is LogicalType.Boolean or LogicalType.Decimal or LogicalType.Date or LogicalType.Time or LogicalType.Timestamp or LogicalType.TimestampTz or LogicalType.Uuid)
            .ToDictionary(c => c.Key, c => c.Type, StringComparer.Ordinal);
        return new Ingestion.Extraction.ExtractionOptions(Ingestion.Extraction.SourceDatabase.Sqlite, operations.Path!) { ColumnTypes = types };
    }

    /// <summary>The workspace's operational store, for the use cases a pipeline calls (predictive orders).</summary>
    public static Operations.Data.OperationsStore OpenOperationsStore(StoreSettings operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return operations.Provider == StoreProvider.Postgres
            ? Operations.Data.OperationsStore.Postgres(operations.Connection!)
            : Operations.Data.OperationsStore.Sqlite(operations.Path!);
    }

    /// <summary>
    /// Puts right what loads killed midway left in the workspace's raw layer (rows without an audit record, Parquet
    /// copies and work tables of loads that never committed), before anything reads it: the host at start, and an
    /// `ingest` verb in a process of its own.
    /// </summary>
    public static async Task<Ingestion.Files.RecoveryReport> RecoverLoadsAsync(LoadedSettings loaded, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        // A contract that does not parse fails here as it would at the load that uses it.
        var contracts = Ingestion.Contracts.ContractCatalog.Load(loaded.Workspace.PipelinesDirectory);

        await using var warehouse = Warehouses.Open(loaded.Settings.Warehouse.Options);
        var ingestor = new Ingestion.Files.FileIngestor(warehouse, new Ingestion.Files.IngestionOptions { RawLayerPath = Path.Combine(loaded.Workspace.StateDirectory, "raw") });
        return await ingestor.RecoverAsync([.. contracts.Contracts, .. Ingestion.Datasets.PublicDatasets.Contracts], Ingestion.Files.FileIngestor.DefaultRecoveryGrace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The orchestration storage for its settings.</summary>
    public static IOrchestrationStorage OpenStorage(StoreSettings store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Provider == StoreProvider.Postgres
            ? OrchestrationStores.Postgres(store.Connection!)
            : OrchestrationStores.Sqlite(store.Path!);
    }

    public async ValueTask DisposeAsync()
    {
        await Orchestrator.DisposeAsync().ConfigureAwait(false);
        await Pipelines.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}

using Millwright.Domain;
using Millwright.Operations.Data;
using Millwright.Orchestration;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Pipelines.Tests;

/// <summary>A pipeline's <c>extract:</c>: operational tables as assets, typed, carried by their change feed, feeding dbt.</summary>
public sealed class ExtractAssetsTests : IAsyncLifetime
{
    private readonly PlantWorkspace _workspace = new();
    private OperationsStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string OperationsPath => Path.Combine(_workspace.Root, ".millwright", "operations.db");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OperationsPath)!);
        _store = OperationsStore.Sqlite(OperationsPath);
        await _store.MigrateAsync(Ct);
        await AddSitesAsync(("WS-POR", SiteKind.Workshop), ("WS-LIS", SiteKind.Workshop), ("PL-AVE", SiteKind.Plant));
        await using (var db = _store.CreateContext())
        {
            db.Parts.Add(new Part { Sku = "BRK-PAD", Name = "Brake pad", StandardCost = 12.3456m, IsActive = true });
            await db.SaveChangesAsync(Ct);
        }

        _workspace.Write("pipeline.yml", """
            extract:
              tables: [sites, parts]
              group: operations
            """);
        File.Delete(Path.Combine(_workspace.Plant, "models", "staging", "stg_readings.sql"));
        File.Delete(Path.Combine(_workspace.Plant, "models", "marts", "machine_torque.sql"));
        _workspace.Write("models/schema.yml", """
            version: 2
            sources:
              - name: raw
                tables: [{name: sites}]
            models:
              - name: workshops
                columns:
                  - name: code
                    tests: [unique, not_null]
            """);
        _workspace.Write("models/marts/workshops.sql", "select code from {{ source('raw', 'sites') }} where kind = 'WORKSHOP'");
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _workspace.Dispose();
    }

    private async Task AddSitesAsync(params (string Code, SiteKind Kind)[] sites)
    {
        await using var db = _store.CreateContext();
        foreach (var (code, kind) in sites)
        {
            db.Sites.Add(new Site { Code = code, Name = code, Kind = kind });
        }

        await db.SaveChangesAsync(Ct);
    }

    private Task<LoadedPipelines> LoadAsync(bool withOperations = true) =>
        PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath))
        {
            Operations = withOperations ? () => WorkspaceOrchestration.OperationsSourceAsync(new StoreSettings(StoreProvider.Sqlite, OperationsPath, null)) : null,
        }, Ct);

    [Fact]
    public async Task Extracted_tables_are_typed_assets_that_dbt_sources_depend_on_and_later_runs_carry_only_changes()
    {
        await using var loaded = await LoadAsync();
        Assert.Equal(["extract"], loaded.Definitions.Spec(AssetKey.Of("raw", "sites")).Kinds);
        Assert.Contains(AssetKey.Of("raw", "sites"), loaded.Definitions.Upstream(new AssetKey("workshops")));
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        var first = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);
        await AddSitesAsync(("WS-OPO", SiteKind.Workshop));
        var second = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal((RunStatus.Success, RunStatus.Success), (first.Status, second.Status));
        var materializations = (await storage.GetRunEventsAsync(second.RunId, 0, 1000, Ct)).Where(e => e.Type == EventTypes.Materialization && e.AssetKey == "raw/sites").ToList();
        Assert.Contains("change_feed", Assert.Single(materializations).Data, StringComparison.Ordinal);
        Assert.Equal(3L, await loaded.Warehouse.QueryScalarAsync("select count(*) from main.workshops", Ct));
        var parts = (await loaded.Warehouse.GetColumnsAsync(RelationName.Of("raw", "parts"), Ct)).ToDictionary(c => c.Name, c => c.Type);
        Assert.Equal((LogicalType.Decimal, LogicalType.Boolean), (parts["standard_cost"], parts["is_active"]));
        Assert.Equal(12.3456m, Convert.ToDecimal(await loaded.Warehouse.QueryScalarAsync("select standard_cost from raw.parts", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_table_that_two_pipelines_extract_is_one_asset_that_the_second_pipelines_models_depend_on()
    {
        var other = Path.Combine(_workspace.Pipelines, "workshop");
        Directory.CreateDirectory(Path.Combine(other, "models"));
        File.WriteAllText(Path.Combine(other, "pipeline.yml"), "extract:\n  tables: [sites, customers]\n");
        File.WriteAllText(Path.Combine(other, "dbt_project.yml"), "name: workshop\nversion: '1.0'\nprofile: workshop\n");
        File.WriteAllText(Path.Combine(other, "models", "sources.yml"), "version: 2\nsources:\n  - name: raw\n    tables: [{name: sites}]\n");
        File.WriteAllText(Path.Combine(other, "models", "plants.sql"), "select code from {{ source('raw', 'sites') }} where kind = 'PLANT'");

        await using var loaded = await LoadAsync();
        Assert.Equal(["raw/parts", "raw/sites"], loaded.Definitions.Assets.Where(a => a.Kinds.Contains("extract") && a.Key.Path != "raw/customers").Select(a => a.Key.Path).Order(StringComparer.Ordinal));
        Assert.Contains(AssetKey.Of("raw", "sites"), loaded.Definitions.Upstream(new AssetKey("plants")));
        await using var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        await using var orchestrator = new Orchestrator(loaded.Definitions, storage);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "+plants" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Equal(1L, await loaded.Warehouse.QueryScalarAsync("select count(*) from main.plants", Ct));
        Assert.Equal(["extract:plant", "extract:workshop"], loaded.Definitions.Assets.Where(a => a.Kinds.Contains("extract")).Select(a => loaded.Definitions.Owner(a.Key).Name).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_pipeline_that_extracts_without_an_operational_store_or_names_a_bad_table_fails_to_load_with_where()
    {
        var none = await Assert.ThrowsAsync<PipelineException>(() => LoadAsync(withOperations: false));
        Assert.Contains("extracts from the operational store, and this workspace has none configured", none.Message, StringComparison.Ordinal);

        _workspace.Write("pipeline.yml", "extract:\n  tables: [sites, \"Bad Table\"]\n");
        var bad = await Assert.ThrowsAsync<PipelineException>(() => LoadAsync());
        Assert.Contains("pipeline.yml:2:", bad.Message, StringComparison.Ordinal);
        Assert.Contains("'Bad Table' is not a table name", bad.Message, StringComparison.Ordinal);
    }
}

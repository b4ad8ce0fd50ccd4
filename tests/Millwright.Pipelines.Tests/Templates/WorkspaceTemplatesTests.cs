using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests.Templates;

/// <summary>The pipelines a new workspace starts with load together: no two define the same asset.</summary>
public sealed class WorkspaceTemplatesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-templates-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Every_shipped_pipeline_loads_beside_the_others_with_its_assets_and_sensors()
    {
        var pipelines = Path.Combine(_root, "pipelines");
        foreach (var template in PipelineTemplates.Workspace)
        {
            PipelineTemplates.Create(pipelines, template, template);
        }

        await using var loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(pipelines, WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")))
        {
            Operations = () => Task.FromResult(new Ingestion.Extraction.ExtractionOptions(Ingestion.Extraction.SourceDatabase.Sqlite, Path.Combine(_root, "operations.db"))),
        }, TestContext.Current.CancellationToken);

        Assert.Equal(["maintenance", "manufacturing", "quality", "retail"], loaded.Pipelines.Select(p => p.Name));
        Assert.Empty(loaded.Warnings);
        Assert.All(loaded.Pipelines, p => Assert.True(p.Assets > 5, $"{p.Name}: {p.Assets} assets"));
        Assert.Contains(loaded.Definitions.Sensors, s => s.Name == "retail_new_orders" && s.Kind == "load");
        foreach (var mart in new[] { "kpi_workshop", "kpi_asset_reliability", "kpi_fleet", "kpi_battery_health", "kpi_oee", "kpi_oee_line_shift", "fact_production_metrics", "mart_executive_kpis", "fact_sales", "dim_customers", "mart_secom_daily_yield", "stg_cmapss_train" })
        {
            Assert.True(loaded.Definitions.Contains(new Orchestration.Definitions.AssetKey(mart)), mart);
        }
    }
}

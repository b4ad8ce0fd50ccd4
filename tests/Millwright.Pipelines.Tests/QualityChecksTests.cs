using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests;

/// <summary>The data_quality check that every raw (dbt source) and staging table gets, run by whatever computes the table.</summary>
public sealed class QualityChecksTests : IDisposable
{
    private readonly PlantWorkspace _workspace = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _workspace.Dispose();

    private void DeclareRules(string sourceRules)
    {
        _workspace.Write("models/schema.yml", $$"""
            version: 2
            sources:
              - name: raw
                tables:
                  - name: readings
                    meta:
                      data_quality:
            {{sourceRules}}
            models:
              - name: stg_readings
                meta:
                  data_quality:
                    uniqueness: [[machine_id, torque]]
                columns:
                  - name: machine_id
                    tests: [not_null]
                  - name: torque
                    tests:
                      - accepted_values: {values: [40.0, 42.0, 55.5]}
              - name: machine_torque
                columns:
                  - name: machine_id
                    tests: [unique]
            """);
    }

    private async Task<(LoadedPipelines Loaded, IOrchestrationStorage Storage, Orchestrator Orchestrator)> StartAsync()
    {
        var loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath)), Ct);
        var storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await storage.InitializeAsync(Ct);
        return (loaded, storage, new Orchestrator(loaded.Definitions, storage));
    }

    [Fact]
    public async Task Raw_and_staging_tables_are_scored_from_declared_rules_and_dbt_tests_after_each_materialization()
    {
        DeclareRules("""
                        completeness: [machine_id, torque]
                        validity:
                          - {column: torque, min: 0, max: 50}
                        thresholds: {validity: 0.5}
            """);
        var (loaded, storage, orchestrator) = await StartAsync();
        await using var _ = loaded;
        await using var __ = storage;
        await using var ___ = orchestrator;
        _workspace.Drop("a.csv", "machine_id,torque\nM1,40.0\nM1,42.0\nM2,55.5\n", DateTimeOffset.UtcNow, TimeSpan.Zero);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        var events = await storage.GetRunEventsAsync(run.RunId, 0, 1000, Ct);
        var raw = events.Single(e => e.CheckName == "data_quality" && e.AssetKey == "raw/readings");
        Assert.Contains("raw.readings: completeness 1.000, validity 0.667", raw.Message, StringComparison.Ordinal);
        var staging = events.Single(e => e.CheckName == "data_quality" && e.AssetKey == "stg_readings");
        Assert.Contains("main.stg_readings: completeness 1.000, uniqueness 1.000, validity 1.000", staging.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.CheckName == "data_quality" && e.AssetKey == "machine_torque");

        // 55.5 is over the declared maximum of 50: one row of three.
        Assert.Equal(run.RunId, await loaded.Warehouse.QueryScalarAsync("select run_id from quality.dq_latest where table_name = 'raw.readings' and dimension = 'validity'", Ct));
        Assert.Equal(1L, await loaded.Warehouse.QueryScalarAsync("select failed_rows from quality.dq_scores where table_name = 'raw.readings' and dimension = 'validity'", Ct));
        Assert.Equal(3L, await loaded.Warehouse.QueryScalarAsync("select count(*) from quality.dq_scores where table_name = 'main.stg_readings'", Ct));
    }

    [Fact]
    public async Task A_blocking_data_quality_check_under_its_threshold_stops_what_reads_the_table()
    {
        DeclareRules("""
                        validity:
                          - {column: torque, max: 50}
                        thresholds: {validity: 0.9}
                        blocking: true
            """);
        var (loaded, storage, orchestrator) = await StartAsync();
        await using var _ = loaded;
        await using var __ = storage;
        await using var ___ = orchestrator;
        _workspace.Drop("a.csv", "machine_id,torque\nM1,40.0\nM1,42.0\nM2,55.5\n", DateTimeOffset.UtcNow, TimeSpan.Zero);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/readings+" }, Ct);

        Assert.Equal(RunStatus.Failure, run.Status);
        var events = await storage.GetRunEventsAsync(run.RunId, 0, 1000, Ct);
        Assert.Contains("validity 0.667 (below 0.9)", events.Single(e => e.CheckName == "data_quality").Message, StringComparison.Ordinal);
        Assert.Equal(["stg_readings", "machine_torque"], events.Where(e => e.Type == EventTypes.AssetSkipped).Select(e => e.AssetKey));
    }

    [Fact]
    public async Task A_bad_rule_is_refused_at_load_with_the_file_table_and_field()
    {
        DeclareRules("""
                        thresholds: {validity: 2}
            """);
        var error = await Assert.ThrowsAsync<PipelineException>(() => PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath)), Ct));
        Assert.Contains("pipelines/plant/models/schema.yml: source raw.readings: data_quality.thresholds.validity: 2 is not a score between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_quality_false_turns_the_check_off()
    {
        DeclareRules("""
                        enabled: false
            """);
        await using var loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath)), Ct);
        Assert.DoesNotContain(loaded.Definitions.Owner("raw/readings").Checks, c => c.Name == "data_quality");
        Assert.Contains(loaded.Definitions.Owner("stg_readings").Checks, c => c.Name == "data_quality" && c.Asset.Path == "stg_readings");
    }
}

using Millwright.Orchestration;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests;

/// <summary>
/// Values that come with a run (tags, the file, partition keys) reach asset SQL only as quoted literals: each hostile
/// string lands in the asset's own table as the value it is, nothing else in the warehouse changes and no file is written.
/// </summary>
public sealed class RunInputInjectionTests : IAsyncLifetime
{
    private readonly PlantWorkspace _workspace = new();
    private readonly string _victim = Path.Combine(Path.GetTempPath(), "mw-pwned-" + Guid.NewGuid().ToString("N") + ".txt");
    private LoadedPipelines _loaded = null!;
    private IOrchestrationStorage _storage = null!;
    private Orchestrator _orchestrator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Hostile => new(
        "x'; COPY (select 'x') TO '{victim}'; --",
        "a.csv', header = true); COPY (select 'x') TO '{victim}'; select * from read_csv('a.csv",
        "' || (select count(*) from raw.readings) || '",
        "it''s'); drop table raw.readings; --",
        "$$; drop table raw.readings; $$",
        "\\'; drop table raw.readings; --\\",
        "/* */'; drop table raw.readings; /*",
        "x' -- trailing comment",
        "line\nbreak'; drop table raw.readings;\r\n--");

    public async ValueTask InitializeAsync()
    {
        File.Delete(Path.Combine(_workspace.Plant, "dbt_project.yml"));
        _workspace.Write("landing/a.csv", "machine_id,torque\nM1,10\nM2,12\n");
        _workspace.Write("pipeline.yml", """
            assets:
              - key: raw/readings
                sql: select * from read_csv({{ file or literal(pipeline_dir ~ "/landing/*.csv") }}, header = true)
              - key: notes
                sql: select {{ tags['note'] }} as note, {{ run_id }} as run_id
              - key: per_line
                partitions: {dynamic: lines}
                partition_column: line
                sql: select {{ partition_key }} as line, 1 as n
            sensors:
              - name: landing
                kind: file
                path: landing
                target: raw/readings
                running: false
            """);
        _loaded = await PipelineCatalog.LoadAsync(new PipelineOptions(_workspace.Pipelines, WarehouseOptions.DuckDb(_workspace.WarehousePath)), Ct);
        _storage = OrchestrationStores.Sqlite(_workspace.StatePath);
        await _storage.InitializeAsync(Ct);
        _orchestrator = new Orchestrator(_loaded.Definitions, _storage);
        Assert.Equal(RunStatus.Success, (await _orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/readings" }, Ct)).Status);
    }

    public async ValueTask DisposeAsync()
    {
        await _orchestrator.DisposeAsync();
        await _storage.DisposeAsync();
        await _loaded.DisposeAsync();
        _workspace.Dispose();
        File.Delete(_victim);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_tag_lands_as_its_own_value_and_changes_nothing_else(string template)
    {
        var hostile = template.Replace("{victim}", _victim, StringComparison.Ordinal);
        var run = await _orchestrator.MaterializeAsync(new LaunchRequest { Selection = "notes", Tags = new Dictionary<string, string> { ["note"] = hostile } }, Ct);

        Assert.True(run.Status == RunStatus.Success, run.Error);
        Assert.Equal(hostile, await _loaded.Warehouse.QueryScalarAsync("select note from notes", Ct));
        Assert.Equal(run.RunId, await _loaded.Warehouse.QueryScalarAsync("select run_id from notes", Ct));
        Assert.Equal(2L, await _loaded.Warehouse.QueryScalarAsync("select count(*) from raw.readings", Ct));
        Assert.False(File.Exists(_victim));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_dynamic_partition_key_is_refused_or_lands_as_its_own_value(string template)
    {
        var hostile = template.Replace("{victim}", _victim, StringComparison.Ordinal);
        try
        {
            await _orchestrator.AddDynamicPartitionsAsync("lines", [hostile], Ct);
        }
        catch (OrchestrationException e)
        {
            // Keys with control characters (the line break) are refused outright.
            Assert.Contains("control characters", e.Message, StringComparison.Ordinal);
            return;
        }

        var run = await _orchestrator.MaterializeAsync(new LaunchRequest { Selection = "per_line", PartitionKey = hostile }, Ct);

        Assert.True(run.Status == RunStatus.Success, run.Error);
        Assert.Equal(hostile, await _loaded.Warehouse.QueryScalarAsync("select line from per_line", Ct));
        Assert.Equal(2L, await _loaded.Warehouse.QueryScalarAsync("select count(*) from raw.readings", Ct));
        Assert.False(File.Exists(_victim));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_file_tag_is_refused_before_the_run_is_queued(string template)
    {
        var hostile = template.Replace("{victim}", _victim, StringComparison.Ordinal);
        await Assert.ThrowsAsync<OrchestrationException>(() => _orchestrator.SubmitAsync(new LaunchRequest { Selection = "raw/readings", Tags = new Dictionary<string, string> { [RunFiles.Tag] = hostile } }, Ct));
        Assert.Empty(await _storage.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Queued] }, Ct));
        Assert.False(File.Exists(_victim));
    }

    [Fact]
    public async Task A_file_outside_the_declared_folders_is_refused_however_it_is_spelled()
    {
        var settings = Path.Combine(_workspace.Root, "millwright.yml");
        File.WriteAllText(settings, "name: secret\n");
        var link = Path.Combine(_workspace.Landing, "innocent.csv");
        File.CreateSymbolicLink(link, settings);
        var linkedFolder = Path.Combine(_workspace.Landing, "elsewhere");
        Directory.CreateSymbolicLink(linkedFolder, _workspace.Root);

        foreach (var file in new[] { settings, Path.Combine(_workspace.Landing, "..", "..", "..", "millwright.yml"), link, Path.Combine(linkedFolder, "millwright.yml"), "landing/a.csv", "a.csv\0", "" })
        {
            var e = await Assert.ThrowsAsync<OrchestrationException>(() => _orchestrator.SubmitAsync(new LaunchRequest { Selection = "raw/readings", Tags = new Dictionary<string, string> { [RunFiles.Tag] = file } }, Ct));
            Assert.Contains(RunFiles.Tag, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_file_inside_the_landing_folder_with_a_quote_in_its_name_loads()
    {
        var quoted = Path.Combine(_workspace.Landing, "it's here; drop table x.csv");
        File.WriteAllText(quoted, "machine_id,torque\nM9,99\n");

        var run = await _orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw/readings", Tags = new Dictionary<string, string> { [RunFiles.Tag] = quoted } }, Ct);

        Assert.True(run.Status == RunStatus.Success, run.Error);
        Assert.Equal("M9", await _loaded.Warehouse.QueryScalarAsync("select machine_id from raw.readings", Ct));
    }
}

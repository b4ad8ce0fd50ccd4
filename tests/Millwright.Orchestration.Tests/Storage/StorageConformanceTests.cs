using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Tests.Storage;

/// <summary>What every orchestration storage must do; run on SQLite and on a real PostgreSQL 15.</summary>
public abstract class StorageConformanceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected IOrchestrationStorage Store { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A second, independent handle on the same storage (another process).</summary>
    protected abstract Task<IOrchestrationStorage> OpenAsync();

    public async ValueTask InitializeAsync()
    {
        Store = await OpenAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static RunRecord Run(string id, DateTimeOffset created, string asset = "a", string? instigator = null, string? runKey = null, string? backfill = null, int priority = 0) => new()
    {
        RunId = id,
        Assets = [asset, "b/c"],
        CreatedAt = created,
        Tags = new Dictionary<string, string> { ["owner"] = "pat" },
        Instigator = instigator,
        RunKey = runKey,
        BackfillId = backfill,
        Priority = priority,
        PartitionKey = "2026-01-01",
        Config = """{"a":{"limit":3}}""",
    };

    [Fact]
    public async Task Runs_round_trip_and_list_newest_first_with_filters()
    {
        await Store.AddRunsAsync([Run("r1", T0), Run("r2", T0.AddSeconds(1), asset: "x", backfill: "bf"), Run("r3", T0.AddSeconds(2))], Ct);
        var r1 = await Store.GetRunAsync("r1", Ct);
        Assert.NotNull(r1);
        Assert.Equal(["a", "b/c"], r1.Assets);
        Assert.Equal("pat", r1.Tags["owner"]);
        Assert.Equal(T0, r1.CreatedAt);
        Assert.Equal("2026-01-01", r1.PartitionKey);
        Assert.Equal("""{"a":{"limit":3}}""", r1.Config);
        Assert.Equal(RunStatus.Queued, r1.Status);

        Assert.Equal(["r3", "r2", "r1"], (await Store.GetRunsAsync(new RunFilter(), Ct)).Select(r => r.RunId));
        Assert.Equal(["r2"], (await Store.GetRunsAsync(new RunFilter { BackfillId = "bf" }, Ct)).Select(r => r.RunId));
        Assert.Equal(["r2"], (await Store.GetRunsAsync(new RunFilter { Asset = "x" }, Ct)).Select(r => r.RunId));
        Assert.Equal(["r1"], (await Store.GetRunsAsync(new RunFilter { CreatedBefore = T0.AddSeconds(1) }, Ct)).Select(r => r.RunId));
        Assert.Equal(["r3"], (await Store.GetRunsAsync(new RunFilter { Limit = 1 }, Ct)).Select(r => r.RunId));
        Assert.Null(await Store.GetRunAsync("nope", Ct));
    }

    [Fact]
    public async Task Pages_of_runs_created_in_the_same_millisecond_skip_none_and_repeat_none()
    {
        // A backfill submits its runs together: five share one created_at, between an older and a newer run.
        await Store.AddRunsAsync([Run("old", T0), .. Enumerable.Range(1, 5).Select(i => Run($"bf-{i}", T0.AddSeconds(1))), Run("new", T0.AddSeconds(2))], Ct);
        var seen = new List<string>();
        RunFilter filter = new() { Limit = 2 };
        while (await Store.GetRunsAsync(filter, Ct) is { Count: > 0 } page)
        {
            seen.AddRange(page.Select(r => r.RunId));
            filter = new RunFilter { Limit = 2, CreatedBefore = page[^1].CreatedAt, BeforeRunId = page[^1].RunId };
        }

        Assert.Equal(["new", "bf-5", "bf-4", "bf-3", "bf-2", "bf-1", "old"], seen);
    }

    [Fact]
    public async Task A_run_key_an_instigator_already_used_stores_nothing()
    {
        var first = await Store.AddRunsAsync([Run("r1", T0, instigator: "sensor", runKey: "file-1")], Ct);
        var again = await Store.AddRunsAsync([Run("r2", T0, instigator: "sensor", runKey: "file-1"), Run("r3", T0, instigator: "other", runKey: "file-1"), Run("r4", T0)], Ct);
        Assert.Single(first);
        Assert.Equal(["r3", "r4"], again.Select(r => r.RunId));
        Assert.Null(await Store.GetRunAsync("r2", Ct));
    }

    [Fact]
    public async Task Queued_runs_leave_by_priority_then_age()
    {
        await Store.AddRunsAsync([Run("old", T0), Run("urgent", T0.AddSeconds(5), priority: 10), Run("new", T0.AddSeconds(1))], Ct);
        Assert.Equal(["urgent", "old", "new"], (await Store.GetQueuedRunsAsync(10, Ct)).Select(r => r.RunId));
    }

    [Fact]
    public async Task Only_one_of_two_hosts_claims_a_queued_run()
    {
        await Store.AddRunsAsync([Run("r1", T0)], Ct);
        await using var other = await OpenAsync();
        var claims = await Task.WhenAll(
            Store.TransitionRunAsync("r1", [RunStatus.Queued], RunStatus.Started, T0, "host-a", cancellationToken: Ct),
            other.TransitionRunAsync("r1", [RunStatus.Queued], RunStatus.Started, T0, "host-b", cancellationToken: Ct));
        Assert.Single(claims, c => c);
        var run = await Store.GetRunAsync("r1", Ct);
        Assert.Equal(RunStatus.Started, run!.Status);
        Assert.Equal(claims[0] ? "host-a" : "host-b", run.Host);
        Assert.Equal(T0, run.StartedAt);

        await Store.HeartbeatRunsAsync(["r1"], T0.AddSeconds(30), Ct);
        Assert.True(await Store.TransitionRunAsync("r1", [RunStatus.Started], RunStatus.Failure, T0.AddMinutes(1), failure: "boom", cancellationToken: Ct));
        run = await Store.GetRunAsync("r1", Ct);
        Assert.Equal((RunStatus.Failure, "boom", T0.AddMinutes(1), T0.AddSeconds(30)), (run!.Status, run.Error, run.EndedAt!.Value, run.HeartbeatAt!.Value));
        Assert.False(await Store.TransitionRunAsync("r1", [RunStatus.Started], RunStatus.Success, T0, cancellationToken: Ct));
    }

    [Fact]
    public async Task Events_keep_order_and_maintain_asset_partition_and_check_status()
    {
        await Store.AddRunsAsync([Run("r1", T0)], Ct);
        var stored = await Store.AppendEventsAsync(
        [
            new EventRecord { RunId = "r1", Timestamp = T0, Type = EventTypes.RunStart },
            new EventRecord { RunId = "r1", Timestamp = T0.AddSeconds(1), Type = EventTypes.Materialization, AssetKey = "daily", PartitionKey = "2026-01-01", Data = """{"row_count":5}""" },
            new EventRecord { RunId = "r1", Timestamp = T0.AddSeconds(2), Type = EventTypes.AssetFailed, AssetKey = "daily", PartitionKey = "2026-01-02", Level = "error", Message = "bad" },
            new EventRecord { RunId = "r1", Timestamp = T0.AddSeconds(3), Type = EventTypes.CheckEvaluation, AssetKey = "daily", CheckName = "not_empty", Data = """{"passed":false,"blocking":true}""", Message = "0 rows" },
        ], Ct);
        Assert.Equal(4, stored.Count);
        Assert.True(stored.Zip(stored.Skip(1)).All(p => p.First.Id < p.Second.Id));

        var events = await Store.GetRunEventsAsync("r1", stored[0].Id, 10, Ct);
        Assert.Equal([EventTypes.Materialization, EventTypes.AssetFailed, EventTypes.CheckEvaluation], events.Select(e => e.Type));
        Assert.Equal("""{"row_count":5}""", events[0].Data);

        var status = await Store.GetAssetStatusAsync("daily", Ct);
        Assert.Equal(["", "2026-01-01", "2026-01-02"], status.Select(s => s.PartitionKey));
        Assert.Equal(stored[1].Id, status[1].LastMaterializationId);
        Assert.Null(status[2].LastMaterializationId);
        Assert.Equal(T0.AddSeconds(2), status[2].LastFailureAt);
        Assert.Equal(T0.AddSeconds(1), status[0].LastMaterializationAt);
        Assert.Single(await Store.GetAssetStatusAsync(null, Ct));

        var latest = await Store.GetLatestMaterializationAsync("daily", Ct);
        Assert.Equal(stored[1].Id, latest!.Id);
        var check = Assert.Single(await Store.GetCheckStatusAsync(Ct));
        Assert.Equal(("daily", "not_empty", false, true, "0 rows"), (check.AssetKey, check.CheckName, check.Passed, check.Blocking, check.Description));
        Assert.Equal(3, (await Store.GetAssetEventsAsync("daily", 10, Ct)).Count);
    }

    [Fact]
    public async Task Schedule_ticks_are_unique_per_time_so_two_daemons_cannot_both_fire()
    {
        var tick = new TickRecord { Instigator = "nightly", TickAt = T0, Status = TickStatus.Started };
        await using var other = await OpenAsync();
        var results = await Task.WhenAll(Store.AddTickAsync(tick, Ct), other.AddTickAsync(tick, Ct));
        var won = Assert.Single(results, r => r is not null)!;
        await Store.UpdateTickAsync(won with { Status = TickStatus.Success, RunIds = ["r9"], Cursor = "c" }, Ct);
        await Store.AddTickAsync(tick with { TickAt = T0.AddDays(1) }, Ct);
        var ticks = await Store.GetTicksAsync("nightly", 10, Ct);
        Assert.Equal([T0.AddDays(1), T0], ticks.Select(t => t.TickAt));
        Assert.Equal((TickStatus.Success, "r9", "c"), (ticks[1].Status, ticks[1].RunIds.Single(), ticks[1].Cursor));
    }

    [Fact]
    public async Task Instigator_state_backfills_and_dynamic_partitions_round_trip()
    {
        await Store.SetInstigatorAsync(new InstigatorState("landing", "sensor", true, "{}", T0), Ct);
        await Store.SetInstigatorAsync(new InstigatorState("landing", "sensor", false, "cursor-2", T0.AddMinutes(1)), Ct);
        Assert.Equal(new InstigatorState("landing", "sensor", false, "cursor-2", T0.AddMinutes(1)), await Store.GetInstigatorAsync("landing", Ct));
        Assert.Single(await Store.GetInstigatorsAsync(Ct));

        await Store.AddBackfillAsync(new BackfillRecord { Id = "bf1", Assets = ["daily"], Partitions = ["2026-01-01", "2026-01-02"], CreatedAt = T0 }, Ct);
        await Store.UpdateBackfillAsync("bf1", BackfillStatus.Completed, 2, T0.AddHours(1), null, Ct);
        var backfill = await Store.GetBackfillAsync("bf1", Ct);
        Assert.Equal((BackfillStatus.Completed, 2, 2), (backfill!.Status, backfill.Submitted, backfill.Partitions.Count));
        Assert.Empty(await Store.GetBackfillsAsync(BackfillStatus.Requested, 10, Ct));

        await Store.AddDynamicPartitionsAsync("plants", ["lyon", "turin"], T0, Ct);
        await Store.AddDynamicPartitionsAsync("plants", ["turin", "kenitra"], T0.AddSeconds(1), Ct);
        await Store.DeleteDynamicPartitionAsync("plants", "lyon", Ct);
        Assert.Equal(["turin", "kenitra"], await Store.GetDynamicPartitionsAsync("plants", Ct));
    }

    [Fact]
    public async Task The_daemon_lease_has_one_holder_until_it_expires()
    {
        await using var other = await OpenAsync();
        Assert.True(await Store.TryAcquireLeaseAsync("daemon", "a", TimeSpan.FromSeconds(20), T0, Ct));
        Assert.False(await other.TryAcquireLeaseAsync("daemon", "b", TimeSpan.FromSeconds(20), T0.AddSeconds(5), Ct));
        Assert.True(await Store.TryAcquireLeaseAsync("daemon", "a", TimeSpan.FromSeconds(20), T0.AddSeconds(10), Ct));
        Assert.False(await other.TryAcquireLeaseAsync("daemon", "b", TimeSpan.FromSeconds(20), T0.AddSeconds(29), Ct));
        Assert.Equal("a", (await other.GetLeaseAsync("daemon", T0.AddSeconds(29), Ct))!.Value.Holder);
        Assert.True(await other.TryAcquireLeaseAsync("daemon", "b", TimeSpan.FromSeconds(20), T0.AddSeconds(31), Ct));
        Assert.False(await Store.TryAcquireLeaseAsync("daemon", "a", TimeSpan.FromSeconds(20), T0.AddSeconds(32), Ct));
        await other.ReleaseLeaseAsync("daemon", "b", Ct);
        Assert.Null(await Store.GetLeaseAsync("daemon", T0.AddSeconds(33), Ct));
        Assert.True(await Store.TryAcquireLeaseAsync("daemon", "a", TimeSpan.FromSeconds(20), T0.AddSeconds(33), Ct));
    }

    [Fact]
    public async Task Retention_keeps_each_assets_latest_materialization_and_check()
    {
        await Store.AddRunsAsync([Run("old", T0.AddDays(-40)), Run("older", T0.AddDays(-41)), Run("new", T0)], Ct);
        await Store.TransitionRunAsync("old", [RunStatus.Queued], RunStatus.Success, T0.AddDays(-40), cancellationToken: Ct);
        await Store.TransitionRunAsync("older", [RunStatus.Queued], RunStatus.Success, T0.AddDays(-41), cancellationToken: Ct);
        var old = await Store.AppendEventsAsync(
        [
            new EventRecord { RunId = "older", Timestamp = T0.AddDays(-41), Type = EventTypes.RunStart },
            new EventRecord { RunId = "older", Timestamp = T0.AddDays(-41), Type = EventTypes.Materialization, AssetKey = "kept" },
            new EventRecord { RunId = "old", Timestamp = T0.AddDays(-40), Type = EventTypes.Materialization, AssetKey = "kept" },
            new EventRecord { RunId = "old", Timestamp = T0.AddDays(-40), Type = EventTypes.CheckEvaluation, AssetKey = "kept", CheckName = "c", Data = """{"passed":true}""" },
            new EventRecord { RunId = "old", Timestamp = T0.AddDays(-40), Type = EventTypes.Log, Message = "noise" },
            new EventRecord { RunId = "new", Timestamp = T0, Type = EventTypes.Log, Message = "recent" },
        ], Ct);
        await Store.AddTickAsync(new TickRecord { Instigator = "s", TickAt = T0.AddDays(-40) }, Ct);

        var pruned = await Store.PruneAsync(T0.AddDays(-30), Ct);

        Assert.Equal(3, pruned.Events);
        Assert.Equal(1, pruned.Runs);
        Assert.Null(await Store.GetRunAsync("older", Ct));
        Assert.NotNull(await Store.GetRunAsync("old", Ct));
        Assert.Equal(old[2].Id, (await Store.GetLatestMaterializationAsync("kept", Ct))!.Id);
        Assert.Equal([EventTypes.Materialization, EventTypes.CheckEvaluation], (await Store.GetRunEventsAsync("old", 0, 10, Ct)).Select(e => e.Type));
        Assert.Single(await Store.GetRunEventsAsync("new", 0, 10, Ct));
    }

    [Fact]
    public async Task Two_handles_appending_at_once_lose_no_event()
    {
        await using var other = await OpenAsync();
        async Task Write(IOrchestrationStorage storage, string run)
        {
            for (var i = 0; i < 25; i++)
            {
                await storage.AppendEventsAsync([new EventRecord { RunId = run, Timestamp = T0, Type = EventTypes.Log, Message = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }], Ct);
            }
        }

        await Task.WhenAll(Write(Store, "x"), Write(other, "y"));
        Assert.Equal(25, (await Store.GetRunEventsAsync("x", 0, 100, Ct)).Count);
        Assert.Equal(25, (await Store.GetRunEventsAsync("y", 0, 100, Ct)).Count);
    }
}

public sealed class SqliteStorageTests : StorageConformanceTests
{
    private readonly TempStore _files = new();

    protected override Task<IOrchestrationStorage> OpenAsync() => _files.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _files.DisposeAsync();
    }
}

public sealed class PostgresStorageTests : StorageConformanceTests
{
    private readonly string _schema = "orch_test_" + Guid.NewGuid().ToString("N")[..12];

    protected override async Task<IOrchestrationStorage> OpenAsync()
    {
        var storage = OrchestrationStores.Postgres(TestPostgres.ConnectionString, _schema);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await using var connection = new Npgsql.NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

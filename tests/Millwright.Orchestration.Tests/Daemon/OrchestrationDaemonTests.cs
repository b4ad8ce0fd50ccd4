using System.Diagnostics;
using Millwright.Orchestration.Daemon;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Tests.Daemon;

public sealed class OrchestrationDaemonTests : StorageTests
{
    private static readonly AssetCompute Noop = _ => Task.CompletedTask;
    private readonly ManualClock _clock = new(new DateTimeOffset(2024, 3, 30, 12, 0, 0, TimeSpan.Zero));

    private Orchestrator Orchestrator(Orchestration.Definitions.Definitions definitions, TimeSpan? heartbeatTimeout = null) =>
        new(definitions, Storage, new OrchestratorOptions
        {
            TimeProvider = _clock,
            HeartbeatInterval = TimeSpan.FromMilliseconds(50),
            HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(60),
            Retention = TimeSpan.FromDays(30),
        });

    [Fact]
    public async Task A_cron_schedule_fires_once_per_tick_in_its_time_zone_across_dst()
    {
        // 02:30 does not exist in Paris on 2024-03-31; Cronos fires that day's tick at 03:00 local.
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("report", Noop)
            .Schedule(new ScheduleDefinition("nightly", "30 2 * * *", "report", "Europe/Paris"))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);

        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        _clock.Set(new DateTimeOffset(2024, 3, 31, 0, 59, 0, TimeSpan.Zero));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        _clock.Set(new DateTimeOffset(2024, 3, 31, 1, 0, 0, TimeSpan.Zero));
        var fired = Assert.Single((await daemon.PassAsync(Ct)).SubmittedRuns);
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);

        var run = await Storage.GetRunAsync(fired, Ct);
        Assert.Equal("nightly", run!.Instigator);
        Assert.Equal("2024-03-31T01:00:00.0000000+00:00", run.Tags["millwright/tick"]);
        var tick = Assert.Single(await Storage.GetTicksAsync("nightly", 10, Ct));
        Assert.Equal((TickStatus.Success, fired), (tick.Status, tick.RunIds.Single()));

        // Next day 02:30 CEST is 00:30 UTC.
        _clock.Set(new DateTimeOffset(2024, 4, 1, 0, 30, 0, TimeSpan.Zero));
        Assert.Single((await daemon.PassAsync(Ct)).SubmittedRuns);
    }

    [Fact]
    public async Task Two_daemons_on_oneStorage_never_both_act()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("report", Noop).Schedule(new ScheduleDefinition("hourly", "0 * * * *", "report")).Build();
        await using var one = Orchestrator(defs);
        await using var two = Orchestrator(defs);
        var first = new OrchestrationDaemon(one, new DaemonOptions { LeaseTtl = TimeSpan.FromSeconds(20) });
        var second = new OrchestrationDaemon(two, new DaemonOptions { LeaseTtl = TimeSpan.FromSeconds(20) });

        Assert.True((await first.PassAsync(Ct)).Leader);
        _clock.Advance(TimeSpan.FromHours(1));
        var passes = await Task.WhenAll(first.PassAsync(Ct), second.PassAsync(Ct));
        Assert.Single(passes, p => p.Leader);
        Assert.Single(passes.SelectMany(p => p.SubmittedRuns));

        // The leader stops renewing; after the lease expires the standby takes over.
        _clock.Advance(TimeSpan.FromSeconds(21));
        Assert.True((await second.PassAsync(Ct)).Leader);
        Assert.False((await first.PassAsync(Ct)).Leader);
    }

    [Fact]
    public async Task A_file_sensor_requests_one_run_per_new_or_changed_file()
    {
        var landing = Directory.CreateDirectory(Path.Combine(Files.Directory, "landing")).FullName;
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("raw/readings", Noop)
            .Sensor(Sensors.Files("landing", landing, "*.csv", "raw/readings", TimeSpan.FromSeconds(5)))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);
        var file = Path.Combine(landing, "readings-1.csv");

        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        await File.WriteAllTextAsync(file, "a,b\n1,2\n", Ct);
        File.SetLastWriteTimeUtc(file, _clock.GetUtcNow().UtcDateTime.AddSeconds(-10));
        await File.WriteAllTextAsync(Path.Combine(landing, "notes.txt"), "ignored", Ct);

        // Within the interval the sensor is not evaluated again.
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        _clock.Advance(TimeSpan.FromSeconds(4));
        var runId = Assert.Single((await daemon.PassAsync(Ct)).SubmittedRuns);
        var run = await Storage.GetRunAsync(runId, Ct);
        Assert.Equal(file, run!.Tags["millwright/file"]);
        Assert.Equal(["raw/readings"], run.Assets);

        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        Assert.Equal(TickStatus.Skipped, (await Storage.GetTicksAsync("landing", 1, Ct))[0].Status);

        await File.AppendAllTextAsync(file, "3,4\n", Ct);
        File.SetLastWriteTimeUtc(file, _clock.GetUtcNow().UtcDateTime.AddSeconds(-3));
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Single((await daemon.PassAsync(Ct)).SubmittedRuns);

        // A processed file that is moved away leaves the cursor.
        File.Move(file, Path.Combine(Files.Directory, "archived.csv"));
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        Assert.Equal("{}", (await Storage.GetInstigatorAsync("landing", Ct))!.Cursor);
    }

    [Fact]
    public async Task A_sensor_that_hangs_times_out_and_a_stopped_sensor_is_not_evaluated()
    {
        var calls = 0;
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", Noop)
            .Sensor(new SensorDefinition("hangs", async ctx =>
            {
                calls++;
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                return new SensorResult();
            }) { Target = "a", Interval = TimeSpan.Zero, Timeout = TimeSpan.FromMilliseconds(50) })
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);
        await daemon.PassAsync(Ct);
        var tick = (await Storage.GetTicksAsync("hangs", 1, Ct))[0];
        Assert.Equal(TickStatus.Failure, tick.Status);
        Assert.Contains("timed out", tick.Error, StringComparison.Ordinal);

        await orchestrator.SetInstigatorRunningAsync("hangs", false, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await daemon.PassAsync(Ct);
        Assert.Equal(1, calls);
        Assert.False((await orchestrator.GetInstigatorsAsync(Ct)).Single().Running);
        await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SetInstigatorRunningAsync("nope", true, Ct));
    }

    [Fact]
    public async Task An_asset_sensor_follows_new_materializations()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("orders", Noop)
            .Asset("invoices", Noop)
            .Sensor(Sensors.Asset("after_orders", "orders", "invoices", TimeSpan.Zero))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "orders" }, Ct);
        _clock.Advance(TimeSpan.FromSeconds(1));
        var pass = await daemon.PassAsync(Ct);
        var run = await Storage.GetRunAsync(Assert.Single(pass.SubmittedRuns), Ct);
        Assert.Equal(["invoices"], run!.Assets);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await daemon.PassAsync(Ct)).SubmittedRuns);
    }

    [Fact]
    public async Task Declarative_automation_eager_on_missing_and_on_cron()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("raw", Noop)
            .Asset("eager", Noop, x => x.DependsOn("raw").Automation(AutomationCondition.Eager()))
            .Asset("missing", Noop, x => x.Automation(AutomationCondition.OnMissing()))
            .Asset("hourly", Noop, x => x.DependsOn("raw").Automation(AutomationCondition.OnCron("0 * * * *")))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);

        async Task<IReadOnlyList<string>> Requested()
        {
            var pass = await daemon.PassAsync(Ct);
            await orchestrator.WhenIdleAsync();
            var runs = new List<string>();
            foreach (var id in pass.SubmittedRuns)
            {
                runs.AddRange((await Storage.GetRunAsync(id, Ct))!.Assets);
            }

            return runs;
        }

        // Nothing upstream yet: only the missing asset with no dependencies runs.
        Assert.Equal(["missing"], await Requested());
        Assert.Empty(await Requested());

        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw" }, Ct);
        Assert.Equal(["eager"], await Requested());
        Assert.Empty(await Requested());

        // The cron tick passes; the hourly asset waits for raw to update after the tick, then runs once.
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Requested());
        _clock.Advance(TimeSpan.FromMinutes(1));
        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "raw" }, Ct);
        Assert.Equal(["eager", "hourly"], (await Requested()).Order());
        Assert.Empty(await Requested());
    }

    [Fact]
    public async Task A_stale_asset_raises_one_freshness_warning()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("kpi", Noop, x => x.MaximumLag(TimeSpan.FromHours(2))).Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator);
        await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        Assert.Empty((await daemon.PassAsync(Ct)).FreshnessWarnings);
        _clock.Advance(TimeSpan.FromHours(3));
        Assert.Equal(["kpi"], (await daemon.PassAsync(Ct)).FreshnessWarnings);
        Assert.Empty((await daemon.PassAsync(Ct)).FreshnessWarnings);
        var warning = Assert.Single(await Storage.GetEventsOfTypeAsync(EventTypes.FreshnessWarning, 10, Ct));
        Assert.Contains("more than its maximum lag of 120 min", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backfill_resumes_after_a_restart_without_duplicate_runs()
    {
        var done = new System.Collections.Concurrent.ConcurrentBag<string>();
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("daily", ctx => { done.Add(ctx.PartitionKey!); return Task.CompletedTask; }, x => x.Partitions(new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1))))
            .Build();
        BackfillRecord backfill;
        await using (var first = Orchestrator(defs))
        {
            backfill = await first.BackfillAsync("daily", null, "2024-01-01", "2024-01-30", null, Ct);
            var pass = await new OrchestrationDaemon(first, new DaemonOptions { BackfillRunsPerPass = 12 }).PassAsync(Ct);
            Assert.Equal(12, pass.BackfillRuns);

            // The host stops here (its background runs are stopped with it).
        }

        await using var second = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(second, new DaemonOptions { BackfillRunsPerPass = 12 });
        _clock.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 10 && (await Storage.GetBackfillAsync(backfill.Id, Ct))!.Status == BackfillStatus.Requested; i++)
        {
            await daemon.PassAsync(Ct);
            await second.WhenIdleAsync();
        }

        var runs = await Storage.GetRunsAsync(new RunFilter { BackfillId = backfill.Id, Limit = 1000 }, Ct);
        Assert.Equal(30, runs.Count);
        Assert.Equal(30, runs.Select(r => r.PartitionKey).Distinct().Count());
        Assert.Equal(BackfillStatus.Completed, (await Storage.GetBackfillAsync(backfill.Id, Ct))!.Status);
        var partitions = await second.GetPartitionsAsync("daily", Ct);
        Assert.Equal(30, partitions.Count(p => p.Key.CompareTo("2024-01-31") < 0 && p.Status is "MATERIALIZED" or "FAILED"));
        Assert.All(runs, r => Assert.True(r.Status.IsFinished()));
    }

    [Fact]
    public async Task A_run_whose_host_died_is_marked_failed_never_left_started()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("a", Noop).Asset("b", Noop, x => x.DependsOn("a")).Build();
        await using var orchestrator = Orchestrator(defs, heartbeatTimeout: TimeSpan.FromSeconds(60));

        // A real process that has exited stands for the killed host.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        var start = gone.StartTime;
        await gone.WaitForExitAsync(Ct);
        var deadHost = $"{Environment.MachineName}/{gone.Id}/{new DateTimeOffset(start.ToUniversalTime()).ToUnixTimeMilliseconds()}";
        var now = _clock.GetUtcNow();
        await Storage.AddRunsAsync(
        [
            new RunRecord { RunId = "killed", Assets = ["a", "b"], CreatedAt = now, Status = RunStatus.Started, Host = deadHost, StartedAt = now, HeartbeatAt = now },
            new RunRecord { RunId = "silent", Assets = ["a"], CreatedAt = now, Status = RunStatus.Started, Host = "other-machine/1/1", StartedAt = now, HeartbeatAt = now.AddMinutes(-5) },
            new RunRecord { RunId = "alive", Assets = ["a"], CreatedAt = now, Status = RunStatus.Started, Host = "other-machine/2/2", StartedAt = now, HeartbeatAt = now.AddSeconds(-10) },
        ], Ct);
        await Storage.AppendEventsAsync([new EventRecord { RunId = "killed", Timestamp = now, Type = EventTypes.Materialization, AssetKey = "a" }], Ct);

        var pass = await new OrchestrationDaemon(orchestrator).PassAsync(Ct);

        Assert.Equal(["killed", "silent"], pass.LostRuns.Order());
        var killed = await Storage.GetRunAsync("killed", Ct);
        Assert.Equal(RunStatus.Failure, killed!.Status);
        Assert.Contains("is no longer running", killed.Error, StringComparison.Ordinal);
        Assert.Contains("has not heartbeated for 300 s", (await Storage.GetRunAsync("silent", Ct))!.Error, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Started, (await Storage.GetRunAsync("alive", Ct))!.Status);
        var events = await Events.AllAsync(Storage, "killed");
        Assert.Equal("b", events.Single(e => e.Type == EventTypes.AssetFailed).AssetKey);
        Assert.Equal(EventTypes.RunFailure, events[^1].Type);
    }

    [Fact]
    public async Task Retention_runs_from_the_daemon()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("a", Noop).Build();
        await using var orchestrator = Orchestrator(defs);
        var daemon = new OrchestrationDaemon(orchestrator, new DaemonOptions { RetentionEvery = TimeSpan.FromHours(1) });
        var old = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        _clock.Advance(TimeSpan.FromDays(31));
        var pruned = (await daemon.PassAsync(Ct)).Pruned;
        Assert.NotNull(pruned);
        Assert.True(pruned.Events > 0);
        Assert.Equal(1, pruned.Runs);
        Assert.Null(await Storage.GetRunAsync(old.RunId, Ct));
        Assert.Equal("MATERIALIZED", (await orchestrator.GetAssetsAsync(Ct)).Single().Status);
        Assert.Null((await daemon.PassAsync(Ct)).Pruned);
    }
}

public sealed class PartitionedAutomationTests : StorageTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2024, 3, 10, 6, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_daily_asset_follows_its_upstream_partition_and_a_monthly_rollup_waits_for_its_month()
    {
        var daily = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 2, 1));
        var monthly = new TimeWindowPartitions(PartitionCadence.Monthly, new DateTime(2024, 1, 1));
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("readings", _ => Task.CompletedTask, a => a.Partitions(daily))
            .Asset("daily_oee", _ => Task.CompletedTask, a => a.Partitions(daily).DependsOn("readings").Automation(AutomationCondition.Eager()))
            .Asset("monthly_oee", _ => Task.CompletedTask, a => a.Partitions(monthly).DependsOn("daily_oee").Automation(AutomationCondition.OnMissing()))
            .Build();
        await using var orchestrator = new Orchestrator(defs, Storage, new OrchestratorOptions { TimeProvider = _clock });
        var daemon = new OrchestrationDaemon(orchestrator);

        async Task<List<string>> Requested()
        {
            var pass = await daemon.PassAsync(Ct);
            await orchestrator.WhenIdleAsync();
            var runs = new List<string>();
            foreach (var id in pass.SubmittedRuns)
            {
                var run = (await Storage.GetRunAsync(id, Ct))!;
                runs.AddRange(run.Assets.Select(a => $"{a}[{run.PartitionKey}]"));
            }

            return runs;
        }

        Assert.Empty(await Requested());
        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "readings", PartitionKey = "2024-03-09" }, Ct);
        Assert.Equal(["daily_oee[2024-03-09]"], await Requested());
        Assert.Empty(await Requested());

        // February's roll-up waits until every day of February is there.
        await orchestrator.BackfillAsync("daily_oee", null, "2024-02-01", "2024-02-28", null, Ct);
        await daemon.PassAsync(Ct);
        for (var i = 0; i < 20 && (await Storage.GetBackfillsAsync(BackfillStatus.Requested, 10, Ct)).Count > 0; i++)
        {
            await daemon.PassAsync(Ct);
            await orchestrator.WhenIdleAsync();
        }

        Assert.Empty(await Requested());
        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "daily_oee", PartitionKey = "2024-02-29" }, Ct);
        Assert.Equal(["monthly_oee[2024-02-01]"], await Requested());
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Execution;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Tests.Execution;

public sealed class RunExecutionTests : StorageTests
{

    private Orchestrator Orchestrator(Orchestration.Definitions.Definitions definitions, OrchestratorOptions? options = null) =>
        new(definitions, Storage, options ?? new OrchestratorOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) });

    [Fact]
    public async Task A_listener_that_throws_does_not_stop_the_run_or_its_event_log()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", _ => Task.CompletedTask)
            .Asset("b", _ => Task.CompletedTask, x => x.DependsOn("a"))
            .Build();
        var heard = 0;
        await using var orchestrator = Orchestrator(defs, new OrchestratorOptions
        {
            HeartbeatInterval = TimeSpan.FromMilliseconds(50),
            OnEvent = e =>
            {
                Interlocked.Increment(ref heard);
                throw new InvalidOperationException($"listener broke on {e.Type}");
            },
        });

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Equal(EventTypes.RunSuccess, events[^1].Type);
        Assert.Equal(2, events.Count(e => e.Type == EventTypes.Materialization));
        Assert.True(heard >= events.Count - 1, $"the listener heard {heard} of {events.Count} events");
    }

    [Fact]
    public async Task A_run_materializes_upstream_first_and_records_metadata()
    {
        var order = new ConcurrentQueue<string>();
        AssetCompute Record(string name, long rows) => ctx =>
        {
            order.Enqueue(name);
            ctx.AddMetadata("row_count", rows);
            return Task.CompletedTask;
        };
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", Record("a", 10))
            .Asset("b", Record("b", 20), x => x.DependsOn("a"))
            .Asset("c", Record("c", 30), x => x.DependsOn("a"))
            .Asset("d", Record("d", 40), x => x.DependsOn("b", "c"))
            .Build();
        await using var orchestrator = Orchestrator(defs);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "*" }, Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        var seen = order.ToList();
        Assert.Equal("a", seen[0]);
        Assert.Equal("d", seen[^1]);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Equal(EventTypes.RunQueued, events[0].Type);
        Assert.Equal(EventTypes.RunStart, events[1].Type);
        Assert.Equal(EventTypes.RunSuccess, events[^1].Type);
        var materialized = events.Where(e => e.Type == EventTypes.Materialization).ToList();
        Assert.Equal(4, materialized.Count);
        using var data = JsonDocument.Parse(materialized.Single(e => e.AssetKey == "d").Data!);
        Assert.Equal(40, data.RootElement.GetProperty("row_count").GetInt64());
        Assert.True(data.RootElement.GetProperty("duration_ms").GetDouble() >= 0);

        var assets = await orchestrator.GetAssetsAsync(Ct);
        Assert.All(assets, a => Assert.Equal("MATERIALIZED", a.Status));
        Assert.All(assets, a => Assert.Equal(run.RunId, a.LastRunId));
    }

    [Fact]
    public async Task A_failure_skips_what_depends_on_it_and_lets_the_rest_finish()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", _ => Task.CompletedTask)
            .Asset("broken", _ => throw new InvalidDataException("column torque is missing"), x => x.DependsOn("a"))
            .Asset("after", _ => Task.CompletedTask, x => x.DependsOn("broken"))
            .Asset("sibling", _ => Task.CompletedTask, x => x.DependsOn("a"))
            .Build();
        await using var orchestrator = Orchestrator(defs);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);

        Assert.Equal(RunStatus.Failure, run.Status);
        Assert.Contains("broken", run.Error, StringComparison.Ordinal);
        var events = await Events.AllAsync(Storage, run.RunId);
        var failure = events.Single(e => e.Type == EventTypes.StepFailure);
        Assert.Contains("column torque is missing", failure.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidDataException", failure.Data!, StringComparison.Ordinal);
        Assert.Equal("skipped after: upstream broken failed", events.Single(e => e.Type == EventTypes.AssetSkipped).Message);
        Assert.Contains(events, e => e.Type == EventTypes.Materialization && e.AssetKey == "sibling");
        var status = (await orchestrator.GetAssetsAsync(Ct)).ToDictionary(a => a.Spec.Key.Path, a => a.Status);
        Assert.Equal(("MATERIALIZED", "FAILED", "MISSING"), (status["a"], status["broken"], status["after"]));
    }

    [Fact]
    public async Task Retries_back_off_exponentially_and_show_in_the_event_log()
    {
        var attempts = 0;
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("flaky", ctx =>
            {
                attempts++;
                return attempts < 3 ? throw new TimeoutException($"warehouse busy (attempt {ctx.Attempt})") : Task.CompletedTask;
            }, x => x.Retry(new RetryPolicy(3, TimeSpan.FromMilliseconds(20)) { Backoff = Backoff.Exponential }))
            .Build();
        await using var orchestrator = Orchestrator(defs);

        var run = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);

        Assert.Equal(RunStatus.Success, run.Status);
        var retries = (await Events.AllAsync(Storage, run.RunId)).Where(e => e.Type == EventTypes.StepRetry).ToList();
        Assert.Equal(2, retries.Count);
        var delays = retries.Select(r => JsonDocument.Parse(r.Data!).RootElement.GetProperty("delay_ms").GetDouble()).ToList();
        Assert.Equal([20.0, 40.0], delays);
        Assert.Contains("warehouse busy (attempt 1)", retries[0].Message, StringComparison.Ordinal);
        Assert.Contains("attempt 1 of 4", retries[0].Message, StringComparison.Ordinal);
        Assert.Contains("on attempt 3", (await Events.AllAsync(Storage, run.RunId)).Single(e => e.Type == EventTypes.StepSuccess).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_run_out_and_the_step_fails_with_the_last_error()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("down", _ => throw new IOException("disk full"), x => x.Retry(new RetryPolicy(2, TimeSpan.FromMilliseconds(1)) { Backoff = Backoff.Linear, Jitter = true }))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var run = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Equal(RunStatus.Failure, run.Status);
        Assert.Equal(2, events.Count(e => e.Type == EventTypes.StepRetry));
        Assert.Contains("failed after 3 attempt(s): disk full", events.Single(e => e.Type == EventTypes.StepFailure).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Re_execution_from_failure_runs_only_what_failed_or_was_skipped()
    {
        var fixedIt = false;
        var calls = new ConcurrentBag<string>();
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", _ => { calls.Add("a"); return Task.CompletedTask; })
            .Asset("b", _ => { calls.Add("b"); return fixedIt ? Task.CompletedTask : throw new InvalidOperationException("bad join"); }, x => x.DependsOn("a"))
            .Asset("c", _ => { calls.Add("c"); return Task.CompletedTask; }, x => x.DependsOn("b"))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var failed = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        Assert.Equal(RunStatus.Failure, failed.Status);

        fixedIt = true;
        calls.Clear();
        var retry = await orchestrator.ReexecuteAsync(failed.RunId, fromFailure: true, Ct);
        Assert.Equal(["b", "c"], retry.Assets);
        Assert.Equal(failed.RunId, retry.ParentRunId);
        var done = await orchestrator.ExecuteAsync(retry.RunId, Ct);
        Assert.Equal(RunStatus.Success, done.Status);
        Assert.Equal(["b", "c"], calls.Order());

        var all = await orchestrator.ReexecuteAsync(done.RunId, fromFailure: false, Ct);
        Assert.Equal(["b", "c"], all.Assets);
        Assert.Equal(failed.RunId, all.RootRunId);
        await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.ReexecuteAsync(done.RunId, fromFailure: true, Ct));
    }

    [Fact]
    public async Task Canceling_a_running_run_stops_it_and_skips_the_rest()
    {
        var started = new TaskCompletionSource();
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("slow", async ctx =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            })
            .Asset("next", _ => Task.CompletedTask, x => x.DependsOn("slow"))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var run = await orchestrator.SubmitAsync(new LaunchRequest(), Ct);
        var execution = orchestrator.ExecuteAsync(run.RunId, Ct);
        await started.Task.WaitAsync(Ct);

        Assert.Equal(RunStatus.Canceling, await orchestrator.CancelAsync(run.RunId, Ct));
        var ended = await execution.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(RunStatus.Canceled, ended.Status);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Contains(events, e => e.Type == EventTypes.RunCanceling);
        Assert.Contains(events, e => e.Type == EventTypes.AssetSkipped && e.AssetKey == "next");
        Assert.Equal(EventTypes.RunCanceled, events[^1].Type);
    }

    [Fact]
    public async Task A_queued_run_is_canceled_at_once()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("a", _ => Task.CompletedTask).Build();
        await using var orchestrator = Orchestrator(defs);
        var run = await orchestrator.SubmitAsync(new LaunchRequest(), Ct);
        Assert.Equal(RunStatus.Canceled, await orchestrator.CancelAsync(run.RunId, Ct));
        var e = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.ExecuteAsync(run.RunId, Ct));
        Assert.Contains("CANCELED, not QUEUED", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pool_of_one_lets_one_step_write_at_a_time()
    {
        var inside = 0;
        var most = 0;
        var gate = new object();
        async Task Write(AssetContext ctx)
        {
            lock (gate)
            {
                most = Math.Max(most, ++inside);
            }

            await Task.Yield();
            Thread.SpinWait(10_000);
            lock (gate)
            {
                inside--;
            }
        }

        var builder = Orchestration.Definitions.Definitions.Builder().Pool("duckdb", 1);
        for (var i = 0; i < 8; i++)
        {
            builder.Asset($"t{i}", Write, x => x.Pool("duckdb"));
        }

        await using var orchestrator = Orchestrator(builder.Build(), new OrchestratorOptions { MaxParallelSteps = 8 });
        var run = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Equal(1, most);
    }

    private sealed record LoadConfig(string Path, int Limit = 100);

    [Fact]
    public async Task Typed_config_binds_per_step_and_bad_config_is_refused_at_launch()
    {
        LoadConfig? seen = null;
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("load", ctx => { seen = ctx.Config<LoadConfig>(); return Task.CompletedTask; }, x => x.Config<LoadConfig>())
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Config = """{"load": {"path": "/data/a.csv"}}""" }, Ct);
        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Equal(new LoadConfig("/data/a.csv", 100), seen);

        var missing = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SubmitAsync(new LaunchRequest { Config = """{"load": {"limit": 3}}""" }, Ct));
        Assert.Contains("config of 'load'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("path", missing.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SubmitAsync(new LaunchRequest { Config = """{"lod": {}}""" }, Ct));
        Assert.Contains("names step 'lod'", unknown.Message, StringComparison.Ordinal);
        var extra = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SubmitAsync(new LaunchRequest { Config = """{"load": {"path": "x", "limt": 3}}""" }, Ct));
        Assert.Contains("limt", extra.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_blocking_check_stops_downstream_and_a_warning_check_does_not()
    {
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("readings", _ => Task.CompletedTask, x => x
                .Check("not_empty", _ => Task.FromResult(new CheckOutcome(false, "0 rows")), blocking: true)
                .Check("recent", _ => Task.FromResult(new CheckOutcome(true))))
            .Asset("orders", _ => Task.CompletedTask, x => x.Check("no_nulls", _ => Task.FromResult(new CheckOutcome(false, "3 nulls"))))
            .Asset("report", _ => Task.CompletedTask, x => x.DependsOn("readings"))
            .Asset("order_report", _ => Task.CompletedTask, x => x.DependsOn("orders"))
            .Build();
        await using var orchestrator = Orchestrator(defs);
        var run = await orchestrator.MaterializeAsync(new LaunchRequest(), Ct);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Equal(RunStatus.Failure, run.Status);
        Assert.Equal("skipped report: upstream readings failed a blocking check", events.Single(e => e.Type == EventTypes.AssetSkipped).Message);
        Assert.Contains(events, e => e.Type == EventTypes.Materialization && e.AssetKey == "order_report");
        var checks = await Storage.GetCheckStatusAsync(Ct);
        Assert.Equal(["no_nulls:False:False", "not_empty:False:True", "recent:True:False"], checks.Select(c => $"{c.CheckName}:{c.Passed}:{c.Blocking}").Order());
        Assert.Equal("warning", events.Single(e => e.CheckName == "no_nulls").Level);
    }

    [Fact]
    public async Task A_partitioned_run_gets_its_window_and_records_partition_status()
    {
        (DateTimeOffset, DateTimeOffset)? window = null;
        IReadOnlyList<string>? days = null;
        var daily = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1), "Europe/Paris");
        var monthly = new TimeWindowPartitions(PartitionCadence.Monthly, new DateTime(2024, 1, 1), "Europe/Paris");
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("daily_output", ctx => { window = ctx.PartitionWindow; return Task.CompletedTask; }, x => x.Partitions(daily))
            .Asset("monthly_oee", ctx => { days = ctx.UpstreamPartitions("daily_output"); return Task.CompletedTask; }, x => x.Partitions(monthly).DependsOn("daily_output"))
            .Build();
        var clock = new ManualClock(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var orchestrator = Orchestrator(defs, new OrchestratorOptions { TimeProvider = clock });

        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "daily_output", PartitionKey = "2024-01-02" }, Ct);
        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Equal((new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.FromHours(1))), window);
        var partitions = await orchestrator.GetPartitionsAsync("daily_output", Ct);
        Assert.Equal(60, partitions.Count);
        Assert.Equal("MATERIALIZED", partitions.Single(p => p.Key == "2024-01-02").Status);
        Assert.Equal(59, partitions.Count(p => p.Status == "MISSING"));
        Assert.Equal(new PartitionCounts(60, 1, 0, 59), (await orchestrator.GetAssetsAsync(Ct))[0].Partitions);

        await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "monthly_oee", PartitionKey = "2024-02-01" }, Ct);
        Assert.Equal(29, days!.Count);

        var bad = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SubmitAsync(new LaunchRequest { Selection = "*", PartitionKey = "2024-01-02" }, Ct));
        Assert.Contains("monthly", bad.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<OrchestrationException>(() => orchestrator.SubmitAsync(new LaunchRequest { Selection = "daily_output" }, Ct));
        Assert.Contains("give a partition key or launch a backfill", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multi_asset_computes_a_subset_and_reports_each_asset()
    {
        var computed = new List<string>();
        var multi = new AssetsDefinition("dbt_project", [new AssetSpec("stg_a"), new AssetSpec("stg_b"), new AssetSpec("fct") { Deps = [new AssetDependency("stg_a"), new AssetDependency("stg_b")] }], ctx =>
        {
            foreach (var key in ctx.Selected)
            {
                computed.Add(key.Path);
                if (key.Path == "stg_b")
                {
                    ctx.Failed(key, "stg_b: relation does not exist");
                }
                else if (key.Path == "fct")
                {
                    ctx.Skipped(key, "fct skipped: stg_b failed");
                }
                else
                {
                    ctx.Materialized(key, new Dictionary<string, object?> { ["relation"] = "main." + key.Path });
                }
            }

            return Task.CompletedTask;
        });
        var defs = Orchestration.Definitions.Definitions.Builder().Add(multi).Asset("export", _ => Task.CompletedTask, x => x.DependsOn("stg_a")).Build();
        await using var orchestrator = Orchestrator(defs);

        var subset = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "stg_a+" }, Ct);
        Assert.Equal(["stg_a", "export", "fct"], subset.Assets);

        computed.Clear();
        var run = await orchestrator.MaterializeAsync(new LaunchRequest { Selection = "stg_a stg_b fct" }, Ct);
        Assert.Equal(RunStatus.Failure, run.Status);
        Assert.Equal(["stg_a", "stg_b", "fct"], computed);
        var events = await Events.AllAsync(Storage, run.RunId);
        Assert.Equal("stg_b: relation does not exist", events.Single(e => e.Type == EventTypes.AssetFailed).Message);
        Assert.Contains("main.stg_a", events.Single(e => e.Type == EventTypes.Materialization).Data!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_queue_launches_by_priority_up_to_the_concurrency_limit()
    {
        var release = new TaskCompletionSource();
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("a", _ => release.Task)
            .Asset("b", _ => Task.CompletedTask)
            .Build();
        await using var orchestrator = Orchestrator(defs, new OrchestratorOptions { MaxConcurrentRuns = 1, HeartbeatInterval = TimeSpan.FromMilliseconds(50) });
        var low = await orchestrator.SubmitAsync(new LaunchRequest { Selection = "b" }, Ct);
        var high = await orchestrator.SubmitAsync(new LaunchRequest { Selection = "a", Priority = 5 }, Ct);

        Assert.Equal(1, await orchestrator.LaunchQueuedAsync(Ct));
        Assert.Equal(0, await orchestrator.LaunchQueuedAsync(Ct));
        Assert.Equal(RunStatus.Started, (await Storage.GetRunAsync(high.RunId, Ct))!.Status);
        Assert.Equal(RunStatus.Queued, (await Storage.GetRunAsync(low.RunId, Ct))!.Status);

        release.SetResult();
        await orchestrator.WhenIdleAsync();
        Assert.Equal(1, await orchestrator.LaunchQueuedAsync(Ct));
        await orchestrator.WhenIdleAsync();
        Assert.Equal(RunStatus.Success, (await Storage.GetRunAsync(low.RunId, Ct))!.Status);
    }
}

using System.Diagnostics;
using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Polly;
using Polly.Retry;

namespace Millwright.Orchestration.Execution;

/// <summary>
/// Executes one claimed run: plans steps, runs them in dependency order with bounded parallelism and concurrency
/// pools, retries failed steps by their policy, skips what depends on a failure, heartbeats, and stops when the run is
/// cancelled.
/// </summary>
internal sealed class RunExecution
{
    private readonly Orchestrator _orchestrator;
    private readonly EventSink _sink;
    private readonly JsonElement? _config;
    private Func<string, IReadOnlyList<string>> _dynamicKeys = _ => [];
    private readonly Dictionary<AssetKey, StepRun> _stepOf = [];
    private string? _firstFailure;

    public RunExecution(Orchestrator orchestrator, RunRecord run)
    {
        _orchestrator = orchestrator;
        Run = run;
        _sink = new EventSink(orchestrator.Storage, orchestrator.Options.OnEvent);
        _config = run.Config is { Length: > 0 } config ? JsonDocument.Parse(config).RootElement : null;
    }

    public RunRecord Run { get; }

    public Definitions.Definitions Definitions => _orchestrator.Definitions;

    public DateTimeOffset Now() => _orchestrator.Options.TimeProvider.GetUtcNow();

    /// <summary>The keys of a dynamic partition set, as read when the run started.</summary>
    public IReadOnlyList<string> DynamicKeys(string name) => _dynamicKeys(name);

    public JsonElement? ConfigFor(string step) =>
        _config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty(step, out var section) ? section : null;

    public void Emit(EventRecord e) => _sink.Emit(e with { RunId = Run.RunId, Timestamp = Now() });

    /// <summary>Runs the plan to the end; returns the run as it ended.</summary>
    public async Task<RunStatus> ExecuteAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watchStop = new CancellationTokenSource();
        var watcher = WatchAsync(cancel, watchStop.Token);
        Emit(new EventRecord { Type = EventTypes.RunStart, Message = $"started run of {Run.Assets.Count} asset(s) on {_orchestrator.HostId}" + (Run.PartitionKey is { } p ? $" for partition {p}" : "") });
        string? error = null;
        try
        {
            _dynamicKeys = await _orchestrator.DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
            var steps = Plan();
            var parallel = new SemaphoreSlim(_orchestrator.Options.MaxParallelSteps);
            var tasks = new Dictionary<StepRun, Task>();

            // No step starts until every step's task is in the dictionary: a step reads its upstream steps' tasks
            // from it, and a Dictionary read on another thread while this loop still writes can miss or break.
            var planned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var step in steps)
            {
                tasks[step] = RunStepAsync(step, tasks, planned.Task, parallel, cancel.Token);
            }

            planned.SetResult();
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrchestrationException or System.Data.Common.DbException)
        {
            error = e.Message;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever went wrong, the run ends (failed, saying why) instead of staying started for ever.
            error = $"the run stopped on an unexpected {e.GetType().Name}: {e.Message}";
        }

        await watchStop.CancelAsync().ConfigureAwait(false);
        await watcher.ConfigureAwait(false);

        var outcomes = _stepOf.Values.Distinct().SelectMany(s => s.Outcomes).ToList();
        var failed = outcomes.Where(o => o.Value is AssetOutcome.Failed or AssetOutcome.Blocked).Select(o => o.Key.Path).ToList();
        var skipped = outcomes.Count(o => o.Value is AssetOutcome.Skipped or AssetOutcome.Pending);
        RunStatus status;
        if (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            status = RunStatus.Canceled;
            Emit(new EventRecord { Type = EventTypes.RunCanceled, Level = "warning", Message = $"run canceled after {clock.Elapsed.TotalSeconds:0.00}s" });
        }
        else if (cancellationToken.IsCancellationRequested)
        {
            status = RunStatus.Failure;
            error = "the host stopped while the run was in progress";
            foreach (var (key, _) in outcomes.Where(o => o.Value is AssetOutcome.Pending or AssetOutcome.Skipped))
            {
                _stepOf[key].AssetFailed(key, $"{key} did not materialize: {error}");
            }

            Emit(new EventRecord { Type = EventTypes.RunFailure, Level = "error", Message = error });
        }
        else if (error is not null || failed.Count > 0)
        {
            status = RunStatus.Failure;
            error ??= $"{failed.Count} asset(s) failed: {string.Join(", ", failed.Take(10))}{(failed.Count > 10 ? ", ..." : "")}" + (skipped > 0 ? $"; {skipped} skipped" : "")
                + (_firstFailure is { } first ? $" (first: {first})" : "");
            Emit(new EventRecord { Type = EventTypes.RunFailure, Level = "error", Message = error });
        }
        else
        {
            status = RunStatus.Success;
            Emit(new EventRecord { Type = EventTypes.RunSuccess, Message = $"materialized {outcomes.Count(o => o.Value == AssetOutcome.Materialized)} asset(s) in {clock.Elapsed.TotalSeconds:0.000}s" });
        }

        await _sink.CompleteAsync().ConfigureAwait(false);
        await _orchestrator.Storage.TransitionRunAsync(Run.RunId, [RunStatus.Started, RunStatus.Canceling], status, Now(), failure: error, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        return status;
    }

    /// <summary>Heartbeats the run and notices a cancel request made through storage (from any process).</summary>
    private async Task WatchAsync(CancellationTokenSource cancel, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_orchestrator.Options.HeartbeatInterval, _orchestrator.Options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    await _orchestrator.Storage.HeartbeatRunsAsync([Run.RunId], Now(), stop).ConfigureAwait(false);
                    var current = await _orchestrator.Storage.GetRunAsync(Run.RunId, stop).ConfigureAwait(false);
                    if (current?.Status == RunStatus.Canceling)
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
                {
                    // A busy store delays one heartbeat; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private List<StepRun> Plan()
    {
        var selected = Run.Assets.Select(a => new AssetKey(a)).Where(Definitions.Contains).ToList();
        var missing = Run.Assets.Where(a => !Definitions.Contains(a)).ToList();
        if (missing.Count > 0)
        {
            throw new OrchestrationException($"the run names asset(s) no longer defined: {string.Join(", ", missing)}");
        }

        var steps = Group(selected, split: false);
        if (HasCycle(steps))
        {
            _stepOf.Clear();
            steps = Group(selected, split: true);
            if (HasCycle(steps))
            {
                throw new OrchestrationException("the selected assets' computations depend on each other in a cycle");
            }
        }

        return steps;
    }

    private List<StepRun> Group(List<AssetKey> selected, bool split)
    {
        var steps = new List<StepRun>();
        foreach (var group in selected.GroupBy(Definitions.Owner))
        {
            var chunks = split && group.Key.CanSubset ? group.Select(k => (IReadOnlyList<AssetKey>)[k]) : [group.ToList()];
            foreach (var chunk in chunks)
            {
                var step = new StepRun(this, group.Key, chunk);
                steps.Add(step);
                foreach (var key in chunk)
                {
                    _stepOf[key] = step;
                }
            }
        }

        foreach (var step in steps)
        {
            step.Upstream.AddRange(step.Assets
                .SelectMany(Definitions.Upstream)
                .Where(_stepOf.ContainsKey)
                .Select(k => _stepOf[k])
                .Where(s => s != step)
                .Distinct());
        }

        return steps;
    }

    private static bool HasCycle(List<StepRun> steps)
    {
        var state = new Dictionary<StepRun, int>();
        bool Visit(StepRun step)
        {
            if (state.TryGetValue(step, out var s))
            {
                return s == 1;
            }

            state[step] = 1;
            if (step.Upstream.Any(Visit))
            {
                return true;
            }

            state[step] = 2;
            return false;
        }

        return steps.Any(Visit);
    }

    private async Task RunStepAsync(StepRun step, Dictionary<StepRun, Task> tasks, Task planned, SemaphoreSlim parallel, CancellationToken cancellationToken)
    {
        await planned.ConfigureAwait(false);
        foreach (var upstream in step.Upstream)
        {
            // The dictionary is complete (and only read) once planned has completed.
            await tasks[upstream].ConfigureAwait(false);
        }

        var runnable = new List<AssetKey>();
        foreach (var key in step.Assets)
        {
            // Assets come upstream first, so a same-step upstream skipped just before counts too.
            var blocker = Definitions.Upstream(key).FirstOrDefault(u => _stepOf.TryGetValue(u, out var s) && (s != step ? s.Outcomes[u] != AssetOutcome.Materialized : s.Outcomes[u] == AssetOutcome.Skipped));
            if (cancellationToken.IsCancellationRequested)
            {
                step.AssetSkipped(key, $"skipped {key}: the run was canceled");
            }
            else if (blocker != default)
            {
                var why = _stepOf[blocker].Outcomes[blocker] == AssetOutcome.Blocked ? "failed a blocking check" : _stepOf[blocker].Outcomes[blocker] == AssetOutcome.Failed ? "failed" : "was skipped";
                step.AssetSkipped(key, $"skipped {key}: upstream {blocker} {why}");
            }
            else
            {
                runnable.Add(key);
            }
        }

        if (runnable.Count == 0)
        {
            step.Emit(new EventRecord { Type = EventTypes.StepSkipped, Level = "warning", Message = $"step {step.Node.Name} skipped" });
            return;
        }

        if (runnable.Count < step.Assets.Count && !step.Node.CanSubset)
        {
            foreach (var key in runnable)
            {
                step.AssetSkipped(key, $"skipped {key}: '{step.Node.Name}' computes its assets together and some of them cannot run");
            }

            step.Emit(new EventRecord { Type = EventTypes.StepSkipped, Level = "warning", Message = $"step {step.Node.Name} skipped" });
            return;
        }

        var pool = step.Node.Pool is { } name ? _orchestrator.Pool(name) : null;
        await parallel.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (pool is not null)
            {
                await pool.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await ExecuteStepAsync(step, runnable, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                pool?.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var key in runnable.Where(k => step.Outcomes[k] == AssetOutcome.Pending))
            {
                step.AssetSkipped(key, $"skipped {key}: the run was canceled");
            }
        }
        finally
        {
            parallel.Release();
        }
    }

    private async Task ExecuteStepAsync(StepRun step, List<AssetKey> assets, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        step.Emit(new EventRecord { Type = EventTypes.StepStart, Message = $"started {step.Node.Name}" + (assets.Count > 1 ? $" ({assets.Count} assets)" : "") });
        var attempt = 0;
        var pipeline = RetryPipeline(step, () => attempt, cancellationToken);
        try
        {
            await pipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    var pending = assets.Where(k => step.Outcomes[k] is AssetOutcome.Pending or AssetOutcome.Failed).ToList();
                    foreach (var key in pending)
                    {
                        step.Outcomes[key] = AssetOutcome.Pending;
                    }

                    var context = new AssetContext(step, pending, attempt, token);
                    var started = Stopwatch.StartNew();
                    await step.Node.Compute!(context).ConfigureAwait(false);
                    foreach (var key in pending.Where(k => step.Outcomes[k] == AssetOutcome.Pending))
                    {
                        step.Materialized(key, context.Metadata, started.Elapsed);
                    }

                    var failed = pending.Where(k => step.Outcomes[k] == AssetOutcome.Failed).ToList();
                    if (failed.Count > 0)
                    {
                        throw new StepFailedException($"{failed.Count} of {pending.Count} asset(s) failed: {string.Join(", ", failed)}");
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Interlocked.CompareExchange(ref _firstFailure, $"{step.Node.Name}: {e.Message}", null);
            foreach (var key in assets.Where(k => step.Outcomes[k] == AssetOutcome.Pending))
            {
                step.AssetFailed(key, $"{key} failed: {e.Message}");
            }

            step.Emit(new EventRecord
            {
                Type = EventTypes.StepFailure,
                Level = "error",
                Message = $"{step.Node.Name} failed after {attempt} attempt(s): {e.Message}",
                Data = JsonSerializer.Serialize(new { error = e.GetType().Name, message = e.Message, stack = e is StepFailedException ? null : e.ToString(), attempts = attempt }),
            });
            return;
        }

        await RunChecksAsync(step, assets, cancellationToken).ConfigureAwait(false);
        step.Emit(new EventRecord
        {
            Type = EventTypes.StepSuccess,
            Message = $"{step.Node.Name} succeeded in {clock.Elapsed.TotalMilliseconds:0.0} ms" + (attempt > 1 ? $" on attempt {attempt}" : ""),
            Data = JsonSerializer.Serialize(new { duration_ms = Math.Round(clock.Elapsed.TotalMilliseconds, 3), attempts = attempt }),
        });
    }

    private static async Task RunChecksAsync(StepRun step, List<AssetKey> assets, CancellationToken cancellationToken)
    {
        var materialized = assets.Where(a => step.Outcomes[a] == AssetOutcome.Materialized).ToHashSet();
        foreach (var check in step.Node.Checks.Where(c => c.Evaluate is not null && materialized.Contains(c.Asset)))
        {
            CheckOutcome outcome;
            try
            {
                outcome = await check.Evaluate!(new AssetContext(step, [check.Asset], 1, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                outcome = new CheckOutcome(false, $"check {check.Name} on {check.Asset} raised {e.GetType().Name}: {e.Message}");
            }

            step.CheckResult(check.Asset, check.Name, outcome, check.Blocking);
        }
    }

    private ResiliencePipeline RetryPipeline(StepRun step, Func<int> attempt, CancellationToken cancellationToken)
    {
        if (step.Node.Retry is not { MaxRetries: > 0 } policy)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = _orchestrator.Options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.MaxRetries,
                Delay = policy.Delay,
                MaxDelay = policy.MaxDelay,
                UseJitter = policy.Jitter,
                BackoffType = policy.Backoff switch
                {
                    Backoff.Constant => DelayBackoffType.Constant,
                    Backoff.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => !(e is OperationCanceledException && cancellationToken.IsCancellationRequested)),
                OnRetry = args =>
                {
                    var error = args.Outcome.Exception;
                    step.Emit(new EventRecord
                    {
                        Type = EventTypes.StepRetry,
                        Level = "warning",
                        Message = $"{step.Node.Name} attempt {attempt()} of {policy.MaxRetries + 1} failed ({error?.Message}); retrying in {args.RetryDelay.TotalMilliseconds:0} ms",
                        Data = JsonSerializer.Serialize(new
                        {
                            attempt = attempt(),
                            max_attempts = policy.MaxRetries + 1,
                            delay_ms = Math.Round(args.RetryDelay.TotalMilliseconds, 3),
                            backoff = policy.Backoff.ToString().ToLowerInvariant(),
                            error = error?.GetType().Name,
                            message = error?.Message,
                        }),
                    });
                    return default;
                },
            })
            .Build();
    }

    private sealed class StepFailedException(string message) : Exception(message);
}

using System.Collections.Concurrent;
using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Execution;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration;

/// <summary>How an orchestrator runs: limits, heartbeats, retention, the clock and an event listener.</summary>
public sealed record OrchestratorOptions
{
    /// <summary>Runs in progress at once across the deployment; more wait in the queue.</summary>
    public int MaxConcurrentRuns { get; init; } = 4;

    /// <summary>Steps of one run that execute at once.</summary>
    public int MaxParallelSteps { get; init; } = Math.Max(2, Environment.ProcessorCount);

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A run whose host has not heartbeated for this long is marked failed.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long event logs, ticks and finished runs are kept (each asset's latest materialization and check are always kept).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(30);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called with each stored event of runs this process executes (live progress).</summary>
    public Action<EventRecord>? OnEvent { get; init; }
}

/// <summary>A request to materialize assets.</summary>
public sealed record LaunchRequest
{
    /// <summary>The assets, in selection syntax (see <see cref="AssetSelection"/>).</summary>
    public string Selection { get; init; } = "*";

    public string? Exclude { get; init; }

    public string? PartitionKey { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>A JSON object keyed by step name; each step's section binds to its config type.</summary>
    public string? Config { get; init; }

    public int Priority { get; init; }

    internal string? Instigator { get; init; }

    internal string? RunKey { get; init; }

    internal string? BackfillId { get; init; }

    internal string? ParentRunId { get; init; }

    internal string? RootRunId { get; init; }

    /// <summary>Exact keys instead of a selection (re-execution, backfills).</summary>
    internal IReadOnlyList<AssetKey>? Assets { get; init; }
}

/// <summary>An asset with its latest state, for listings and the API.</summary>
public sealed record AssetView(
    AssetSpec Spec,
    string Status,
    DateTimeOffset? LastMaterializedAt,
    string? LastRunId,
    string? Metadata,
    bool Stale,
    bool External,
    string? InProgressRunId,
    IReadOnlyList<CheckStatusRecord> Checks,
    PartitionCounts? Partitions);

/// <summary>A schedule or sensor with its state.</summary>
public sealed record InstigatorView(string Name, string Kind, bool Running, string Description, string Target, TickRecord? LastTick, DateTimeOffset? NextTick, string? Cursor);

/// <summary>How many partitions are materialized, failed (last attempt) or missing.</summary>
public sealed record PartitionCounts(int Total, int Materialized, int Failed, int Missing);

/// <summary>One partition of an asset and its state.</summary>
public sealed record PartitionView(string Key, string Status, DateTimeOffset? LastMaterializedAt, string? RunId);

/// <summary>
/// The orchestrator of one deployment: submits, executes, re-executes and cancels runs, launches backfills and queued
/// runs, recovers runs whose host died, and reports asset status. The daemon drives it on a loop.
/// </summary>
public sealed class Orchestrator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Task> _background = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SemaphoreSlim> _pools;
    private readonly CancellationTokenSource _shutdown = new();

    public Orchestrator(Definitions.Definitions definitions, IOrchestrationStorage storage, OrchestratorOptions? options = null)
    {
        Definitions = definitions ?? throw new ArgumentNullException(nameof(definitions));
        Storage = storage ?? throw new ArgumentNullException(nameof(storage));
        Options = options ?? new OrchestratorOptions();
        HostId = HostIdentity.ForCurrentProcess();
        _pools = definitions.Pools.ToDictionary(p => p.Key, p => new SemaphoreSlim(p.Value, p.Value), StringComparer.Ordinal);
        DynamicPartitionSets = DynamicDefinitions().Select(d => d.Name).Distinct(StringComparer.Ordinal).ToList();
    }

    public Definitions.Definitions Definitions { get; }

    public IOrchestrationStorage Storage { get; }

    public OrchestratorOptions Options { get; }

    /// <summary>This process, as recorded on the runs it executes.</summary>
    public string HostId { get; }

    internal SemaphoreSlim Pool(string name) => _pools[name];

    private DateTimeOffset Now => Options.TimeProvider.GetUtcNow();

    /// <summary>Queues a run; the daemon (or <see cref="ExecuteAsync"/>) executes it.</summary>
    public async Task<RunRecord> SubmitAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        var run = await PrepareAsync(request, cancellationToken).ConfigureAwait(false);
        var stored = await SubmitManyAsync([run], cancellationToken).ConfigureAwait(false);
        return stored.Count == 1
            ? stored[0]
            : throw new OrchestrationException($"run key '{run.RunKey}' of {run.Instigator} was already used");
    }

    /// <summary>Queues a run and executes it in this process; returns the run as it ended.</summary>
    public async Task<RunRecord> MaterializeAsync(LaunchRequest request, CancellationToken cancellationToken = default)
    {
        var run = await SubmitAsync(request, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(run.RunId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Claims a queued run and executes it here to the end.</summary>
    public async Task<RunRecord> ExecuteAsync(string runId, CancellationToken cancellationToken = default)
    {
        if (!await Storage.TransitionRunAsync(runId, [RunStatus.Queued], RunStatus.Started, Now, HostId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var current = await Storage.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
                ?? throw new OrchestrationException($"no run {runId}");
            throw new OrchestrationException($"run {runId} is {current.Status.Name()}, not QUEUED: it cannot start here");
        }

        var run = (await Storage.GetRunAsync(runId, cancellationToken).ConfigureAwait(false))!;
        await new RunExecution(this, run).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        return (await Storage.GetRunAsync(runId, CancellationToken.None).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Queues a new run of a finished run's assets: all of them, or (<paramref name="fromFailure"/>) only those that
    /// failed or were skipped, with the same partition, tags and config.
    /// </summary>
    public async Task<RunRecord> ReexecuteAsync(string runId, bool fromFailure, CancellationToken cancellationToken = default)
    {
        var run = await Storage.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new OrchestrationException($"no run {runId}");
        if (!run.Status.IsFinished())
        {
            throw new OrchestrationException($"run {runId} is {run.Status.Name()}; re-execute it once it has finished");
        }

        var assets = run.Assets.Select(a => new AssetKey(a)).ToList();
        if (fromFailure)
        {
            if (run.Status == RunStatus.Success)
            {
                throw new OrchestrationException($"run {runId} succeeded: nothing to re-execute from failure");
            }

            var done = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var e in Storage.ReadRunEventsAsync(runId, cancellationToken).ConfigureAwait(false))
            {
                if (e.Type == EventTypes.Materialization && e.AssetKey is { } key)
                {
                    done.Add(key);
                }
                else if (e.Type == EventTypes.CheckEvaluation && e.AssetKey is { } checkedKey && e.Data is { } data && data.Contains("\"passed\":false", StringComparison.Ordinal) && data.Contains("\"blocking\":true", StringComparison.Ordinal))
                {
                    done.Remove(checkedKey);
                }
            }

            assets = assets.Where(a => !done.Contains(a.Path)).ToList();
        }

        return await SubmitAsync(new LaunchRequest
        {
            Assets = assets,
            PartitionKey = run.PartitionKey,
            Tags = run.Tags,
            Config = run.Config,
            Priority = run.Priority,
            ParentRunId = run.RunId,
            RootRunId = run.RootRunId ?? run.RunId,
            BackfillId = run.BackfillId,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a queued run at once; asks a running one to stop (its host notices within a heartbeat).</summary>
    public async Task<RunStatus> CancelAsync(string runId, CancellationToken cancellationToken = default)
    {
        var now = Now;
        if (await Storage.TransitionRunAsync(runId, [RunStatus.Queued], RunStatus.Canceled, now, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await Storage.AppendEventsAsync([new EventRecord { RunId = runId, Timestamp = now, Type = EventTypes.RunCanceled, Level = "warning", Message = "canceled before it started" }], cancellationToken).ConfigureAwait(false);
            return RunStatus.Canceled;
        }

        if (await Storage.TransitionRunAsync(runId, [RunStatus.Started, RunStatus.Starting], RunStatus.Canceling, now, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await Storage.AppendEventsAsync([new EventRecord { RunId = runId, Timestamp = now, Type = EventTypes.RunCanceling, Level = "warning", Message = "cancel requested" }], cancellationToken).ConfigureAwait(false);
            return RunStatus.Canceling;
        }

        var run = await Storage.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw new OrchestrationException($"no run {runId}");
        return run.Status.IsFinished() ? throw new OrchestrationException($"run {runId} already ended ({run.Status.Name()})") : run.Status;
    }

    /// <summary>
    /// Requests a backfill: one run per partition key (in order) of <paramref name="selection"/>; the daemon submits
    /// the runs and resumes where it stopped after a restart.
    /// </summary>
    public async Task<BackfillRecord> BackfillAsync(string selection, IReadOnlyList<string>? partitions, string? from, string? to, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        var assets = AssetSelection.Select(Definitions, selection).Where(k => !Definitions.Owner(k).IsExternal).ToList();
        var partitioned = assets.Select(Definitions.Spec).Where(s => s.Partitions is not null).ToList();
        if (partitioned.Count == 0)
        {
            throw new OrchestrationException($"selection '{selection}' has no partitioned asset to backfill");
        }

        ValidateTags(tags ?? new Dictionary<string, string>(), assets, null);
        var definition = partitioned[0].Partitions!;
        var dynamic = await DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> keys = partitions is { Count: > 0 }
            ? partitions
            : from is null && to is null
                ? definition.GetKeys(Now, n => dynamic(n))
                : definition.Range(from ?? definition.GetKeys(Now, n => dynamic(n))[0], to ?? definition.GetKeys(Now, n => dynamic(n))[^1], Now, n => dynamic(n));
        foreach (var key in keys)
        {
            foreach (var spec in partitioned)
            {
                try
                {
                    spec.Partitions!.ValidateKey(key);
                }
                catch (OrchestrationException e)
                {
                    throw new OrchestrationException($"backfill of {spec.Key}: {e.Message}", e);
                }
            }
        }

        if (keys.Count == 0)
        {
            throw new OrchestrationException($"the backfill of '{selection}' names no partition");
        }

        var backfill = new BackfillRecord
        {
            Id = NewId(),
            Assets = assets.Select(a => a.Path).ToList(),
            Partitions = keys,
            Tags = tags ?? new Dictionary<string, string>(),
            CreatedAt = Now,
        };
        await Storage.AddBackfillAsync(backfill, cancellationToken).ConfigureAwait(false);
        return backfill;
    }

    /// <summary>Submits up to <paramref name="limit"/> more runs of a backfill; completes it once every run is submitted and finished.</summary>
    public async Task<int> SubmitBackfillRunsAsync(BackfillRecord backfill, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        var next = backfill.Partitions.Skip(backfill.Submitted).Take(limit).ToList();
        if (next.Count > 0)
        {
            var assets = backfill.Assets.Select(a => new AssetKey(a)).Where(Definitions.Contains).ToList();
            var dynamic = await DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
            var runs = new List<RunRecord>(next.Count);
            foreach (var partition in next)
            {
                runs.Add(await PrepareAsync(new LaunchRequest
                {
                    Assets = assets,
                    PartitionKey = partition,
                    Tags = new Dictionary<string, string>(backfill.Tags) { ["millwright/backfill"] = backfill.Id, ["millwright/partition"] = partition },
                    Instigator = "backfill:" + backfill.Id,
                    RunKey = partition,
                    BackfillId = backfill.Id,
                }, cancellationToken, dynamic).ConfigureAwait(false));
            }

            // The run key (the partition) makes a resubmission after a crash between these two writes a no-op.
            await SubmitManyAsync(runs, cancellationToken).ConfigureAwait(false);
            await Storage.UpdateBackfillAsync(backfill.Id, BackfillStatus.Requested, backfill.Submitted + next.Count, null, null, cancellationToken).ConfigureAwait(false);
            return next.Count;
        }

        var active = await Storage.GetRunsAsync(new RunFilter { BackfillId = backfill.Id, Statuses = [RunStatus.Queued, RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = 1 }, cancellationToken).ConfigureAwait(false);
        if (active.Count == 0)
        {
            await Storage.UpdateBackfillAsync(backfill.Id, BackfillStatus.Completed, backfill.Submitted, Now, null, cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Cancels a backfill: no more runs are submitted and its queued runs are canceled.</summary>
    public async Task CancelBackfillAsync(string id, CancellationToken cancellationToken = default)
    {
        var backfill = await Storage.GetBackfillAsync(id, cancellationToken).ConfigureAwait(false) ?? throw new OrchestrationException($"no backfill {id}");
        await Storage.UpdateBackfillAsync(id, BackfillStatus.Canceled, backfill.Submitted, Now, null, cancellationToken).ConfigureAwait(false);
        foreach (var run in await Storage.GetRunsAsync(new RunFilter { BackfillId = id, Statuses = [RunStatus.Queued], Limit = 100_000 }, cancellationToken).ConfigureAwait(false))
        {
            await CancelAsync(run.RunId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts queued runs in the background (highest priority first) while fewer than the maximum are in progress.</summary>
    public async Task<int> LaunchQueuedAsync(CancellationToken cancellationToken = default)
    {
        var active = await Storage.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = Options.MaxConcurrentRuns + 1 }, cancellationToken).ConfigureAwait(false);
        var free = Options.MaxConcurrentRuns - active.Count;
        if (free <= 0)
        {
            return 0;
        }

        var launched = 0;
        foreach (var run in await Storage.GetQueuedRunsAsync(free, cancellationToken).ConfigureAwait(false))
        {
            if (!await Storage.TransitionRunAsync(run.RunId, [RunStatus.Queued], RunStatus.Started, Now, HostId, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var claimed = run with { Status = RunStatus.Started, Host = HostId };

            // Registered before it starts, so a run that ends at once is also removed at once.
            var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _background[run.RunId] = Task.Run(async () =>
            {
                await registered.Task.ConfigureAwait(false);
                try
                {
                    await new RunExecution(this, claimed).ExecuteAsync(_shutdown.Token).ConfigureAwait(false);
                }
                finally
                {
                    _background.TryRemove(run.RunId, out _);
                }
            }, CancellationToken.None);
            registered.SetResult();
            launched++;
        }

        return launched;
    }

    /// <summary>Waits until every run this process started in the background has ended.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_background.Values.ToArray());

    /// <summary>
    /// Marks failed every run in progress whose host is gone: a process on this machine that no longer exists, or any
    /// host silent for longer than the heartbeat timeout. A run is never left "started" forever.
    /// </summary>
    public async Task<IReadOnlyList<string>> RecoverLostRunsAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        var recovered = new List<string>();
        var active = await Storage.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
        foreach (var run in active.Where(r => r.Host != HostId))
        {
            var silent = now - (run.HeartbeatAt ?? run.StartedAt ?? run.CreatedAt);
            var gone = run.Host is { } host && HostIdentity.IsGone(host);
            if (!gone && silent <= Options.HeartbeatTimeout)
            {
                continue;
            }

            var reason = gone
                ? $"run worker lost: its host {run.Host} is no longer running"
                : $"run worker lost: its host {run.Host} has not heartbeated for {silent.TotalSeconds:0} s";
            if (await Storage.TransitionRunAsync(run.RunId, [RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], RunStatus.Failure, now, failure: reason, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var materialized = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var e in Storage.ReadRunEventsAsync(run.RunId, cancellationToken).ConfigureAwait(false))
                {
                    if (e.Type == EventTypes.Materialization && e.AssetKey is { } key)
                    {
                        materialized.Add(key);
                    }
                }

                var events = run.Assets.Where(a => !materialized.Contains(a)).Select(a => new EventRecord
                {
                    RunId = run.RunId,
                    Timestamp = now,
                    Type = EventTypes.AssetFailed,
                    AssetKey = a,
                    PartitionKey = Definitions.Contains(a) && Definitions.Spec(a).Partitions is not null ? run.PartitionKey : null,
                    Level = "error",
                    Message = reason,
                }).ToList();
                events.Add(new EventRecord { RunId = run.RunId, Timestamp = now, Type = EventTypes.RunFailure, Level = "error", Message = reason });
                await Storage.AppendEventsAsync(events, cancellationToken).ConfigureAwait(false);
                recovered.Add(run.RunId);
            }
        }

        return recovered;
    }

    /// <summary>Starts or stops a schedule or sensor (stored, so every host sees it).</summary>
    public async Task SetInstigatorRunningAsync(string name, bool running, CancellationToken cancellationToken = default)
    {
        var kind = Definitions.Schedules.Any(s => s.Name == name) ? "schedule" : Definitions.Sensors.Any(s => s.Name == name) ? "sensor"
            : throw new OrchestrationException($"no schedule or sensor named '{name}' (defined: {string.Join(", ", Definitions.Schedules.Select(s => s.Name).Concat(Definitions.Sensors.Select(s => s.Name)))})");
        var state = await Storage.GetInstigatorAsync(name, cancellationToken).ConfigureAwait(false);

        // A schedule started again counts from now: it does not fire for the ticks it missed while stopped.
        var cursor = kind == "schedule" && running && state is { Running: false } ? null : state?.Cursor;
        await Storage.SetInstigatorAsync(new InstigatorState(name, kind, running, cursor, state?.UpdatedAt ?? DateTimeOffset.MinValue), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every schedule and sensor with its state, last tick and (schedules) next tick.</summary>
    public async Task<IReadOnlyList<InstigatorView>> GetInstigatorsAsync(CancellationToken cancellationToken = default)
    {
        var views = new List<InstigatorView>();
        foreach (var schedule in Definitions.Schedules)
        {
            var state = await Storage.GetInstigatorAsync(schedule.Name, cancellationToken).ConfigureAwait(false);
            var ticks = await Storage.GetTicksAsync(schedule.Name, 1, cancellationToken).ConfigureAwait(false);
            var running = state?.Running ?? schedule.RunningByDefault;
            views.Add(new InstigatorView(schedule.Name, "schedule", running, $"{schedule.Cron} ({schedule.TimeZone})", schedule.Target, ticks.Count > 0 ? ticks[0] : null, running ? schedule.NextTick(Now) : null, state?.Cursor));
        }

        foreach (var sensor in Definitions.Sensors)
        {
            var state = await Storage.GetInstigatorAsync(sensor.Name, cancellationToken).ConfigureAwait(false);
            var ticks = await Storage.GetTicksAsync(sensor.Name, 1, cancellationToken).ConfigureAwait(false);
            var running = state?.Running ?? sensor.RunningByDefault;
            views.Add(new InstigatorView(sensor.Name, "sensor", running, $"{sensor.Kind}: {sensor.Description} every {sensor.Interval.TotalSeconds:0.#} s", sensor.Target, ticks.Count > 0 ? ticks[0] : null, null, state?.Cursor));
        }

        return views;
    }

    /// <summary>Every asset with its latest state, upstream first.</summary>
    public async Task<IReadOnlyList<AssetView>> GetAssetsAsync(CancellationToken cancellationToken = default)
    {
        var statuses = (await Storage.GetAssetStatusAsync(null, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.AssetKey, StringComparer.Ordinal);
        var checks = (await Storage.GetCheckStatusAsync(cancellationToken).ConfigureAwait(false)).ToLookup(c => c.AssetKey, StringComparer.Ordinal);
        var active = await Storage.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Queued, RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = 1000 }, cancellationToken).ConfigureAwait(false);
        var inProgress = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in active.OrderBy(r => r.CreatedAt))
        {
            foreach (var asset in run.Assets)
            {
                inProgress.TryAdd(asset, run.RunId);
            }
        }

        var dynamic = await DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
        var views = new List<AssetView>();
        foreach (var spec in Definitions.Assets)
        {
            statuses.TryGetValue(spec.Key.Path, out var status);
            var lastAt = status?.LastMaterializationAt;
            var stale = lastAt is not null && spec.Deps.Any(d => statuses.TryGetValue(d.Asset.Path, out var up) && up.LastMaterializationAt > lastAt);
            PartitionCounts? counts = null;
            if (spec.Partitions is not null)
            {
                var partitions = await GetPartitionsAsync(spec.Key, dynamic, cancellationToken).ConfigureAwait(false);
                counts = new PartitionCounts(partitions.Count, partitions.Count(p => p.Status == "MATERIALIZED"), partitions.Count(p => p.Status == "FAILED"), partitions.Count(p => p.Status == "MISSING"));
            }

            var external = Definitions.Owner(spec.Key).IsExternal;
            var state = inProgress.ContainsKey(spec.Key.Path) ? "IN_PROGRESS"
                : status?.LastFailureAt is { } failedAt && (lastAt is null || failedAt > lastAt) ? "FAILED"
                : lastAt is not null ? "MATERIALIZED"
                : external ? "EXTERNAL"
                : "MISSING";
            views.Add(new AssetView(spec, state, lastAt, status?.LastMaterializationRunId, status?.Metadata, stale, external, inProgress.GetValueOrDefault(spec.Key.Path), checks[spec.Key.Path].ToList(), counts));
        }

        return views;
    }

    /// <summary>Each partition of a partitioned asset with its state.</summary>
    public async Task<IReadOnlyList<PartitionView>> GetPartitionsAsync(AssetKey asset, CancellationToken cancellationToken = default) =>
        await GetPartitionsAsync(asset, await DynamicKeysAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<PartitionView>> GetPartitionsAsync(AssetKey asset, Func<string, IReadOnlyList<string>> dynamic, CancellationToken cancellationToken)
    {
        var spec = Definitions.Spec(asset);
        if (spec.Partitions is null)
        {
            throw new OrchestrationException($"asset {asset} is not partitioned");
        }

        var rows = (await Storage.GetAssetStatusAsync(asset.Path, cancellationToken).ConfigureAwait(false)).Where(r => r.PartitionKey.Length > 0).ToDictionary(r => r.PartitionKey, StringComparer.Ordinal);
        return spec.Partitions.GetKeys(Now, n => dynamic(n)).Select(key => rows.TryGetValue(key, out var row)
            ? new PartitionView(key, row.LastFailureAt is { } f && (row.LastMaterializationAt is null || f > row.LastMaterializationAt) ? "FAILED" : row.LastMaterializationAt is null ? "MISSING" : "MATERIALIZED", row.LastMaterializationAt, row.LastMaterializationRunId ?? row.LastFailureRunId)
            : new PartitionView(key, "MISSING", null, null)).ToList();
    }

    /// <summary>The dynamic partition sets the definitions use.</summary>
    public IReadOnlyList<string> DynamicPartitionSets { get; }

    /// <summary>Adds keys to a dynamic partition set (keys already there are left as they are).</summary>
    public async Task AddDynamicPartitionsAsync(string name, IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        var set = DynamicSet(name);
        foreach (var key in keys)
        {
            set.ValidateKey(key);
        }

        await Storage.AddDynamicPartitionsAsync(name, keys, Now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a key from a dynamic partition set; its materializations stay in the event log.</summary>
    public async Task RemoveDynamicPartitionAsync(string name, string key, CancellationToken cancellationToken = default)
    {
        DynamicSet(name);
        await Storage.DeleteDynamicPartitionAsync(name, key, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<DynamicPartitions> DynamicDefinitions() => Definitions.Assets
        .Select(s => s.Partitions)
        .SelectMany(p => p is MultiPartitions m ? m.Dimensions.Select(d => d.Value) : p is null ? [] : [p])
        .OfType<DynamicPartitions>();

    private DynamicPartitions DynamicSet(string name) =>
        DynamicDefinitions().FirstOrDefault(d => d.Name == name)
        ?? throw new OrchestrationException($"no asset uses dynamic partitions '{name}' (sets: {string.Join(", ", DynamicPartitionSets)})");

    /// <summary>Reads every dynamic partition set the definitions use, once.</summary>
    internal async Task<Func<string, IReadOnlyList<string>>> DynamicKeysAsync(CancellationToken cancellationToken)
    {
        var names = DynamicPartitionSets;
        var keys = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            keys[name] = await Storage.GetDynamicPartitionsAsync(name, cancellationToken).ConfigureAwait(false);
        }

        return name => keys.TryGetValue(name, out var k) ? k : [];
    }

    internal async Task<IReadOnlyList<RunRecord>> SubmitManyAsync(IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken)
    {
        var stored = await Storage.AddRunsAsync(runs, cancellationToken).ConfigureAwait(false);
        await Storage.AppendEventsAsync(stored.Select(r => new EventRecord
        {
            RunId = r.RunId,
            Timestamp = r.CreatedAt,
            Type = EventTypes.RunQueued,
            Message = $"queued {r.Assets.Count} asset(s)" + (r.Instigator is { } i ? $" by {i}" : "") + (r.PartitionKey is { } p ? $" for partition {p}" : ""),
        }).ToList(), cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>Validates a request (selection, partition, config) and makes its run record.</summary>
    /// <summary>
    /// Tags are plain text without NUL; a file tag must name a real file inside a folder that one of
    /// <paramref name="assets"/>' computations reads from, or that the requesting file sensor watches.
    /// </summary>
    private void ValidateTags(IReadOnlyDictionary<string, string> tags, IEnumerable<AssetKey> assets, string? instigator)
    {
        foreach (var (name, value) in tags)
        {
            if (name.Length is 0 or > 200 || value.Length > 4000 || name.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new OrchestrationException($"tag '{name.Replace('\0', '?')}': a tag name is 1 to 200 characters and a value at most 4,000, without NUL characters");
            }
        }

        if (tags.TryGetValue(RunFiles.Tag, out var file))
        {
            var sensorFolder = Definitions.Sensors.FirstOrDefault(s => s.Name == instigator)?.Folder;
            RunFiles.Resolve(file, [.. assets.Select(Definitions.Owner).Distinct().SelectMany(n => n.FileFolders).Append(sensorFolder).OfType<string>().Distinct()]);
        }
    }

    internal async Task<RunRecord> PrepareAsync(LaunchRequest request, CancellationToken cancellationToken, Func<string, IReadOnlyList<string>>? dynamicKeys = null)
    {
        var assets = (request.Assets ?? AssetSelection.Select(Definitions, request.Selection, request.Exclude))
            .Where(k => Definitions.Contains(k) && !Definitions.Owner(k).IsExternal)
            .ToHashSet();

        // A computation that cannot run a subset of its assets runs all of them.
        foreach (var node in assets.Select(Definitions.Owner).Distinct().Where(n => !n.CanSubset).ToList())
        {
            assets.UnionWith(node.Specs.Select(s => s.Key));
        }

        if (assets.Count == 0)
        {
            throw new OrchestrationException($"selection '{request.Selection}' names no asset that Millwright materializes (external assets are updated outside it)");
        }

        var ordered = Definitions.TopologicalOrder.Where(assets.Contains).ToList();
        if (request.PartitionKey is { } partition)
        {
            var partitioned = ordered.Select(Definitions.Spec).Where(s => s.Partitions is not null).ToList();
            if (partitioned.Count == 0)
            {
                throw new OrchestrationException($"partition '{partition}' was given but none of the selected assets is partitioned");
            }

            var dynamic = dynamicKeys ?? await DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
            foreach (var spec in partitioned)
            {
                spec.Partitions!.ValidateKey(partition);
                if (spec.Partitions is DynamicPartitions d && !dynamic(d.Name).Contains(partition))
                {
                    throw new OrchestrationException($"partition '{partition}' of {spec.Key} is not in dynamic partitions '{d.Name}' (add it first)");
                }
            }
        }
        else
        {
            var partitioned = ordered.Select(Definitions.Spec).FirstOrDefault(s => s.Partitions is not null);
            if (partitioned is not null && request.BackfillId is null)
            {
                throw new OrchestrationException($"{partitioned.Key} is partitioned ({partitioned.Partitions!.Description}): give a partition key or launch a backfill");
            }
        }

        ValidateTags(request.Tags, ordered, request.Instigator);

        JsonElement? config = null;
        if (request.Config is { Length: > 0 } text)
        {
            try
            {
                config = JsonDocument.Parse(text).RootElement;
            }
            catch (JsonException e)
            {
                throw new OrchestrationException($"run config is not JSON: {e.Message}", e);
            }

            if (config.Value.ValueKind != JsonValueKind.Object)
            {
                throw new OrchestrationException("run config must be a JSON object keyed by step name");
            }

            var steps = ordered.Select(Definitions.Owner).Distinct().ToDictionary(n => n.Name, StringComparer.Ordinal);
            foreach (var section in config.Value.EnumerateObject())
            {
                if (!steps.ContainsKey(section.Name))
                {
                    throw new OrchestrationException($"run config names step '{section.Name}', which this run does not execute");
                }
            }
        }

        foreach (var node in ordered.Select(Definitions.Owner).Distinct().Where(n => n.ConfigType is not null))
        {
            node.ParseConfig(config is { } c && c.TryGetProperty(node.Name, out var section) ? section : null);
        }

        return new RunRecord
        {
            RunId = NewId(),
            Assets = ordered.Select(k => k.Path).ToList(),
            PartitionKey = request.PartitionKey,
            Tags = request.Tags,
            Config = request.Config,
            CreatedAt = Now,
            Priority = request.Priority,
            Instigator = request.Instigator,
            RunKey = request.RunKey,
            BackfillId = request.BackfillId,
            ParentRunId = request.ParentRunId,
            RootRunId = request.RootRunId,
        };
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await WhenIdleAsync().ConfigureAwait(false);
        }
        finally
        {
            _shutdown.Dispose();
            foreach (var pool in _pools.Values)
            {
                pool.Dispose();
            }
        }
    }
}

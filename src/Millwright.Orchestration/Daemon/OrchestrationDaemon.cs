using System.Globalization;
using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Daemon;

/// <summary>How the daemon loops.</summary>
public sealed record DaemonOptions
{
    /// <summary>Time between two passes.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the single-active lease lasts without renewal; a standby takes over after it expires.</summary>
    public TimeSpan LeaseTtl { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Backfill runs submitted per backfill per pass.</summary>
    public int BackfillRunsPerPass { get; init; } = 1000;

    /// <summary>How often retention runs.</summary>
    public TimeSpan RetentionEvery { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Messages about what the daemon did or could not do.</summary>
    public Action<string>? OnMessage { get; init; }

    /// <summary>Called after each pass with what it did and how long it took (for metrics).</summary>
    public Action<DaemonPass, TimeSpan>? OnPass { get; init; }
}

/// <summary>What one pass did.</summary>
public sealed record DaemonPass(
    bool Leader,
    IReadOnlyList<string> LostRuns,
    IReadOnlyList<string> SubmittedRuns,
    int BackfillRuns,
    int Launched,
    IReadOnlyList<string> FreshnessWarnings,
    PruneResult? Pruned)
{
    /// <summary>Runs still waiting in the queue after the pass launched what it could.</summary>
    public int Queued { get; init; }
}

/// <summary>
/// The background loop: holds the single-active lease, recovers runs whose host died, fires cron schedules (time
/// zones and DST through Cronos), evaluates sensors with cursors, run keys, intervals and timeouts, requests assets by
/// their automation conditions, warns about stale assets, submits backfill runs, launches queued runs and applies
/// retention. Two daemons on one storage never both act: only the lease holder does.
/// </summary>
public sealed class OrchestrationDaemon
{
    public const string LeaseName = "millwright-daemon";
    private const string AutomationState = "__automation";
    private const string FreshnessState = "__freshness";
    private const string RetentionState = "__retention";

    private readonly Orchestrator _orchestrator;

    public OrchestrationDaemon(Orchestrator orchestrator, DaemonOptions? options = null)
    {
        _orchestrator = orchestrator ?? throw new ArgumentNullException(nameof(orchestrator));
        Options = options ?? new DaemonOptions();
        Holder = $"{orchestrator.HostId}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    public DaemonOptions Options { get; }

    /// <summary>This daemon's name in the lease.</summary>
    public string Holder { get; }

    private IOrchestrationStorage Storage => _orchestrator.Storage;

    private Definitions.Definitions Definitions => _orchestrator.Definitions;

    private DateTimeOffset Now => _orchestrator.Options.TimeProvider.GetUtcNow();

    /// <summary>Runs passes until cancelled, then gives up the lease.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var pass = await PassAsync(cancellationToken).ConfigureAwait(false);
                    Options.OnPass?.Invoke(pass, clock.Elapsed);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Options.OnMessage?.Invoke($"daemon pass failed: {e.GetType().Name}: {e.Message}");
                }

                await Task.Delay(Options.Interval, _orchestrator.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Storage.ReleaseLeaseAsync(LeaseName, Holder, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>One pass over everything the daemon does; a daemon that does not hold the lease does nothing.</summary>
    public async Task<DaemonPass> PassAsync(CancellationToken cancellationToken = default)
    {
        if (!await Storage.TryAcquireLeaseAsync(LeaseName, Holder, Options.LeaseTtl, Now, cancellationToken).ConfigureAwait(false))
        {
            return new DaemonPass(false, [], [], 0, 0, [], null);
        }

        var lost = await _orchestrator.RecoverLostRunsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in lost)
        {
            Options.OnMessage?.Invoke($"run {run} failed: its host is gone");
        }

        var submitted = new List<string>();
        foreach (var schedule in Definitions.Schedules)
        {
            submitted.AddRange(await Guard($"schedule {schedule.Name}", () => ScheduleAsync(schedule, cancellationToken)).ConfigureAwait(false));
        }

        foreach (var sensor in Definitions.Sensors)
        {
            submitted.AddRange(await Guard($"sensor {sensor.Name}", () => SensorAsync(sensor, cancellationToken)).ConfigureAwait(false));
        }

        submitted.AddRange(await Guard("automation", () => AutomationAsync(cancellationToken)).ConfigureAwait(false));
        var warnings = await FreshnessAsync(cancellationToken).ConfigureAwait(false);

        var backfillRuns = 0;
        foreach (var backfill in await Storage.GetBackfillsAsync(BackfillStatus.Requested, 100, cancellationToken).ConfigureAwait(false))
        {
            backfillRuns += await _orchestrator.SubmitBackfillRunsAsync(backfill, Options.BackfillRunsPerPass, cancellationToken).ConfigureAwait(false);
        }

        var launched = await _orchestrator.LaunchQueuedAsync(cancellationToken).ConfigureAwait(false);
        var queued = (await Storage.GetQueuedRunsAsync(1000, cancellationToken).ConfigureAwait(false)).Count;
        var pruned = await RetentionAsync(cancellationToken).ConfigureAwait(false);
        return new DaemonPass(true, lost, submitted, backfillRuns, launched, warnings, pruned) { Queued = queued };
    }

    private async Task<IReadOnlyList<string>> Guard(string what, Func<Task<IReadOnlyList<string>>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrchestrationException or System.Data.Common.DbException or IOException)
        {
            Options.OnMessage?.Invoke($"{what}: {e.Message}");
            return [];
        }
    }

    private async Task<InstigatorState> StateAsync(string name, string kind, bool runningByDefault, CancellationToken cancellationToken) =>
        await Storage.GetInstigatorAsync(name, cancellationToken).ConfigureAwait(false) ?? new InstigatorState(name, kind, runningByDefault, null, DateTimeOffset.MinValue);

    private async Task<IReadOnlyList<string>> ScheduleAsync(ScheduleDefinition schedule, CancellationToken cancellationToken)
    {
        var now = Now;
        var state = await StateAsync(schedule.Name, "schedule", schedule.RunningByDefault, cancellationToken).ConfigureAwait(false);
        if (!state.Running)
        {
            return [];
        }

        if (state.Cursor is null)
        {
            // A schedule starts counting from when it is first seen running; it does not fire for the past.
            await Storage.SetInstigatorAsync(state with { Cursor = Ms(now), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
            return [];
        }

        var last = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(state.Cursor, CultureInfo.InvariantCulture));
        var ticks = schedule.TicksBetween(last, now).ToList();
        if (ticks.Count == 0)
        {
            return [];
        }

        // After downtime only the latest missed tick fires, once.
        var tickAt = ticks[^1];
        var tick = await Storage.AddTickAsync(new TickRecord { Instigator = schedule.Name, TickAt = tickAt, Status = TickStatus.Started }, cancellationToken).ConfigureAwait(false);
        await Storage.SetInstigatorAsync(state with { Cursor = Ms(tickAt), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        if (tick is null)
        {
            return [];
        }

        try
        {
            var assets = Definitions.Select(schedule.Target);
            string? partition = null;
            if (schedule.LatestPartition && assets.Select(Definitions.Spec).FirstOrDefault(s => s.Partitions is not null) is { } partitioned)
            {
                var dynamic = await _orchestrator.DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
                var keys = partitioned.Partitions!.GetKeys(tickAt, n => dynamic(n));
                partition = keys.Count > 0 ? keys[^1] : throw new OrchestrationException($"{partitioned.Key} has no partition yet at {tickAt:u}");
            }

            var run = await _orchestrator.PrepareAsync(new LaunchRequest
            {
                Selection = schedule.Target,
                PartitionKey = partition,
                Tags = new Dictionary<string, string>(schedule.Tags) { ["millwright/schedule"] = schedule.Name, ["millwright/tick"] = tickAt.ToString("O", CultureInfo.InvariantCulture) },
                Instigator = schedule.Name,
                RunKey = Ms(tickAt),
            }, cancellationToken).ConfigureAwait(false);
            var stored = await _orchestrator.SubmitManyAsync([run], cancellationToken).ConfigureAwait(false);
            await Storage.UpdateTickAsync(tick with { Status = stored.Count > 0 ? TickStatus.Success : TickStatus.Skipped, RunIds = stored.Select(r => r.RunId).ToList(), SkipReason = stored.Count > 0 ? null : "a run for this tick exists" }, cancellationToken).ConfigureAwait(false);
            return stored.Select(r => r.RunId).ToList();
        }
        catch (OrchestrationException e)
        {
            await Storage.UpdateTickAsync(tick with { Status = TickStatus.Failure, Error = e.Message }, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IReadOnlyList<string>> SensorAsync(SensorDefinition sensor, CancellationToken cancellationToken)
    {
        var now = Now;
        var state = await StateAsync(sensor.Name, "sensor", sensor.RunningByDefault, cancellationToken).ConfigureAwait(false);
        if (!state.Running || now - state.UpdatedAt < sensor.Interval)
        {
            return [];
        }

        var tick = await Storage.AddTickAsync(new TickRecord { Instigator = sensor.Name, TickAt = now, Status = TickStatus.Started, Cursor = state.Cursor }, cancellationToken).ConfigureAwait(false);
        if (tick is null)
        {
            return [];
        }

        SensorResult result;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(sensor.Timeout);
            try
            {
                result = await sensor.Evaluate(new SensorContext(sensor.Name, state.Cursor, now, Storage, timeout.Token)).WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var message = e is OperationCanceledException ? $"timed out after {sensor.Timeout.TotalSeconds:0.#} s" : $"{e.GetType().Name}: {e.Message}";
                await Storage.UpdateTickAsync(tick with { Status = TickStatus.Failure, Error = message }, cancellationToken).ConfigureAwait(false);
                await Storage.SetInstigatorAsync(state with { UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
                throw new OrchestrationException(message, e);
            }
        }

        foreach (var (name, keys) in result.AddDynamicPartitions)
        {
            await Storage.AddDynamicPartitionsAsync(name, keys, now, cancellationToken).ConfigureAwait(false);
        }

        var runs = new List<RunRecord>();
        foreach (var request in result.RunRequests)
        {
            runs.Add(await _orchestrator.PrepareAsync(new LaunchRequest
            {
                Selection = request.Selection ?? sensor.Target,
                PartitionKey = request.PartitionKey,
                Tags = new Dictionary<string, string>(request.Tags) { ["millwright/sensor"] = sensor.Name },
                Config = request.Config,
                Instigator = sensor.Name,
                RunKey = request.RunKey,
            }, cancellationToken).ConfigureAwait(false));
        }

        var stored = await _orchestrator.SubmitManyAsync(runs, cancellationToken).ConfigureAwait(false);
        var cursor = result.Cursor ?? state.Cursor;
        await Storage.SetInstigatorAsync(state with { Cursor = cursor, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        var skip = stored.Count == 0 ? result.SkipReason ?? (runs.Count > 0 ? "every run key was already used" : "no run requested") : null;
        await Storage.UpdateTickAsync(tick with { Status = stored.Count > 0 ? TickStatus.Success : TickStatus.Skipped, RunIds = stored.Select(r => r.RunId).ToList(), Cursor = cursor, SkipReason = skip }, cancellationToken).ConfigureAwait(false);
        return stored.Select(r => r.RunId).ToList();
    }

    private async Task<IReadOnlyList<string>> AutomationAsync(CancellationToken cancellationToken)
    {
        var automated = Definitions.Assets.Where(s => s.Automation is not null && !Definitions.Owner(s.Key).IsExternal).ToList();
        if (automated.Count == 0)
        {
            return [];
        }

        var now = Now;
        var state = await StateAsync(AutomationState, "automation", true, cancellationToken).ConfigureAwait(false);
        var cursor = state.Cursor is null ? [] : JsonSerializer.Deserialize<Dictionary<string, long>>(state.Cursor) ?? [];
        var dynamic = await _orchestrator.DynamicKeysAsync(cancellationToken).ConfigureAwait(false);
        var status = new AutomationStatus(Storage, cancellationToken);
        var active = await Storage.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Queued, RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = 1000 }, cancellationToken).ConfigureAwait(false);
        var busy = active.SelectMany(r => r.Assets.Select(a => (a, r.PartitionKey ?? ""))).ToHashSet();
        var requested = new List<(AssetKey Asset, string? Partition)>();

        foreach (var spec in automated)
        {
            var condition = spec.Automation!;
            long? pendingSince = null;
            if (condition.Kind == AutomationKind.OnCron)
            {
                var key = "cron:" + spec.Key.Path;
                var pendingKey = "pending:" + spec.Key.Path;
                if (!cursor.TryGetValue(key, out var lastTick))
                {
                    cursor[key] = now.ToUnixTimeMilliseconds();
                    continue;
                }

                var expression = CronText.Parse(condition.Cron!, $"automation of {spec.Key}");
                var zone = TimeWindowPartitions.FindZone(condition.TimeZone);
                var latest = expression.GetOccurrences(DateTimeOffset.FromUnixTimeMilliseconds(lastTick).UtcDateTime, now.UtcDateTime, zone, fromInclusive: false, toInclusive: true).LastOrDefault();
                if (latest != default)
                {
                    cursor[key] = new DateTimeOffset(latest, TimeSpan.Zero).ToUnixTimeMilliseconds();
                    cursor[pendingKey] = cursor[key];
                }

                if (!cursor.TryGetValue(pendingKey, out var since))
                {
                    continue;
                }

                pendingSince = since;
            }

            // Unpartitioned assets are judged as a whole; partitioned ones on their latest time window (every key of
            // static and dynamic partitions), each against the upstream partitions it maps to.
            foreach (var partition in AutomationKeys(spec, now, dynamic))
            {
                if (busy.Contains((spec.Key.Path, partition ?? "")))
                {
                    continue;
                }

                var own = await status.GetAsync(spec.Key, partition).ConfigureAwait(false);
                var upstream = new List<AssetStatusRecord?>();
                var upstreamBusy = false;
                foreach (var dep in spec.Deps)
                {
                    var depSpec = Definitions.Spec(dep.Asset);
                    if (Definitions.Owner(dep.Asset).IsExternal)
                    {
                        continue;
                    }

                    var keys = depSpec.Partitions is null
                        ? [(string?)null]
                        : (dep.Mapping ?? PartitionMapping.Default).UpstreamKeys(partition, spec.Partitions, depSpec.Partitions, now, n => dynamic(n)).Select(k => (string?)k).ToList();
                    foreach (var key in keys)
                    {
                        upstreamBusy |= busy.Contains((dep.Asset.Path, key ?? ""));
                        upstream.Add(await status.GetAsync(dep.Asset, key).ConfigureAwait(false));
                    }
                }

                if (upstreamBusy)
                {
                    continue;
                }

                var present = upstream.All(u => u?.LastMaterializationId is not null);
                var wanted = condition.Kind switch
                {
                    AutomationKind.Eager => upstream.Count > 0 && present && upstream.Any(u => own?.LastMaterializationId is not { } mine || u!.LastMaterializationId > mine),
                    AutomationKind.OnMissing => own?.LastMaterializationId is null && present,
                    _ => present && upstream.All(u => u!.LastMaterializationAt!.Value.ToUnixTimeMilliseconds() >= pendingSince),
                };
                if (wanted)
                {
                    requested.Add((spec.Key, partition));
                }
            }

            if (condition.Kind == AutomationKind.OnCron && requested.Any(r => r.Asset == spec.Key))
            {
                cursor.Remove("pending:" + spec.Key.Path);
            }
        }

        var submitted = new List<string>();
        foreach (var group in requested.GroupBy(r => r.Partition))
        {
            var assets = group.Select(r => r.Asset).ToList();
            var run = await _orchestrator.PrepareAsync(new LaunchRequest
            {
                Assets = assets,
                PartitionKey = group.Key,
                Instigator = "automation",
                Tags = new Dictionary<string, string> { ["millwright/automation"] = string.Join(",", assets.Select(r => $"{r}:{Definitions.Spec(r).Automation}")) },
            }, cancellationToken).ConfigureAwait(false);
            submitted.AddRange((await _orchestrator.SubmitManyAsync([run], cancellationToken).ConfigureAwait(false)).Select(r => r.RunId));
        }

        await Storage.SetInstigatorAsync(state with { Cursor = JsonSerializer.Serialize(cursor), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        return submitted;
    }

    /// <summary>The partitions automation looks at: none for an unpartitioned asset (null), else the latest time window or every other key.</summary>
    private static IEnumerable<string?> AutomationKeys(AssetSpec spec, DateTimeOffset now, Func<string, IReadOnlyList<string>> dynamic)
    {
        if (spec.Partitions is null)
        {
            return [null];
        }

        var keys = spec.Partitions.GetKeys(now, n => dynamic(n));
        return spec.Partitions switch
        {
            TimeWindowPartitions => keys.Count > 0 ? [keys[^1]] : [],
            MultiPartitions multi when multi.Dimensions.Any(d => d.Value is TimeWindowPartitions) =>
                LatestWindow(multi, keys),
            _ => keys.TakeLast(100),
        };
    }

    private static IEnumerable<string?> LatestWindow(MultiPartitions multi, IReadOnlyList<string> keys)
    {
        var time = multi.Dimensions.First(d => d.Value is TimeWindowPartitions).Key;
        if (keys.Count == 0)
        {
            return [];
        }

        var latest = keys.Select(k => multi.Split(k)[time]).Max(StringComparer.Ordinal);
        return keys.Where(k => multi.Split(k)[time] == latest).Take(100);
    }

    /// <summary>Asset and partition status read once per pass.</summary>
    private sealed class AutomationStatus(IOrchestrationStorage storage, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, Dictionary<string, AssetStatusRecord>> _byAsset = new(StringComparer.Ordinal);

        public async Task<AssetStatusRecord?> GetAsync(AssetKey asset, string? partition)
        {
            if (!_byAsset.TryGetValue(asset.Path, out var rows))
            {
                rows = (await storage.GetAssetStatusAsync(asset.Path, cancellationToken).ConfigureAwait(false)).ToDictionary(r => r.PartitionKey, StringComparer.Ordinal);
                _byAsset[asset.Path] = rows;
            }

            return rows.GetValueOrDefault(partition ?? "");
        }
    }

    private async Task<IReadOnlyList<string>> FreshnessAsync(CancellationToken cancellationToken)
    {
        var policed = Definitions.Assets.Where(s => s.MaximumLag is not null).ToList();
        if (policed.Count == 0)
        {
            return [];
        }

        var now = Now;
        var state = await StateAsync(FreshnessState, "freshness", true, cancellationToken).ConfigureAwait(false);
        var warned = state.Cursor is null ? [] : JsonSerializer.Deserialize<Dictionary<string, long>>(state.Cursor) ?? [];
        var statuses = (await Storage.GetAssetStatusAsync(null, cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.AssetKey, StringComparer.Ordinal);
        var events = new List<EventRecord>();
        foreach (var spec in policed)
        {
            statuses.TryGetValue(spec.Key.Path, out var status);
            var lastId = status?.LastMaterializationId ?? 0;
            var lag = status?.LastMaterializationAt is { } at ? now - at : (TimeSpan?)null;
            if (lag is { } l && l <= spec.MaximumLag)
            {
                warned.Remove(spec.Key.Path);
                continue;
            }

            if (warned.TryGetValue(spec.Key.Path, out var id) && id == lastId)
            {
                continue;
            }

            warned[spec.Key.Path] = lastId;
            events.Add(new EventRecord
            {
                Timestamp = now,
                Type = EventTypes.FreshnessWarning,
                AssetKey = spec.Key.Path,
                Level = "warning",
                Message = lag is { } stale
                    ? $"{spec.Key} is stale: last materialized {stale.TotalMinutes:0} min ago, more than its maximum lag of {spec.MaximumLag!.Value.TotalMinutes:0} min"
                    : $"{spec.Key} has never been materialized (maximum lag {spec.MaximumLag!.Value.TotalMinutes:0} min)",
                Data = JsonSerializer.Serialize(new { maximum_lag_s = spec.MaximumLag!.Value.TotalSeconds, lag_s = lag?.TotalSeconds }),
            });
        }

        await Storage.AppendEventsAsync(events, cancellationToken).ConfigureAwait(false);
        await Storage.SetInstigatorAsync(state with { Cursor = JsonSerializer.Serialize(warned), UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        return events.Select(e => e.AssetKey!).ToList();
    }

    private async Task<PruneResult?> RetentionAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var state = await StateAsync(RetentionState, "retention", true, cancellationToken).ConfigureAwait(false);
        if (now - state.UpdatedAt < Options.RetentionEvery)
        {
            return null;
        }

        var pruned = await Storage.PruneAsync(now - _orchestrator.Options.Retention, cancellationToken).ConfigureAwait(false);
        await Storage.SetInstigatorAsync(state with { UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        if (pruned.Events + pruned.Runs + pruned.Ticks > 0)
        {
            Options.OnMessage?.Invoke($"retention: removed {pruned.Events} events, {pruned.Runs} runs and {pruned.Ticks} ticks older than {_orchestrator.Options.Retention.TotalDays:0} days");
        }

        return pruned;
    }

    private static string Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}

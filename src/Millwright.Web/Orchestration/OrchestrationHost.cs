using Millwright.Orchestration.Daemon;
using Millwright.Pipelines;
using Millwright.Workspace;

namespace Millwright.Web.Orchestration;

/// <summary>What a load of the workspace's pipelines gave: how many, and the error when it failed.</summary>
internal sealed record PipelinesLoad(int Generation, DateTimeOffset At, int Pipelines, int Assets, string? Error);

/// <summary>
/// Loads the workspace's pipelines and runs the orchestration daemon inside `millwright up`, and loads them again when
/// a file under <c>pipelines/</c> changes (or on request): the new definitions are loaded beside the old ones first, so
/// a pipeline that does not load leaves the running ones serving and is reported; when it loads, the daemon stops, the
/// runs in flight finish on the old definitions, and the daemon starts on the new ones. The API waits for it to be
/// ready; a first load that fails leaves the rest of the host serving and is reported by the API and /health.
/// </summary>
internal sealed partial class OrchestrationHost(LoadedSettings loaded, Metrics.MillwrightMetrics metrics, Logging.RunEventLog runLog, Millwright.Dashboards.DashboardEngine dashboards, ILogger<OrchestrationHost> logger) : BackgroundService, IAsyncDisposable
{
    /// <summary>How often pipelines/ is looked at for changes; a change is loaded once it has stayed for one more look.</summary>
    internal static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private TaskCompletionSource<WorkspaceOrchestration> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<PipelinesLoad> _nextLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _reloadRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? DaemonHolder { get; private set; }

    /// <summary>The latest load, successful or not (null before the first).</summary>
    public PipelinesLoad? LastLoad { get; private set; }

    /// <summary>The workspace orchestration when it is loaded; null while the first load runs or after it failed.</summary>
    public WorkspaceOrchestration? Current
    {
        get
        {
            lock (_gate)
            {
                return _ready.Task.IsCompletedSuccessfully ? _ready.Task.Result : null;
            }
        }
    }

    /// <summary>The workspace orchestration, once loaded; throws the load error when pipelines did not load.</summary>
    public Task<WorkspaceOrchestration> ReadyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _ready.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes with the next load after this call, whatever started it.</summary>
    public Task<PipelinesLoad> NextLoadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _nextLoad.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Loads the pipelines again now, changed or not; completes with that load.</summary>
    public Task<PipelinesLoad> ReloadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var next = _nextLoad.Task.WaitAsync(cancellationToken);
            _reloadRequested.TrySetResult();
            return next;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = loaded.Workspace.PipelinesDirectory;
        var seen = PipelineFingerprint.Of(folder);
        await RecoverLoadsAsync(stoppingToken).ConfigureAwait(false);
        var current = await LoadAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var daemonStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var daemon = current is null ? Task.CompletedTask : RunDaemonAsync(current, daemonStop.Token);
                WorkspaceOrchestration? next = null;
                try
                {
                    while (next is null)
                    {
                        seen = await WaitForChangeAsync(folder, seen, stoppingToken).ConfigureAwait(false);
                        next = await LoadAsync(stoppingToken, replacing: current is not null).ConfigureAwait(false);
                        if (next is null && current is not null)
                        {
                            continue;
                        }

                        break;
                    }
                }
                finally
                {
                    await daemonStop.CancelAsync().ConfigureAwait(false);
                    await daemon.ConfigureAwait(false);
                }

                if (current is not null && next is not null)
                {
                    // The runs in flight finish on the definitions they started with.
                    await current.Orchestrator.WhenIdleAsync().ConfigureAwait(false);
                    Publish(next);
                    await current.DisposeAsync().ConfigureAwait(false);
                }

                current = next ?? current;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (current is not null)
            {
                await current.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What loads killed before this start left in the raw layer is put right before the daemon reads it.</summary>
    private async Task RecoverLoadsAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await WorkspaceOrchestration.RecoverLoadsAsync(loaded, cancellationToken).ConfigureAwait(false);
            if (!report.IsClean)
            {
                Recovered(logger, string.Join(", ", report.Rows.Select(r => $"{r.Value} row(s) in {r.Key}")), report.RawCopies.Count, report.WorkTables.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecoveryFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ingestion: loads killed before this start were put right: rows without an audit record removed ({Rows}), {Copies} orphan Parquet copies and {Tables} work tables removed")]
    private static partial void Recovered(ILogger logger, string rows, int copies, int tables);

    [LoggerMessage(Level = LogLevel.Error, Message = "ingestion: what killed loads left could not be checked: {Error}")]
    private static partial void RecoveryFailed(ILogger logger, string error);

    /// <summary>
    /// Loads the pipelines. The first load (or one after a failed first load) publishes what it gives, error included;
    /// a reload that fails is reported and the running definitions stay; a reload that succeeds is returned for the
    /// caller to publish once the old daemon has stopped.
    /// </summary>
    private async Task<WorkspaceOrchestration?> LoadAsync(CancellationToken cancellationToken, bool replacing = false)
    {
        try
        {
            // Each event of a run feeds the metrics, with the pipeline of its asset from the definitions being loaded.
            WorkspaceOrchestration? opened = null;
            var orchestration = await WorkspaceOrchestration.OpenAsync(loaded, options => options with
            {
                OnEvent = e =>
                {
                    runLog.Write(e);
                    if (e.Type == Millwright.Orchestration.Storage.EventTypes.Materialization)
                    {
                        // New data in the warehouse: dashboards read their cards again.
                        dashboards.Invalidate();
                    }

                    metrics.Record(e, key => opened?.Pipelines.PipelineOf.GetValueOrDefault(new Millwright.Orchestration.Definitions.AssetKey(key)));
                },
            }, cancellationToken).ConfigureAwait(false);
            opened = orchestration;
            foreach (var warning in orchestration.Pipelines.Warnings)
            {
                Warning(logger, warning);
            }

            Loaded(logger, orchestration.Pipelines.Definitions.TopologicalOrder.Count, orchestration.Pipelines.Pipelines.Count, orchestration.Storage.Describe);
            if (!replacing)
            {
                Publish(orchestration);
            }

            return orchestration;
        }
        catch (Exception e) when (e is PipelineException or Millwright.Orchestration.OrchestrationException or Millwright.Modeling.ModelingException or IOException or System.Data.Common.DbException or Millwright.Warehouse.WarehouseException or SettingsException)
        {
            LoadFailed(logger, e.Message, replacing ? "; the pipelines loaded before keep running" : "");
            Record(new PipelinesLoad((LastLoad?.Generation ?? 0) + 1, DateTimeOffset.UtcNow, 0, 0, e.Message));
            if (!replacing)
            {
                lock (_gate)
                {
                    if (_ready.Task.IsCompleted)
                    {
                        _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    _ready.TrySetException(e);
                }
            }

            return null;
        }
    }

    /// <summary>Makes <paramref name="orchestration"/> the one the API and the daemon use, and records the load.</summary>
    private void Publish(WorkspaceOrchestration orchestration)
    {
        lock (_gate)
        {
            if (_ready.Task.IsCompleted)
            {
                _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _ready.TrySetResult(orchestration);
        }

        Record(new PipelinesLoad((LastLoad?.Generation ?? 0) + 1, DateTimeOffset.UtcNow, orchestration.Pipelines.Pipelines.Count, orchestration.Pipelines.Definitions.TopologicalOrder.Count, null));
    }

    private void Record(PipelinesLoad load)
    {
        TaskCompletionSource<PipelinesLoad> done;
        lock (_gate)
        {
            LastLoad = load;
            done = _nextLoad;
            _nextLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult(load);
    }

    private async Task RunDaemonAsync(WorkspaceOrchestration orchestration, CancellationToken cancellationToken)
    {
        var daemon = new OrchestrationDaemon(orchestration.Orchestrator, new DaemonOptions { OnMessage = message => Warning(logger, message), OnPass = metrics.Pass });
        DaemonHolder = daemon.Holder;
        await daemon.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns once pipelines/ has changed and stayed so for one look, or a reload was asked for.</summary>
    private async Task<string> WaitForChangeAsync(string folder, string seen, CancellationToken cancellationToken)
    {
        string? changed = null;
        while (true)
        {
            Task requested;
            lock (_gate)
            {
                requested = _reloadRequested.Task;
            }

            await Task.WhenAny(Task.Delay(WatchInterval, cancellationToken), requested).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var now = PipelineFingerprint.Of(folder);
            if (requested.IsCompleted)
            {
                lock (_gate)
                {
                    _reloadRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                return now;
            }

            if (now != seen && now == changed)
            {
                Changed(logger, folder);
                return now;
            }

            changed = now == seen ? null : now;
        }
    }

    /// <summary>
    /// Disposing the host without stopping it (as a test may) still ends the daemon and waits for it, so nothing
    /// writes to the workspace afterwards.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (ExecuteTask is { } running)
        {
            try
            {
                await running.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "pipelines did not load: {Error}{Consequence}")]
    private static partial void LoadFailed(ILogger logger, string error, string consequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void Warning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "orchestration: {Assets} assets from {Pipelines} pipeline(s), state in {Storage}; daemon running")]
    private static partial void Loaded(ILogger logger, int assets, int pipelines, string storage);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Folder} changed: loading the pipelines again")]
    private static partial void Changed(ILogger logger, string folder);
}

using Millwright.Orchestration.Daemon;
using Millwright.Pipelines;
using Millwright.Workspace;

namespace Millwright.Web.Orchestration;

/// <summary>
/// Loads the workspace's pipelines and runs the orchestration daemon inside `millwright up`. The API waits for it to
/// be ready; a pipeline that does not load leaves the rest of the host serving and is reported by the API and /health.
/// </summary>
internal sealed partial class OrchestrationHost(LoadedSettings loaded, ILogger<OrchestrationHost> logger) : BackgroundService, IAsyncDisposable
{
    private readonly TaskCompletionSource<WorkspaceOrchestration> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? DaemonHolder { get; private set; }

    /// <summary>The workspace orchestration, once loaded; throws the load error when pipelines did not load.</summary>
    public Task<WorkspaceOrchestration> ReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        WorkspaceOrchestration orchestration;
        try
        {
            orchestration = await WorkspaceOrchestration.OpenAsync(loaded, cancellationToken: stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PipelineException or Millwright.Orchestration.OrchestrationException or Millwright.Modeling.ModelingException or IOException or System.Data.Common.DbException or Millwright.Warehouse.WarehouseException)
        {
            LoadFailed(logger, e.Message);
            _ready.TrySetException(e);
            return;
        }

        await using (orchestration.ConfigureAwait(false))
        {
            foreach (var warning in orchestration.Pipelines.Warnings)
            {
                Warning(logger, warning);
            }

            Loaded(logger, orchestration.Pipelines.Definitions.TopologicalOrder.Count, orchestration.Pipelines.Pipelines.Count, orchestration.Storage.Describe);
            _ready.TrySetResult(orchestration);
            var daemon = new OrchestrationDaemon(orchestration.Orchestrator, new DaemonOptions { OnMessage = message => Warning(logger, message) });
            DaemonHolder = daemon.Holder;
            await daemon.RunAsync(stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "pipelines did not load: {Error}")]
    private static partial void LoadFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void Warning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "orchestration: {Assets} assets from {Pipelines} pipeline(s), state in {Storage}; daemon running")]
    private static partial void Loaded(ILogger logger, int assets, int pipelines, string storage);
}

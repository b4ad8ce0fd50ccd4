using Millwright.Pipelines.Lifecycle;
using Millwright.Workspace;

namespace Millwright.Web.Orchestration;

/// <summary>Applies the pipelines' retention once a day while `millwright up` runs (what `millwright cleanup` does by hand).</summary>
internal sealed partial class CleanupService(LoadedSettings loaded, OrchestrationHost orchestration, ILogger<CleanupService> logger) : BackgroundService
{
    internal static readonly TimeSpan Every = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var ready = await orchestration.ReadyAsync(stoppingToken).ConfigureAwait(false);
                    var cleanup = new WorkspaceCleanup(loaded.Workspace.PipelinesDirectory, ready.Pipelines.Warehouse, ready.Storage);
                    var plan = await cleanup.PlanAsync(stoppingToken).ConfigureAwait(false);
                    await cleanup.ExecuteAsync(plan, stoppingToken).ConfigureAwait(false);
                    Cleaned(logger, plan.Items.Count, plan.Bytes, plan.Kept.Count);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "cleanup: deleted {Items} item(s), {Bytes} bytes; kept {Kept} old item(s) an unfinished run reads")]
    private static partial void Cleaned(ILogger logger, int items, long bytes, int kept);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cleanup failed: {Error}")]
    private static partial void Failed(ILogger logger, string error);
}

using Millwright.Workspace;

namespace Millwright.Web.Backups;

/// <summary>Backs the workspace up on the cron of setting <c>backup.schedule</c> (UTC) while `millwright up` runs.</summary>
internal sealed partial class BackupService(MillwrightSettings settings, HostBackups backups, TimeProvider time, ILogger<BackupService> logger) : BackgroundService
{
    private readonly CancellationTokenSource _stopping = new();
    private DateTime? _first;
    private Task _firstWait = Task.CompletedTask;

    /// <summary>
    /// The first due time, and the wait for it, are taken when the host starts (not when the background loop gets
    /// going, which .NET runs later on the thread pool): a backup due meanwhile is neither skipped nor waited for
    /// from a later clock reading.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.Backup.Schedule is { } schedule)
        {
            try
            {
                _first = backups.Next();
                if (_first is { } due && due - time.GetUtcNow().UtcDateTime is { } wait && wait > TimeSpan.Zero)
                {
                    _firstWait = Task.Delay(wait, time, _stopping.Token);
                }
            }
            catch (Cronos.CronFormatException e)
            {
                InvalidSchedule(logger, schedule, e.Message);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        // The base cancels the loop's token first, whose callback cancels _stopping: dispose it only after that.
        base.Dispose();
        _stopping.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(_stopping.Cancel);
        var next = _first;
        var waiting = _firstWait;
        while (next is not null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await waiting.ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();
                var result = await backups.RunAsync(stoppingToken).ConfigureAwait(false);
                BackedUp(logger, result.Folder, result.Manifest.Bytes, result.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failed(logger, e.Message);
            }

            next = backups.Next();
            waiting = next is { } later && later - time.GetUtcNow().UtcDateTime is { } wait && wait > TimeSpan.Zero
                ? Task.Delay(wait, time, stoppingToken)
                : Task.CompletedTask;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "backup: {Folder}, {Bytes} bytes in {Seconds:0.0} s")]
    private static partial void BackedUp(ILogger logger, string folder, long bytes, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "backup failed: {Error}")]
    private static partial void Failed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "setting backup.schedule '{Schedule}' is not a cron expression ({Error}); no scheduled backups")]
    private static partial void InvalidSchedule(ILogger logger, string schedule, string error);
}

using Millwright.Workspace;

namespace Millwright.Web.Backups;

/// <summary>Backs the workspace up on the cron of setting <c>backup.schedule</c> (UTC) while `millwright up` runs.</summary>
internal sealed partial class BackupService(MillwrightSettings settings, HostBackups backups, TimeProvider time, ILogger<BackupService> logger) : BackgroundService
{
    private DateTime? _first;

    /// <summary>The first due time is taken when the host starts (not when the background loop gets going), so a backup due meanwhile is not skipped.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (settings.Backup.Schedule is { } schedule)
        {
            try
            {
                _first = backups.Next();
            }
            catch (Cronos.CronFormatException e)
            {
                InvalidSchedule(logger, schedule, e.Message);
            }
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var next = _first;
        while (next is { } due && !stoppingToken.IsCancellationRequested)
        {
            var wait = due - time.GetUtcNow().UtcDateTime;
            try
            {
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken).ConfigureAwait(false);
                }

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
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "backup: {Folder}, {Bytes} bytes in {Seconds:0.0} s")]
    private static partial void BackedUp(ILogger logger, string folder, long bytes, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "backup failed: {Error}")]
    private static partial void Failed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "setting backup.schedule '{Schedule}' is not a cron expression ({Error}); no scheduled backups")]
    private static partial void InvalidSchedule(ILogger logger, string schedule, string error);
}

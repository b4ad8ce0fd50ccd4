using Cronos;
using Millwright.Pipelines.Lifecycle;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Web.Backups;

/// <summary>
/// The host's backups: one at a time, with the host's own warehouse (the embedded DuckDB file is the host's while it
/// runs), asked for by the admin endpoint or by <see cref="BackupService"/>; remembers the last outcome for /health.
/// </summary>
internal sealed class HostBackups(MillwrightSettings settings, IWarehouse warehouse, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public string? LastError { get; private set; }

    public DateTime? LastFailedAt { get; private set; }

    public async Task<BackupResult> RunAsync(CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await new WorkspaceBackup(settings, warehouse, time).BackupAsync(null, cancellationToken).ConfigureAwait(false);
            LastError = null;
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            (LastError, LastFailedAt) = (e.Message, time.GetUtcNow().UtcDateTime);
            throw;
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();

    /// <summary>What /health says about backups: the newest one, the schedule, and the last failure since it.</summary>
    public async Task<BackupHealth> HealthAsync(CancellationToken cancellationToken)
    {
        var latest = await WorkspaceBackup.LatestAsync(settings.Backup.Directory, cancellationToken).ConfigureAwait(false);
        DateTime? next = null;
        var error = LastError;
        try
        {
            next = Next();
        }
        catch (CronFormatException e)
        {
            error = $"setting backup.schedule '{settings.Backup.Schedule}' is not a cron expression: {e.Message}";
        }

        return new BackupHealth(latest?.CreatedAt, latest?.Bytes, settings.Backup.Schedule, next, error, LastFailedAt);
    }

    /// <summary>The next scheduled backup, or null when none is scheduled.</summary>
    /// <exception cref="CronFormatException">backup.schedule is not a five-field cron expression.</exception>
    public DateTime? Next() =>
        settings.Backup.Schedule is { } cron ? CronExpression.Parse(cron).GetNextOccurrence(time.GetUtcNow().UtcDateTime, TimeZoneInfo.Utc) : null;
}

internal sealed record BackupHealth(DateTime? LastAt, long? LastBytes, string? Schedule, DateTime? NextAt, string? LastError, DateTime? LastFailedAt);

using System.Diagnostics;
using Millwright.Operations.Data;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Web.Health;

/// <summary>Checks each configured store: the warehouse, and the operational store.</summary>
internal sealed class StoreHealth(MillwrightSettings settings, IWarehouse warehouse, OperationsStore operations, Orchestration.OrchestrationHost orchestration, Metrics.MillwrightMetrics metrics, Backups.HostBackups backups)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            CheckWarehouseAsync(cancellationToken),
            CheckOperationsAsync(cancellationToken),
            TimedAsync("orchestration", settings.Orchestration.Store, CheckOrchestrationAsync, cancellationToken)).ConfigureAwait(false);
        var healthy = checks.All(c => c.Status == "healthy");
        return new HealthReport(healthy ? "healthy" : "unhealthy", settings.Name, checks.ToDictionary(c => c.Store, c => c))
        {
            Backup = await backups.HealthAsync(cancellationToken).ConfigureAwait(false),
        };
    }

    private Task<StoreCheck> CheckWarehouseAsync(CancellationToken cancellationToken) =>
        TimedAsync("warehouse", settings.Warehouse, ct => warehouse.CheckAsync(ct), cancellationToken);

    private Task<StoreCheck> CheckOperationsAsync(CancellationToken cancellationToken) =>
        TimedAsync("operations", settings.Operations, operations.CheckAsync, cancellationToken);

    /// <summary>The pipelines loaded and the orchestration storage answers; the detail names the daemon's holder.</summary>
    private async Task<string> CheckOrchestrationAsync(CancellationToken cancellationToken)
    {
        Pipelines.WorkspaceOrchestration loaded;
        try
        {
            loaded = await orchestration.ReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"pipelines did not load: {e.Message}", e);
        }

        var lease = await loaded.Storage.GetLeaseAsync(Millwright.Orchestration.Daemon.OrchestrationDaemon.LeaseName, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        var reload = orchestration.LastLoad is { Error: { } error } ? $"; the last reload failed (the pipelines loaded before run): {error}" : "";
        var pass = metrics.LastPass is { } at ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", last pass {(DateTimeOffset.UtcNow - at).TotalSeconds:0.0} s ago") : ", no pass yet";
        return $"{loaded.Orchestrator.Definitions.TopologicalOrder.Count} assets in {loaded.Pipelines.Pipelines.Count} pipeline(s); daemon {(lease is { } l ? "held by " + l.Holder : "not running")}{pass}; {metrics.Queued} run(s) queued{reload}";
    }

    private static async Task<StoreCheck> TimedAsync(string name, StoreLocation store, Func<CancellationToken, Task<string>> probe, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var detail = await probe(timeout.Token).ConfigureAwait(false);
            return new StoreCheck(name, "healthy", store.ProviderName, store.Target, detail, null, watch.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new StoreCheck(name, "unhealthy", store.ProviderName, store.Target, null, $"no answer within {Timeout.TotalSeconds:0} s", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is WarehouseException or IOException or UnauthorizedAccessException or InvalidOperationException or System.Data.Common.DbException)
        {
            return new StoreCheck(name, "unhealthy", store.ProviderName, store.Target, null, e.Message, watch.Elapsed.TotalMilliseconds);
        }
    }
}

internal sealed record HealthReport(string Status, string Workspace, IReadOnlyDictionary<string, StoreCheck> Stores)
{
    /// <summary>The newest backup, the schedule and the last failure (backups do not make the host unhealthy).</summary>
    public Backups.BackupHealth? Backup { get; init; }
}

internal sealed record StoreCheck(string Store, string Status, string Provider, string Target, string? Detail, string? Error, double DurationMs);

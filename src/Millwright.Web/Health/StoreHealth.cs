using System.Diagnostics;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Web.Health;

/// <summary>Checks each configured store: the warehouse, and the operational store.</summary>
internal sealed class StoreHealth(MillwrightSettings settings, IWarehouse warehouse)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            CheckWarehouseAsync(cancellationToken),
            CheckOperationsAsync(cancellationToken)).ConfigureAwait(false);
        var healthy = checks.All(c => c.Status == "healthy");
        return new HealthReport(healthy ? "healthy" : "unhealthy", settings.Name, checks.ToDictionary(c => c.Store, c => c));
    }

    private Task<StoreCheck> CheckWarehouseAsync(CancellationToken cancellationToken) =>
        TimedAsync("warehouse", settings.Warehouse, ct => warehouse.CheckAsync(ct), cancellationToken);

    private Task<StoreCheck> CheckOperationsAsync(CancellationToken cancellationToken)
    {
        var store = settings.Operations;
        if (store.Provider == StoreProvider.Postgres)
        {
            // A plain connectivity check until the operational store's own data layer reports its schema state.
            return TimedAsync("operations", store, async ct =>
            {
                await using var server = Warehouses.Open(WarehouseOptions.Postgres(store.Connection!));
                return await server.CheckAsync(ct).ConfigureAwait(false);
            }, cancellationToken);
        }

        return TimedAsync("operations", store, _ =>
        {
            var directory = Path.GetDirectoryName(store.Path!)!;
            Directory.CreateDirectory(directory);
            var exists = File.Exists(store.Path);
            return Task.FromResult(exists ? "SQLite file present" : "SQLite file is created on first use");
        }, cancellationToken);
    }

    private static async Task<StoreCheck> TimedAsync(string name, StoreSettings store, Func<CancellationToken, Task<string>> probe, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var detail = await probe(timeout.Token).ConfigureAwait(false);
            return new StoreCheck(name, "healthy", store.Provider.ToConfigName(), store.Target, detail, null, watch.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new StoreCheck(name, "unhealthy", store.Provider.ToConfigName(), store.Target, null, $"no answer within {Timeout.TotalSeconds:0} s", watch.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is WarehouseException or IOException or UnauthorizedAccessException)
        {
            return new StoreCheck(name, "unhealthy", store.Provider.ToConfigName(), store.Target, null, e.Message, watch.Elapsed.TotalMilliseconds);
        }
    }
}

internal sealed record HealthReport(string Status, string Workspace, IReadOnlyDictionary<string, StoreCheck> Stores);

internal sealed record StoreCheck(string Store, string Status, string Provider, string Target, string? Detail, string? Error, double DurationMs);

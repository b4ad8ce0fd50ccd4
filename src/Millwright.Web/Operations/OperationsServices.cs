using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Workspace;

namespace Millwright.Web.Operations;

internal static class OperationsServices
{
    /// <summary>The operational store and its use cases; the schema is migrated before the server takes requests.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services, StoreSettings settings)
    {
        services.AddSingleton(_ => MillwrightHost.OpenOperations(settings));
        services.AddSingleton<ServiceOrders>();
        services.AddSingleton<Inventory>();
        services.AddSingleton<Purchasing>();
        services.AddSingleton<Billing>();
        services.AddSingleton<MasterData>();
        services.AddSingleton<Observations>();
        services.AddSingleton<Reconciliation>();

        // First among the hosted services, so it finishes before the web server starts listening.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, OperationsMigration>());
        return services;
    }
}

/// <summary>Applies pending migrations and reference data when the host starts.</summary>
internal sealed partial class OperationsMigration(OperationsStore store, ILogger<OperationsMigration> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var applied = await OperationsSetup.MigrateAsync(store, cancellationToken).ConfigureAwait(false);
            if (applied.Count > 0)
            {
                Migrated(logger, applied);
            }
        }
        catch (System.Data.Common.DbException e)
        {
            // An unreachable server must not keep the rest of Millwright down: /health reports the store as unhealthy.
            Unavailable(logger, store.Target, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "operational store {Target} is unavailable, not migrated: {Error}")]
    private static partial void Unavailable(ILogger logger, string target, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "operational store migrated: {Migrations}")]
    private static partial void Migrated(ILogger logger, IReadOnlyList<string> migrations);
}

using Millwright.Domain;

namespace Millwright.Operations.Tests;

/// <summary>
/// Reconciliation beside writers: two clients move orders through their workflow and issue stock while reconciliation
/// runs again and again; it reads one snapshot each time, so it never reports drift that is not there (an order read
/// with its new status but not yet its history row, a balance without its movement). On SQLite and on PostgreSQL.
/// </summary>
public abstract class ReconciliationTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reconciliation_running_beside_writers_never_reports_false_drift()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 1000);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<ReconciliationReport>();
        var runs = 0;

        // Each writer is one mechanic's day: orders created, assigned, scheduled, a part issued, work started and paused,
        // then held and resumed over and over (each a status change and its history row in one transaction).
        async Task WriteAsync(Mechanic mechanic)
        {
            for (var i = 0; i < 4; i++)
            {
                var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.High, $"Noise #{i}"), Ct);
                await w.Orders.AssignAsync(Workshop.Planner, order.Id, mechanic.Id, AssignmentRole.Lead, Ct);
                await w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct);
                await w.Inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);
                await w.WorkAsync(order, mechanic, WorkEventType.Start);
                await w.WorkAsync(order, mechanic, WorkEventType.Pause);
                // Toggled until reconciliation has run many times beside the writers (never by the clock), within a bound.
                for (var j = 0; j < 40 || (Volatile.Read(ref runs) < 20 && j < 2000); j++)
                {
                    await w.Orders.HoldAsync(Workshop.Supervisor, order.Id, null, "waiting for a part", Ct);
                    await w.Orders.ResumeAsync(Workshop.Supervisor, order.Id, null, Ct);
                }
            }
        }

        async Task ReconcileAsync()
        {
            var reconciliation = new Reconciliation(t.Store);
            while (!done.IsCancellationRequested)
            {
                reports.Add(await reconciliation.RunAsync(Ct));
                Interlocked.Increment(ref runs);
            }
        }

        var reconciling = Task.Run(ReconcileAsync, Ct);
        try
        {
            await Task.WhenAll(Task.Run(() => WriteAsync(w.Lead), Ct), Task.Run(() => WriteAsync(w.Assist), Ct));
        }
        finally
        {
            await done.CancelAsync();
            await reconciling;
        }

        var final = await new Reconciliation(t.Store).RunAsync(Ct);
        Assert.True(final.IsClean);
        Assert.Equal(8, final.OrdersChecked);
        Assert.True(reports.Count >= 20, $"only {reports.Count} reconciliations ran beside the writers");
        var drift = reports.FirstOrDefault(r => !r.IsClean);
        Assert.True(drift is null, drift is null ? "" : $"false drift while writers ran: {string.Join("; ", drift.History.Select(h => $"{h.Number} {h.Status} seq {h.StatusSequence} with {h.HistoryRows} history rows"))} {string.Join("; ", drift.Stock)}");
    }
}

public sealed class SqliteReconciliationTests : ReconciliationTests<SqliteStores>;

public sealed class PostgresReconciliationTests : ReconciliationTests<PostgresStores>;

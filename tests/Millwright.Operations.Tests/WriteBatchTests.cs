using Microsoft.EntityFrameworkCore;
using Millwright.Domain;

namespace Millwright.Operations.Tests;

/// <summary>
/// Use cases run in a write batch (one transaction, each use case a savepoint of it), as the simulator writes a day of
/// history: invisible to other connections until the batch commits, a refused one undone alone, nothing kept when the
/// batch is dropped. On SQLite and on PostgreSQL.
/// </summary>
public abstract class WriteBatchTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_batch_commits_its_use_cases_together_and_a_refused_one_is_undone_alone()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 3);
        var order = await w.ScheduledOrderAsync();

        await using (var batch = await t.Store.BeginBatchAsync(Ct))
        {
            var inventory = new Inventory(batch.Store);
            await inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);

            // The batch sees its own issue: one unit is left, so four are refused, and the refusal undoes only itself.
            var refused = await Assert.ThrowsAsync<DomainRuleException>(() => inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 4, Ct));
            Assert.Contains("1 available", refused.Message, StringComparison.Ordinal);
            await inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);

            Assert.Equal((0, 3m), await IssuedAsync(t));
            await batch.CommitAsync(Ct);
        }

        Assert.Equal((2, 0m), await IssuedAsync(t));
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task A_batch_dropped_without_commit_keeps_nothing_and_the_store_writes_again_after_it()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 3);
        var order = await w.ScheduledOrderAsync();
        int audit;
        await using (var db = t.Store.CreateContext())
        {
            audit = await db.AuditLog.CountAsync(Ct);
        }

        await using (var batch = await t.Store.BeginBatchAsync(Ct))
        {
            await new Inventory(batch.Store).IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
            await new ServiceOrders(batch.Store).CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, "Dropped with the batch"), Ct);
        }

        await using (var db = t.Store.CreateContext())
        {
            Assert.Equal(audit, await db.AuditLog.CountAsync(Ct));
            Assert.Equal(order.Id, (await db.ServiceOrders.SingleAsync(Ct)).Id);
        }

        Assert.Equal((0, 3m), await IssuedAsync(t));
        await w.Inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);
        Assert.Equal((1, 2m), await IssuedAsync(t));
    }

    /// <summary>Issue movements and the part's on-hand balance, as another connection sees them.</summary>
    private static async Task<(int Movements, decimal OnHand)> IssuedAsync(TestStore t)
    {
        await using var db = t.Store.CreateContext();
        return (await db.InventoryMovements.CountAsync(m => m.Type == MovementType.IssueToOrder, Ct), (await db.StockBalances.SingleAsync(Ct)).OnHand);
    }
}

public sealed class SqliteWriteBatchTests : WriteBatchTests<SqliteStores>;

public sealed class PostgresWriteBatchTests : WriteBatchTests<PostgresStores>;

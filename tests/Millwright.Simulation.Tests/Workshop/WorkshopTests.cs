using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations;

namespace Millwright.Simulation.Tests.Workshop;

/// <summary>What the simulated year left in the operational store holds together the way a real workshop's would.</summary>
public sealed class WorkshopTests(SimulatedYear year)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_simulated_year_reconciles_with_zero_drift()
    {
        var report = await new Reconciliation(year.Store).RunAsync(Ct);

        Assert.True(report.OrdersChecked > 300, $"{report.OrdersChecked} orders");
        Assert.True(report.Movements > 500, $"{report.Movements} movements");
        Assert.Empty(report.Stock);
        Assert.Empty(report.History);
    }

    [Fact]
    public async Task Orders_come_from_plans_alerts_and_breakdowns_and_flow_through_the_whole_workflow()
    {
        await using var db = year.Store.CreateContext();
        var orders = await db.ServiceOrders.AsNoTracking().ToListAsync(Ct);
        var types = orders.GroupBy(o => o.Type).ToDictionary(g => g.Key, g => g.Count());

        Assert.True(types.GetValueOrDefault(ServiceOrderType.Preventive) > 100, $"{types.GetValueOrDefault(ServiceOrderType.Preventive)} preventive");
        Assert.True(types.GetValueOrDefault(ServiceOrderType.Predictive) > 10, $"{types.GetValueOrDefault(ServiceOrderType.Predictive)} predictive");
        Assert.True(types.GetValueOrDefault(ServiceOrderType.Corrective) + types.GetValueOrDefault(ServiceOrderType.Warranty) > 20);
        Assert.True(orders.Count(o => o.Status == ServiceOrderStatus.Closed) > orders.Count * 0.9);
        Assert.Contains(orders, o => o.Status == ServiceOrderStatus.Cancelled || o.ReworkCount > 0);

        // Work happened on shifts, with pauses and holds for parts; downtime was closed when the work completed.
        Assert.True(await db.WorkEvents.CountAsync(e => e.Type == WorkEventType.Pause, Ct) > 10);
        Assert.True(await db.StatusHistory.AnyAsync(h => h.ToStatus == ServiceOrderStatus.OnHold && h.Reason!.StartsWith("waiting for parts"), Ct));
        var down = orders.Where(o => o.AssetDown && o.Status == ServiceOrderStatus.Closed).ToList();
        Assert.NotEmpty(down);
        Assert.All(down, o => Assert.True(o.DowntimeEnd > o.DowntimeStart, $"{o.Number}: downtime {o.DowntimeStart} to {o.DowntimeEnd}"));
        var mttrHours = down.Average(o => (o.DowntimeEnd!.Value - o.DowntimeStart!.Value).TotalHours);
        Assert.InRange(mttrHours, 2, 24 * 14);

        // Billable work is invoiced; labor is priced at the mechanic's rate.
        var invoices = await db.Invoices.AsNoTracking().ToListAsync(Ct);
        Assert.True(invoices.Count > orders.Count / 4);
        Assert.All(invoices, i => Assert.Equal(i.Subtotal + i.Tax, i.Total));
        Assert.True(await db.LaborEntries.AllAsync(l => l.EndedAt != null, Ct));
    }

    [Fact]
    public async Task Stock_is_reordered_below_the_reorder_point_and_received_after_the_lead_time()
    {
        await using var db = year.Store.CreateContext();
        var purchaseOrders = await db.PurchaseOrders.AsNoTracking().ToListAsync(Ct);
        var replenishment = purchaseOrders.Where(p => p.Note != "opening stock").ToList();

        Assert.True(replenishment.Count > 20, $"{replenishment.Count} replenishment orders");
        Assert.True(replenishment.Count(p => p.Status == PurchaseOrderStatus.Closed) > replenishment.Count * 0.8);
        var receipts = await db.InventoryMovements.AsNoTracking().Where(m => m.Type == MovementType.Receipt).ToListAsync(Ct);
        Assert.True(receipts.Count > replenishment.Count);
        var balances = await db.StockBalances.AsNoTracking().ToListAsync(Ct);
        Assert.All(balances, b => Assert.True(b.OnHand >= 0 && b.Reserved >= 0));
    }
}

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;

namespace Millwright.Operations.Tests;

/// <summary>The stock ledger and purchasing against a real database, on SQLite and on PostgreSQL.</summary>
public abstract class InventoryTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sixteen_concurrent_consumers_of_the_last_units_get_exactly_the_available_quantity()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 5);
        var orders = new List<ServiceOrder>();
        for (var i = 0; i < 16; i++)
        {
            orders.Add(await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.High, $"Pads #{i}"), Ct));
        }

        var attempts = orders.Select(o => Task.Run(async () =>
        {
            try
            {
                await w.Inventory.IssueAsync(Workshop.Supervisor, o.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);
                return "ok";
            }
            catch (DomainRuleException e)
            {
                return e.Rule;
            }
        }, Ct)).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(5, outcomes.Count(o => o == "ok"));
        Assert.Equal(11, outcomes.Count(o => o == "stock.insufficient"));
        await using var db = t.Store.CreateContext();
        var balance = await db.StockBalances.SingleAsync(b => b.PartId == w.Part.Id && b.LocationId == w.StoreRoom.Id, Ct);
        Assert.Equal(0, balance.OnHand);
        Assert.Equal(5, await db.InventoryMovements.CountAsync(m => m.Type == MovementType.IssueToOrder, Ct));
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task An_issue_beyond_the_stock_is_refused_with_what_is_available_and_writes_nothing()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 3);
        var order = await w.ScheduledOrderAsync();
        var before = await CountsAsync(t);

        var e = await Assert.ThrowsAsync<DomainRuleException>(() => w.Inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 4, Ct));

        Assert.Equal("stock.insufficient", e.Rule);
        Assert.Contains("BRK-PAD-F", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 available", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync(t));
    }

    [Fact]
    public async Task A_mechanic_reserves_and_issues_parts_only_on_orders_assigned_to_them()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 5);
        var order = await w.ScheduledOrderAsync();
        var before = await CountsAsync(t);

        var issue = await Assert.ThrowsAsync<ForbiddenException>(() => w.Inventory.IssueAsync(Workshop.AsMechanic(w.Assist), order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct));
        var reserve = await Assert.ThrowsAsync<ForbiddenException>(() => w.Inventory.ReserveAsync(Workshop.AsMechanic(w.Assist), order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct));

        Assert.Equal(("order.not_assigned", "order.not_assigned"), (issue.Rule, reserve.Rule));
        Assert.Equal(before, await CountsAsync(t));
        var (line, _) = await w.Inventory.IssueAsync(Workshop.AsMechanic(w.Lead), order.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);
        Assert.Equal(1, line.QuantityIssued);
    }

    [Theory]
    [InlineData("0.0000000001", "quantity: has more than 4 decimal places")]
    [InlineData("2.00000000000000001", "quantity: has more than 4 decimal places")]
    [InlineData("1.5", "quantity: must be a whole number of EA")]
    [InlineData("-1", "quantity: must be positive")]
    public async Task A_quantity_beyond_the_stores_scale_or_a_fraction_of_a_piece_is_refused_and_writes_nothing(string quantity, string expected)
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 5);
        var order = await w.ScheduledOrderAsync();
        var before = await CountsAsync(t);
        var value = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture);

        var e = await Assert.ThrowsAsync<ValidationFailedException>(() => w.Inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, value, Ct));

        Assert.Contains(expected, string.Join("; ", e.Errors.Select(kv => $"{kv.Key}: {string.Join(", ", kv.Value)}")), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync(t));
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task Reserved_stock_cannot_be_taken_by_another_order()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 2);
        var first = await w.ScheduledOrderAsync();
        var second = await w.ScheduledOrderAsync();
        await w.Inventory.ReserveAsync(Workshop.Supervisor, first.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);

        var e = await Assert.ThrowsAsync<DomainRuleException>(() => w.Inventory.IssueAsync(Workshop.Supervisor, second.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct));
        Assert.Equal("stock.insufficient", e.Rule);

        var (line, _) = await w.Inventory.IssueAsync(Workshop.Supervisor, first.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
        Assert.Equal(0, line.QuantityReserved);
        Assert.Equal(2, line.QuantityIssued);
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task Cancelling_an_order_gives_its_reserved_stock_back()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 3);
        var order = await w.ScheduledOrderAsync();
        await w.Inventory.ReserveAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);

        await w.Orders.CancelAsync(Workshop.Planner, order.Id, null, "customer withdrew", Ct);

        await using var db = t.Store.CreateContext();
        var balance = await db.StockBalances.SingleAsync(b => b.PartId == w.Part.Id && b.LocationId == w.StoreRoom.Id, Ct);
        Assert.Equal((3m, 0m), (balance.OnHand, balance.Reserved));
        Assert.Equal(0, (await db.OrderParts.SingleAsync(p => p.ServiceOrderId == order.Id, Ct)).QuantityReserved);
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task Returns_and_reversals_are_new_ledger_rows_and_balances_follow()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 4);
        var order = await w.ScheduledOrderAsync();
        var (line, _) = await w.Inventory.IssueAsync(Workshop.Supervisor, order.Id, w.Part.Id, w.StoreRoom.Id, 3, Ct);
        await w.Inventory.ReturnAsync(Workshop.Supervisor, order.Id, line.Id, 1, cancellationToken: Ct);
        var over = await Assert.ThrowsAsync<DomainRuleException>(() => w.Inventory.ReturnAsync(Workshop.Supervisor, order.Id, line.Id, 5, cancellationToken: Ct));
        Assert.Equal("order_part.return_exceeds_issued", over.Rule);

        var scrap = await w.Inventory.ScrapAsync(Workshop.Supervisor, w.Part.Id, w.StoreRoom.Id, 1, "damaged in storage", Ct);
        await w.Inventory.ReverseAsync(Workshop.Supervisor, scrap.Id, "found intact", Ct);
        var twice = await Assert.ThrowsAsync<DomainRuleException>(() => w.Inventory.ReverseAsync(Workshop.Supervisor, scrap.Id, "again", Ct));
        Assert.Equal("movement.already_reversed", twice.Rule);
        await w.Inventory.AdjustAsync(Workshop.Supervisor, w.Part.Id, w.StoreRoom.Id, -1, "cycle count", Ct);

        await using var db = t.Store.CreateContext();
        var balance = await db.StockBalances.SingleAsync(b => b.PartId == w.Part.Id && b.LocationId == w.StoreRoom.Id, Ct);
        Assert.Equal(4 - 3 + 1 - 1 + 1 - 1, balance.OnHand);
        Assert.True((await new Reconciliation(t.Store).RunAsync(Ct)).IsClean);
    }

    [Fact]
    public async Task Reconcile_reports_a_balance_that_drifted_from_the_ledger()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 6);
        await t.ExecuteAsync($"UPDATE stock_balances SET on_hand = 7 WHERE part_id = {w.Part.Id}");

        var report = await new Reconciliation(t.Store).RunAsync(Ct);

        var drift = Assert.Single(report.Stock);
        Assert.Equal(("BRK-PAD-F", "LIS-STOCK", 7m, 6m), (drift.Sku, drift.Location, drift.OnHand, drift.Ledger));
        Assert.False(report.IsClean);
    }

    [Fact]
    public async Task Reconcile_reports_an_order_whose_status_history_lost_a_row()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync();
        await t.ExecuteAsync($"DELETE FROM service_order_status_history WHERE service_order_id = {order.Id} AND sequence = 2");

        var report = await new Reconciliation(t.Store).RunAsync(Ct);

        var drift = Assert.Single(report.History);
        Assert.Equal((order.Number, 2, 1), (drift.Number, drift.StatusSequence, drift.HistoryRows));
    }

    [Fact]
    public async Task The_database_refuses_negative_stock_even_when_a_write_bypasses_the_services()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 2);

        await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteAsync($"UPDATE stock_balances SET on_hand = -1 WHERE part_id = {w.Part.Id}"));
        await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteAsync($"UPDATE stock_balances SET reserved = 3 WHERE part_id = {w.Part.Id}"));
    }

    [Fact]
    public async Task A_purchase_order_is_received_in_parts_and_never_beyond_what_was_ordered()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var po = await w.Purchasing.CreateAsync(Workshop.Planner, w.Supplier.Id, w.StoreRoom.Id, [new PurchaseLineInput(w.Part.Id, 10) { UnitPrice = 40 }], cancellationToken: Ct);
        var early = await Assert.ThrowsAsync<DomainRuleException>(() => w.Purchasing.ReceiveAsync(Workshop.Planner, po.Id, [new ReceiptLineInput(1, 1)], Ct));
        Assert.Equal("purchase_order.transition", early.Rule);
        await w.Purchasing.SubmitAsync(Workshop.Planner, po.Id, null, Ct);
        await Assert.ThrowsAsync<ForbiddenException>(() => w.Purchasing.ApproveAsync(Workshop.Planner, po.Id, null, Ct));
        await w.Purchasing.ApproveAsync(Workshop.Manager, po.Id, null, Ct);
        await using var db = t.Store.CreateContext();
        var line = await db.PurchaseOrderLines.SingleAsync(l => l.PurchaseOrderId == po.Id, Ct);

        var partial = await w.Purchasing.ReceiveAsync(Workshop.Planner, po.Id, [new ReceiptLineInput(line.Id, 4)], Ct);
        Assert.Equal(PurchaseOrderStatus.PartiallyReceived, partial.Status);
        var over = await Assert.ThrowsAsync<DomainRuleException>(() => w.Purchasing.ReceiveAsync(Workshop.Planner, po.Id, [new ReceiptLineInput(line.Id, 7)], Ct));
        Assert.Equal("purchase_order.over_receipt", over.Rule);
        var full = await w.Purchasing.ReceiveAsync(Workshop.Planner, po.Id, [new ReceiptLineInput(line.Id, 6)], Ct);
        Assert.Equal(PurchaseOrderStatus.Received, full.Status);
        var closed = await w.Purchasing.CloseAsync(Workshop.Planner, po.Id, null, Ct);
        Assert.Equal(PurchaseOrderStatus.Closed, closed.Status);

        var receipts = await db.InventoryMovements.Where(m => m.PurchaseOrderLineId == line.Id).ToListAsync(Ct);
        Assert.Equal([4m, 6m], receipts.OrderBy(m => m.Id).Select(m => m.Quantity));
        Assert.All(receipts, m => Assert.Equal(MovementType.Receipt, m.Type));
    }

    private static async Task<(int, int, int)> CountsAsync(TestStore t)
    {
        await using var db = t.Store.CreateContext();
        return (await db.InventoryMovements.CountAsync(Ct), await db.OrderParts.CountAsync(Ct), await db.AuditLog.CountAsync(Ct));
    }
}

public sealed class SqliteInventoryTests : InventoryTests<SqliteStores>;

public sealed class PostgresInventoryTests : InventoryTests<PostgresStores>;

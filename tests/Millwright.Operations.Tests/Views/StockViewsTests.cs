using Millwright.Domain;
using Millwright.Operations.Views;

namespace Millwright.Operations.Tests.Views;

/// <summary>The reads behind the purchasing and billing screens, on SQLite and PostgreSQL.</summary>
public abstract class StockViewsTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_invoice_list_reaches_every_invoice_a_page_at_a_time_filters_by_status_and_search_and_counts_each_status()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store);
        var acme = await w.MasterData.CreateAsync(Workshop.Admin, new Customer { Code = "ACME", Name = "Acme Fleet Services" }, Ct);
        var invoices = new List<Invoice>();
        for (var n = 0; n < 3; n++)
        {
            var order = await CompletedOrderAsync(w, n == 0 ? acme.Id : null);
            invoices.Add(await w.Billing.CreateAsync(Workshop.Planner, order.Id, new CreateInvoice { TaxRate = 0.2m, Fees = [new InvoiceFee("Call-out", 10 + n)] }, Ct));
        }

        await w.Billing.IssueAsync(Workshop.Planner, invoices[1].Id, null, Ct);
        await w.Billing.VoidAsync(Workshop.Planner, invoices[2].Id, null, Ct);
        var views = new StockViews(t.Store);

        // Newest first; each status counted; the amount is the sum of the matching totals.
        var all = await views.InvoicesAsync(new InvoiceQuery(), Ct);
        Assert.Equal(3, all.Total);
        Assert.Equal([invoices[2].Number, invoices[1].Number, invoices[0].Number], all.Rows.Select(r => r.Invoice.Number));
        Assert.Equal((1L, 1L, 1L), (all.ByStatus[InvoiceStatus.Draft], all.ByStatus[InvoiceStatus.Issued], all.ByStatus[InvoiceStatus.Void]));
        Assert.Equal(12m + 13.2m + 14.4m, all.Amount); // fees of 10, 11 and 12 with 20 % tax (no labor: started and finished at once)

        // The status filter narrows the rows, not the counts beside the chips.
        var live = await views.InvoicesAsync(new InvoiceQuery { Statuses = [InvoiceStatus.Draft, InvoiceStatus.Issued] }, Ct);
        Assert.Equal([invoices[1].Number, invoices[0].Number], live.Rows.Select(r => r.Invoice.Number));
        Assert.Equal((2L, 3L, 12m + 13.2m), (live.Total, live.ByStatus.Values.Sum(), live.Amount));

        // Every invoice is reachable: page 2 of pages of one.
        var second = await views.InvoicesAsync(new InvoiceQuery { PageSize = 1, Page = 2 }, Ct);
        Assert.Equal([invoices[1].Number], second.Rows.Select(r => r.Invoice.Number));
        Assert.Equal(3, second.Total);

        // A number as people type it, an order number, part of a customer's name in any case.
        Assert.Equal([invoices[0].Number], (await views.InvoicesAsync(new InvoiceQuery { Search = invoices[0].Number[4..].TrimStart('0') }, Ct)).Rows.Select(r => r.Invoice.Number));
        var byOrder = await views.InvoicesAsync(new InvoiceQuery { Search = all.Rows[0].OrderNumber.ToLowerInvariant() }, Ct);
        Assert.Equal([invoices[2].Number], byOrder.Rows.Select(r => r.Invoice.Number));
        var byCustomer = Assert.Single((await views.InvoicesAsync(new InvoiceQuery { Search = "fleet serv" }, Ct)).Rows);
        Assert.Equal((invoices[0].Number, "Acme Fleet Services"), (byCustomer.Invoice.Number, byCustomer.Customer));

        // What is typed is matched as text: LIKE's wildcards match only themselves.
        Assert.Equal(0, (await views.InvoicesAsync(new InvoiceQuery { Search = "%" }, Ct)).Total);
        Assert.Equal(0, (await views.InvoicesAsync(new InvoiceQuery { Search = "_" }, Ct)).Total);
    }

    [Fact]
    public async Task The_purchase_order_list_counts_what_matches_shows_the_newest_and_finds_by_number_or_supplier()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var volta = await w.MasterData.CreateAsync(Workshop.Admin, new Supplier { Code = "SUP-2", Name = "Volta Cells Lda", LeadTimeDays = 10 }, Ct);
        var received = await w.ReceiveAsync(4);
        var cancelled = await w.Purchasing.CreateAsync(Workshop.Planner, volta.Id, w.StoreRoom.Id, [new PurchaseLineInput(w.Part.Id, 2)], cancellationToken: Ct);
        await w.Purchasing.CancelAsync(Workshop.Planner, cancelled.Id, null, Ct);
        var draft = await w.Purchasing.CreateAsync(Workshop.Planner, volta.Id, w.StoreRoom.Id, [new PurchaseLineInput(w.Part.Id, 3)], cancellationToken: Ct);
        var views = new StockViews(t.Store);

        var all = await views.PurchaseOrdersAsync(cancellationToken: Ct);
        Assert.Equal([draft.Number, cancelled.Number, received.Number], all.Rows.Select(r => r.Order.Number));
        Assert.Equal(3, all.Total);
        Assert.Equal(3m, Assert.Single(all.Rows[0].Lines).QuantityOrdered);

        // Open only keeps a received order (someone still closes it) and drops the cancelled one.
        Assert.Equal([draft.Number, received.Number], (await views.PurchaseOrdersAsync(openOnly: true, cancellationToken: Ct)).Rows.Select(r => r.Order.Number));

        // Fewer shown than match: the total still says how many there are.
        var newest = await views.PurchaseOrdersAsync(limit: 1, cancellationToken: Ct);
        Assert.Equal([draft.Number], newest.Rows.Select(r => r.Order.Number));
        Assert.Equal(3, newest.Total);

        Assert.Equal([received.Number], (await views.PurchaseOrdersAsync(search: received.Number[3..].TrimStart('0'), cancellationToken: Ct)).Rows.Select(r => r.Order.Number));
        Assert.Equal([draft.Number, cancelled.Number], (await views.PurchaseOrdersAsync(search: "volta", cancellationToken: Ct)).Rows.Select(r => r.Order.Number));
        Assert.Equal(0, (await views.PurchaseOrdersAsync(search: "%", cancellationToken: Ct)).Total);
    }

    private static async Task<ServiceOrder> CompletedOrderAsync(Workshop w, long? customerId)
    {
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.Medium, "Wiper judder") { CustomerId = customerId }, Ct);
        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Lead.Id, AssignmentRole.Lead, Ct);
        await w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        await w.WorkAsync(order, w.Lead, WorkEventType.Finish);
        await w.Orders.AddDiagnosisAsync(Workshop.AsMechanic(w.Lead), order.Id, new AddDiagnosis("Blades worn"), Ct);
        return await w.Orders.CompleteAsync(Workshop.AsMechanic(w.Lead), order.Id, null, new CompleteServiceOrder { ResolutionCode = "REPLACED" }, Ct);
    }
}

public sealed class SqliteStockViewsTests : StockViewsTests<SqliteStores>;

public sealed class PostgresStockViewsTests : StockViewsTests<PostgresStores>;

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations.Views;

/// <summary>Stock of a part at a real location, and whether it is at or below the part's reorder point.</summary>
public sealed record BalanceRow(long PartId, string Sku, string Name, string Unit, long LocationId, string Location, decimal OnHand, decimal Reserved, decimal Available, decimal ReorderPoint, decimal ReorderQuantity, decimal OnOrder)
{
    public bool BelowReorder => ReorderPoint > 0 && Available <= ReorderPoint;
}

/// <summary>One movement of the ledger, with the places it moved between and the order it served.</summary>
public sealed record LedgerRow(long Id, DateTime OccurredAt, MovementType Type, string From, string To, decimal Quantity, decimal UnitCost, string Actor, string? Note, long? ServiceOrderId, string? ServiceOrderNumber, long? ReversalOfId);

/// <summary>A purchase order with its supplier, receiving location and lines.</summary>
public sealed record PurchaseOrderRow(PurchaseOrder Order, string Supplier, string ReceiveLocation, IReadOnlyList<PurchaseLineRow> Lines)
{
    public decimal Value => Lines.Sum(l => l.QuantityOrdered * l.UnitPrice);
}

public sealed record PurchaseLineRow(long Id, int LineNumber, long PartId, string Sku, string Name, string Unit, decimal QuantityOrdered, decimal QuantityReceived, decimal UnitPrice)
{
    public decimal Outstanding => QuantityOrdered - QuantityReceived;
}

/// <summary>The newest purchase orders that match, and how many match in all.</summary>
public sealed record PurchaseOrderList(IReadOnlyList<PurchaseOrderRow> Rows, long Total);

/// <summary>An invoice on the list, with its order (an invoice of a closed order can no longer be voided).</summary>
public sealed record InvoiceRow(Invoice Invoice, string OrderNumber, string? Customer, bool OrderClosed);

/// <summary>What the invoice list shows: statuses (all when empty), a search, and a page (newest first).</summary>
public sealed record InvoiceQuery
{
    /// <summary>An invoice number (INV-000042 or 42), an order number, or part of a customer's name.</summary>
    public string? Search { get; init; }
    public IReadOnlyCollection<InvoiceStatus>? Statuses { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 25;
}

/// <summary>A page of invoices, how many match, how many of those are in each status, and their total.</summary>
public sealed record InvoicePage(IReadOnlyList<InvoiceRow> Rows, int Page, int PageSize, long Total, IReadOnlyDictionary<InvoiceStatus, long> ByStatus, decimal Amount);

/// <summary>
/// The reads behind the stock, purchasing and billing screens: balances with their reorder state (what is on order
/// counts), the ledger of a part, purchase orders with their lines, invoices. Each read is one snapshot.
/// </summary>
public sealed class StockViews(OperationsStore store)
{
    private static readonly PurchaseOrderStatus[] Incoming = [PurchaseOrderStatus.Submitted, PurchaseOrderStatus.Approved, PurchaseOrderStatus.PartiallyReceived];

    public Task<IReadOnlyList<BalanceRow>> BalancesAsync(long? locationId = null, bool belowReorderOnly = false, string? search = null, CancellationToken cancellationToken = default) => ReadAsync<IReadOnlyList<BalanceRow>>(async db =>
    {
        var rows = await (from b in db.StockBalances
                          join p in db.Parts on b.PartId equals p.Id
                          join l in db.StockLocations on b.LocationId equals l.Id
                          where locationId == null || b.LocationId == locationId
                          orderby p.Sku, l.Code
                          select new { b, p.Sku, p.Name, p.Unit, p.ReorderPoint, p.ReorderQuantity, Location = l.Code }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var onOrder = (await (from line in db.PurchaseOrderLines
                              join po in db.PurchaseOrders on line.PurchaseOrderId equals po.Id
                              where Incoming.Contains(po.Status)
                              select new { line.PartId, po.ReceiveLocationId, line.QuantityOrdered, line.QuantityReceived }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(l => (l.PartId, l.ReceiveLocationId)).ToDictionary(g => g.Key, g => g.Sum(l => l.QuantityOrdered - l.QuantityReceived));
        var term = search?.Trim();
        return [.. rows
            .Where(r => string.IsNullOrEmpty(term) || r.Sku.Contains(term, StringComparison.OrdinalIgnoreCase) || r.Name.Contains(term, StringComparison.OrdinalIgnoreCase))
            .Select(r => new BalanceRow(r.b.PartId, r.Sku, r.Name, r.Unit, r.b.LocationId, r.Location, r.b.OnHand, r.b.Reserved, r.b.OnHand - r.b.Reserved, r.ReorderPoint, r.ReorderQuantity, onOrder.GetValueOrDefault((r.b.PartId, r.b.LocationId))))
            .Where(r => !belowReorderOnly || r.BelowReorder)];
    }, cancellationToken);

    /// <summary>The latest movements of a part (newest first), at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<LedgerRow>> LedgerAsync(long partId, int limit = 200, CancellationToken cancellationToken = default) => ReadAsync<IReadOnlyList<LedgerRow>>(async db =>
    {
        var locations = await db.StockLocations.ToDictionaryAsync(l => l.Id, l => l.Code, cancellationToken).ConfigureAwait(false);
        var rows = await (from m in db.InventoryMovements
                          where m.PartId == partId
                          join o in db.ServiceOrders on m.ServiceOrderId equals o.Id into os
                          from o in os.DefaultIfEmpty()
                          orderby m.Id descending
                          select new { m, Order = o == null ? null : o.Number }).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new LedgerRow(r.m.Id, r.m.OccurredAt, r.m.Type, locations.GetValueOrDefault(r.m.FromLocationId, "?"), locations.GetValueOrDefault(r.m.ToLocationId, "?"),
            r.m.Quantity, r.m.UnitCost, r.m.Actor, r.m.Note, r.m.ServiceOrderId, r.Order, r.m.ReversalOfId))];
    }, cancellationToken);

    /// <summary>
    /// Purchase orders, newest first, at most <paramref name="limit"/> of them, and how many match in all; with
    /// <paramref name="openOnly"/>, those not yet closed or cancelled (a received order stays: someone still has to close it);
    /// <paramref name="search"/> is a number (PO-000042 or 42) or part of the supplier's name.
    /// </summary>
    public Task<PurchaseOrderList> PurchaseOrdersAsync(bool openOnly = false, int limit = 200, string? search = null, CancellationToken cancellationToken = default) => ReadAsync(async db =>
    {
        var closed = new[] { PurchaseOrderStatus.Closed, PurchaseOrderStatus.Cancelled };
        var listed = from po in db.PurchaseOrders
                     where !openOnly || !closed.Contains(po.Status)
                     join s in db.Suppliers on po.SupplierId equals s.Id
                     join l in db.StockLocations on po.ReceiveLocationId equals l.Id
                     select new { po, Supplier = s.Name, Location = l.Code };
        if (search?.Trim().ToUpperInvariant() is { Length: > 0 } upper)
        {
            var number = long.TryParse(upper.StartsWith("PO-", StringComparison.Ordinal) ? upper[3..] : upper, out var n) ? $"PO-{n:D6}" : upper;
#pragma warning disable CA1862 // EF turns ToUpper and Contains into SQL upper() and an escaped LIKE on both stores; a StringComparison would not translate.
            listed = listed.Where(r => r.po.Number == number || r.po.Number.StartsWith(upper) || r.Supplier.ToUpper().Contains(upper));
#pragma warning restore CA1862
        }

        var total = await listed.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var orders = await listed.OrderByDescending(r => r.po.Id).Take(Math.Max(1, limit)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = orders.Select(o => o.po.Id).ToList();
        var lines = (await (from line in db.PurchaseOrderLines
                            where ids.Contains(line.PurchaseOrderId)
                            join p in db.Parts on line.PartId equals p.Id
                            orderby line.LineNumber
                            select new { line, p.Sku, p.Name, p.Unit }).ToListAsync(cancellationToken).ConfigureAwait(false)).ToLookup(l => l.line.PurchaseOrderId);
        return new PurchaseOrderList([.. orders.Select(o => new PurchaseOrderRow(o.po, o.Supplier, o.Location, [.. lines[o.po.Id].Select(l =>
            new PurchaseLineRow(l.line.Id, l.line.LineNumber, l.line.PartId, l.Sku, l.Name, l.Unit, l.line.QuantityOrdered, l.line.QuantityReceived, l.line.UnitPrice))]))], total);
    }, cancellationToken);

    /// <summary>A page of invoices matching <paramref name="query"/>, newest first; the counts per status ignore the status filter.</summary>
    public Task<InvoicePage> InvoicesAsync(InvoiceQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync(async db =>
        {
            var listed = from i in db.Invoices
                         join o in db.ServiceOrders on i.ServiceOrderId equals o.Id
                         join c in db.Customers on i.CustomerId equals c.Id into cs
                         from c in cs.DefaultIfEmpty()
                         select new { i, o.Number, Customer = c == null ? null : c.Name, OrderClosed = o.Status == ServiceOrderStatus.Closed };
            if (query.Search?.Trim() is { Length: > 0 } search)
            {
                var upper = search.ToUpperInvariant();
                var digits = upper.StartsWith("INV-", StringComparison.Ordinal) ? upper[4..] : upper.StartsWith("OS-", StringComparison.Ordinal) ? upper[3..] : upper;
                var (invoice, order) = long.TryParse(digits, out var n) ? ($"INV-{n:D6}", $"OS-{n:D6}") : (upper, upper);
#pragma warning disable CA1862 // EF turns ToUpper and Contains into SQL upper() and an escaped LIKE on both stores; a StringComparison would not translate.
                listed = listed.Where(r => r.i.Number == invoice || r.Number == order || r.i.Number.StartsWith(upper) || r.Number.StartsWith(upper)
                    || (r.Customer != null && r.Customer.ToUpper().Contains(upper)));
#pragma warning restore CA1862
            }

            var byStatus = await listed.GroupBy(r => r.i.Status).Select(g => new { g.Key, Count = g.LongCount() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken).ConfigureAwait(false);
            if (query.Statuses is { Count: > 0 } statuses)
            {
                var wanted = statuses.ToList();
                listed = listed.Where(r => wanted.Contains(r.i.Status));
            }

            // SQLite has no decimal SUM; a sum of amounts in cents as doubles is exact to the cent far beyond any ledger here.
            var amount = Math.Round((decimal)await listed.SumAsync(r => (double)r.i.Total, cancellationToken).ConfigureAwait(false), 2);
            var pageSize = Math.Clamp(query.PageSize, 1, 500);
            var page = Math.Max(1, query.Page);
            var rows = await listed.OrderByDescending(r => r.i.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
            var total = query.Statuses is { Count: > 0 } chosen ? chosen.Distinct().Sum(st => byStatus.GetValueOrDefault(st)) : byStatus.Values.Sum();
            return new InvoicePage([.. rows.Select(r => new InvoiceRow(r.i, r.Number, r.Customer, r.OrderClosed))], page, pageSize, total, byStatus, amount);
        }, cancellationToken);
    }

    /// <summary>The lists the stock and purchasing forms offer: parts, real locations and suppliers.</summary>
    public Task<StockChoices> ChoicesAsync(CancellationToken cancellationToken = default) => ReadAsync(async db =>
    {
        var parts = await db.Parts.Where(p => p.IsActive).OrderBy(p => p.Sku).Select(p => new Choice(p.Id, p.Sku + " · " + p.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var real = new[] { LocationKind.Stock, LocationKind.Van };
        var locations = await db.StockLocations.Where(l => real.Contains(l.Kind)).OrderBy(l => l.Code).Select(l => new Choice(l.Id, l.Code + " · " + l.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var suppliers = await db.Suppliers.OrderBy(s => s.Name).Select(s => new Choice(s.Id, s.Code + " · " + s.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new StockChoices(parts, locations, suppliers);
    }, cancellationToken);

    private Task<T> ReadAsync<T>(Func<OperationsDbContext, Task<T>> read, CancellationToken cancellationToken) => Snapshots.ReadAsync(store, read, cancellationToken);
}

public sealed record StockChoices(IReadOnlyList<Choice> Parts, IReadOnlyList<Choice> Locations, IReadOnlyList<Choice> Suppliers);

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>A balance that does not match the ledger, or a reservation that does not match the orders.</summary>
public sealed record StockDrift(string Sku, string Location, decimal OnHand, decimal Ledger, decimal Reserved, decimal ReservedOnOrders);

/// <summary>An order whose status or sequence disagrees with its status history.</summary>
public sealed record HistoryDrift(string Number, string Status, int StatusSequence, int HistoryRows, string? LastHistoryStatus);

public sealed record ReconciliationReport(int BalancesChecked, int OrdersChecked, long Movements, IReadOnlyList<StockDrift> Stock, IReadOnlyList<HistoryDrift> History)
{
    public bool IsClean => Stock.Count == 0 && History.Count == 0;
}

/// <summary>
/// Checks that derived state matches its ledgers: balances = sum of movements, reservations = open order lines, status
/// = last history row. Every query reads one snapshot of the store (one repeatable-read transaction), so writers going
/// on meanwhile never show as drift.
/// </summary>
public sealed class Reconciliation(OperationsStore store)
{
    public Task<ReconciliationReport> RunAsync(CancellationToken cancellationToken = default) =>
        Views.Snapshots.ReadAsync(store, async db =>
        {
            var inflow = await db.InventoryMovements.GroupBy(m => new { m.PartId, LocationId = m.ToLocationId })
                .Select(g => new { g.Key.PartId, g.Key.LocationId, Quantity = g.Sum(m => m.Quantity) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var outflow = await db.InventoryMovements.GroupBy(m => new { m.PartId, LocationId = m.FromLocationId })
                .Select(g => new { g.Key.PartId, g.Key.LocationId, Quantity = g.Sum(m => m.Quantity) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var reservedOnOrders = await db.OrderParts.Where(p => p.QuantityReserved > 0)
                .GroupBy(p => new { p.PartId, p.LocationId })
                .Select(g => new { g.Key.PartId, g.Key.LocationId, Quantity = g.Sum(p => p.QuantityReserved) })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var balances = await db.StockBalances.ToDictionaryAsync(b => (b.PartId, b.LocationId), cancellationToken).ConfigureAwait(false);
            var locations = await db.StockLocations.ToDictionaryAsync(l => l.Id, cancellationToken).ConfigureAwait(false);
            var skus = await db.Parts.ToDictionaryAsync(p => p.Id, p => p.Sku, cancellationToken).ConfigureAwait(false);

            var ledger = new Dictionary<(long, long), decimal>();
            foreach (var row in inflow)
            {
                ledger[(row.PartId, row.LocationId)] = ledger.GetValueOrDefault((row.PartId, row.LocationId)) + row.Quantity;
            }

            foreach (var row in outflow)
            {
                ledger[(row.PartId, row.LocationId)] = ledger.GetValueOrDefault((row.PartId, row.LocationId)) - row.Quantity;
            }

            var reserved = reservedOnOrders.ToDictionary(r => (r.PartId, r.LocationId), r => r.Quantity);
            var keys = balances.Keys
                .Concat(ledger.Keys.Where(k => !locations[k.Item2].IsVirtual))
                .Concat(reserved.Keys)
                .Distinct();
            var stock = new List<StockDrift>();
            foreach (var (partId, locationId) in keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2))
            {
                var balance = balances.GetValueOrDefault((partId, locationId));
                var onHand = balance?.OnHand ?? 0;
                var fromLedger = ledger.GetValueOrDefault((partId, locationId));
                var onOrders = reserved.GetValueOrDefault((partId, locationId));
                if (onHand != fromLedger || (balance?.Reserved ?? 0) != onOrders)
                {
                    stock.Add(new StockDrift(skus[partId], locations[locationId].Code, onHand, fromLedger, balance?.Reserved ?? 0, onOrders));
                }
            }

            var history = await db.StatusHistory
                .GroupBy(h => h.ServiceOrderId)
                .Select(g => new { OrderId = g.Key, Rows = g.Count(), MaxSequence = g.Max(h => h.Sequence) })
                .ToDictionaryAsync(g => g.OrderId, cancellationToken).ConfigureAwait(false);
            var lastStatus = await db.StatusHistory
                .Where(h => db.StatusHistory.Where(x => x.ServiceOrderId == h.ServiceOrderId).Max(x => x.Sequence) == h.Sequence)
                .Select(h => new { h.ServiceOrderId, h.ToStatus })
                .ToDictionaryAsync(h => h.ServiceOrderId, h => h.ToStatus, cancellationToken).ConfigureAwait(false);
            var orders = await db.ServiceOrders.Select(o => new { o.Id, o.Number, o.Status, o.StatusSequence }).ToListAsync(cancellationToken).ConfigureAwait(false);
            var historyDrift = new List<HistoryDrift>();
            foreach (var order in orders)
            {
                var h = history.GetValueOrDefault(order.Id);
                var last = lastStatus.TryGetValue(order.Id, out var s) ? s : (ServiceOrderStatus?)null;
                var rows = h?.Rows ?? 0;
                if (rows != order.StatusSequence || h?.MaxSequence != order.StatusSequence || last != order.Status)
                {
                    historyDrift.Add(new HistoryDrift(order.Number, order.Status.Name(), order.StatusSequence, rows, last?.Name()));
                }
            }

            var movements = await db.InventoryMovements.LongCountAsync(cancellationToken).ConfigureAwait(false);
            return new ReconciliationReport(balances.Count, orders.Count, movements, stock, historyDrift);
        }, cancellationToken);
}

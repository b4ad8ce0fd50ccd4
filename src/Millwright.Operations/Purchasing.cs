using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

public sealed record PurchaseLineInput(long PartId, decimal Quantity)
{
    /// <summary>Defaults to the supplier's price for the part, else the part's standard cost.</summary>
    public decimal? UnitPrice { get; init; }
}

public sealed record ReceiptLineInput(long LineId, decimal Quantity);

/// <summary>Purchase orders: DRAFT → SUBMITTED → APPROVED → PARTIALLY_RECEIVED → RECEIVED → CLOSED, or CANCELLED; receipts write the ledger.</summary>
public sealed class Purchasing(OperationsStore store)
{
    public Task<PurchaseOrder> CreateAsync(OperationScope scope, long supplierId, long receiveLocationId, IReadOnlyList<PurchaseLineInput> lines, DateTime? expectedAt = null, string? note = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(lines);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManagePurchaseOrders);
            var supplier = await db.Suppliers.GetAsync(supplierId, "supplier", cancellationToken).ConfigureAwait(false);
            var location = await db.StockLocations.GetAsync(receiveLocationId, "stock location", cancellationToken).ConfigureAwait(false);
            if (location.IsVirtual)
            {
                throw new DomainRuleException("purchase_order.receive_location", $"goods are received into a STOCK or VAN location, not {location.Code}");
            }

            var number = await db.NextNumberAsync("purchase_orders", cancellationToken).ConfigureAwait(false);
            var now = db.UtcNow;
            var order = new PurchaseOrder
            {
                Number = $"PO-{number:D6}",
                SupplierId = supplier.Id,
                ReceiveLocationId = location.Id,
                Status = PurchaseOrderStatus.Draft,
                CreatedAt = now,
                ExpectedAt = expectedAt ?? now.AddDays(supplier.LeadTimeDays),
                Note = note,
            };
            db.PurchaseOrders.Add(order);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            var lineNumber = 0;
            foreach (var input in lines)
            {
                await AddLineAsync(db, order, input, ++lineNumber, cancellationToken).ConfigureAwait(false);
            }

            return order;
        }, cancellationToken);
    }

    public Task<PurchaseOrderLine> AddLineAsync(OperationScope scope, long purchaseOrderId, PurchaseLineInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManagePurchaseOrders);
            var order = await db.PurchaseOrders.GetAsync(purchaseOrderId, "purchase order", cancellationToken).ConfigureAwait(false);
            if (order.Status != PurchaseOrderStatus.Draft)
            {
                throw new DomainRuleException("purchase_order.not_draft", $"purchase order {order.Number} is {order.Status.Name()}; lines change only in DRAFT");
            }

            var next = await db.PurchaseOrderLines.Where(l => l.PurchaseOrderId == order.Id).MaxAsync(l => (int?)l.LineNumber, cancellationToken).ConfigureAwait(false) ?? 0;
            order.Version++;
            return await AddLineAsync(db, order, input, next + 1, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<PurchaseOrder> SubmitAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, PurchaseOrderStatus.Submitted, cancellationToken);

    public Task<PurchaseOrder> ApproveAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, PurchaseOrderStatus.Approved, cancellationToken);

    public Task<PurchaseOrder> CancelAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, PurchaseOrderStatus.Cancelled, cancellationToken);

    public Task<PurchaseOrder> CloseAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, PurchaseOrderStatus.Closed, cancellationToken);

    /// <summary>Receives goods: one RECEIPT movement (SUPPLIER → receive location) per line; received never exceeds ordered.</summary>
    public Task<PurchaseOrder> ReceiveAsync(OperationScope scope, long id, IReadOnlyList<ReceiptLineInput> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0)
        {
            throw ValidationFailedException.For("lines", "at least one line is received");
        }

        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var order = await db.PurchaseOrders.GetAsync(id, "purchase order", cancellationToken).ConfigureAwait(false);
            if (order.Status is not (PurchaseOrderStatus.Approved or PurchaseOrderStatus.PartiallyReceived))
            {
                throw new DomainRuleException("purchase_order.transition", $"purchase order {order.Number} is {order.Status.Name()}; goods are received on APPROVED orders");
            }

            var lines = await db.PurchaseOrderLines.Where(l => l.PurchaseOrderId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var supplier = await Locations.VirtualAsync(db, LocationKind.Supplier, cancellationToken).ConfigureAwait(false);
            var location = await db.StockLocations.GetAsync(order.ReceiveLocationId, "stock location", cancellationToken).ConfigureAwait(false);
            foreach (var receipt in receipts)
            {
                Validation.Positive("quantity", receipt.Quantity);
                var line = lines.FirstOrDefault(l => l.Id == receipt.LineId) ?? throw new NotFoundException("purchase order line", receipt.LineId);
                if (receipt.Quantity > line.Outstanding)
                {
                    throw new DomainRuleException(
                        "purchase_order.over_receipt",
                        $"line {line.LineNumber} of {order.Number} has {line.Outstanding:0.####} outstanding; cannot receive {receipt.Quantity:0.####}");
                }

                await StockLedger.MoveAsync(db, new StockLedger.Move(MovementType.Receipt, line.PartId, supplier, location, receipt.Quantity, line.UnitPrice, scope.Actor.Name)
                {
                    PurchaseOrderLineId = line.Id,
                }, cancellationToken).ConfigureAwait(false);
                line.QuantityReceived += receipt.Quantity;
            }

            order.TransitionTo(lines.All(l => l.Outstanding == 0) ? PurchaseOrderStatus.Received : PurchaseOrderStatus.PartiallyReceived, scope.Actor, db.UtcNow);
            return order;
        }, cancellationToken);
    }

    private Task<PurchaseOrder> TransitionAsync(OperationScope scope, long id, long? expectedVersion, PurchaseOrderStatus to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var order = await db.PurchaseOrders.GetAsync(id, "purchase order", expectedVersion, cancellationToken).ConfigureAwait(false);

            if (to == PurchaseOrderStatus.Submitted && !await db.PurchaseOrderLines.AnyAsync(l => l.PurchaseOrderId == id, cancellationToken).ConfigureAwait(false))
            {
                throw new DomainRuleException("purchase_order.no_lines", $"purchase order {order.Number} has no lines");
            }

            order.TransitionTo(to, scope.Actor, db.UtcNow);
            return order;
        }, cancellationToken);
    }

    private static async Task<PurchaseOrderLine> AddLineAsync(OperationsDbContext db, PurchaseOrder order, PurchaseLineInput input, int number, CancellationToken cancellationToken)
    {
        Validation.Positive("quantity", input.Quantity);
        var part = await db.Parts.GetAsync(input.PartId, "part", cancellationToken).ConfigureAwait(false);
        var price = input.UnitPrice ?? await db.SupplierParts
            .Where(s => s.SupplierId == order.SupplierId && s.PartId == part.Id)
            .Select(s => (decimal?)s.UnitPrice)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? part.StandardCost;
        if (price < 0)
        {
            throw ValidationFailedException.For("unitPrice", "cannot be negative");
        }

        var line = new PurchaseOrderLine { PurchaseOrderId = order.Id, LineNumber = number, PartId = part.Id, QuantityOrdered = input.Quantity, UnitPrice = price };
        db.PurchaseOrderLines.Add(line);
        return line;
    }
}

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>Parts on orders (reserve, issue, return, release) and stock moves (transfer, adjust, scrap, reversal).</summary>
public sealed class Inventory(OperationsStore store)
{
    /// <summary>Reserves stock for an order; it stays on hand until issued or released.</summary>
    public Task<OrderPart> ReserveAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Validation.Positive("quantity", quantity);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ConsumeParts);
            var (order, part, location) = await LoadAsync(db, orderId, partId, locationId, cancellationToken).ConfigureAwait(false);
            Validation.InUnit("quantity", quantity, part.Unit);
            RequireWorkable(order);
            await RequireAssignedAsync(db, scope.Actor, order, cancellationToken).ConfigureAwait(false);
            await StockLedger.ReserveAsync(db, part.Id, location, quantity, cancellationToken).ConfigureAwait(false);
            var line = await LineAsync(db, order, part, location, cancellationToken).ConfigureAwait(false);
            line.QuantityReserved += quantity;
            ServiceOrders.Touch(order);
            return line;
        }, cancellationToken);
    }

    /// <summary>
    /// Consumes a part on an order: one ISSUE_TO_ORDER movement from the location to CONSUMED, in one transaction that
    /// never drives stock below zero. Reserved quantity on the order is used first.
    /// </summary>
    public async Task<(OrderPart Line, InventoryMovement Movement)> IssueAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, CancellationToken cancellationToken = default) =>
        (await IssueOnceAsync(scope, orderId, partId, locationId, quantity, null, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary><see cref="IssueAsync"/> with an idempotency key: a retried request is recorded once and gets the first result back.</summary>
    public Task<((OrderPart Line, InventoryMovement Movement) Result, bool Replayed)> IssueOnceAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, string? idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Validation.Positive("quantity", quantity);
        return UnitOfWork.RunIdempotentAsync(store, scope, $"issue:{orderId}", idempotencyKey, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ConsumeParts);
            var (order, part, location) = await LoadAsync(db, orderId, partId, locationId, cancellationToken).ConfigureAwait(false);
            Validation.InUnit("quantity", quantity, part.Unit);
            RequireWorkable(order);
            await RequireAssignedAsync(db, scope.Actor, order, cancellationToken).ConfigureAwait(false);
            var line = await LineAsync(db, order, part, location, cancellationToken).ConfigureAwait(false);
            var fromReserved = Math.Min(line.QuantityReserved, quantity);
            var consumed = await Locations.VirtualAsync(db, LocationKind.Consumed, cancellationToken).ConfigureAwait(false);
            if (line.Id == 0)
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            var movement = await StockLedger.MoveAsync(db, new StockLedger.Move(MovementType.IssueToOrder, part.Id, location, consumed, quantity, line.UnitCost, scope.Actor.Name)
            {
                ServiceOrderId = order.Id,
                OrderPartId = line.Id,
                ConsumeReserved = fromReserved,
            }, cancellationToken).ConfigureAwait(false);
            line.QuantityReserved -= fromReserved;
            line.QuantityIssued += quantity;
            ServiceOrders.Touch(order);
            return (line, movement);
        }, cancellationToken);
    }

    /// <summary>Returns issued but unused parts from an order to a location (RETURN_FROM_ORDER).</summary>
    public Task<(OrderPart Line, InventoryMovement Movement)> ReturnAsync(OperationScope scope, long orderId, long orderPartId, decimal quantity, long? toLocationId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        Validation.Positive("quantity", quantity);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ConsumeParts);
            var order = await ServiceOrders.LoadAsync(db, orderId, null, cancellationToken).ConfigureAwait(false);
            RequireWorkable(order, allowCompleted: false);
            await RequireAssignedAsync(db, scope.Actor, order, cancellationToken).ConfigureAwait(false);
            var line = await db.OrderParts.FirstOrDefaultAsync(p => p.Id == orderPartId && p.ServiceOrderId == orderId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("order part", orderPartId);
            if (quantity > line.NetIssued)
            {
                throw new DomainRuleException("order_part.return_exceeds_issued", $"only {line.NetIssued:0.####} issued on this line; cannot return {quantity:0.####}");
            }

            var to = await db.StockLocations.GetAsync(toLocationId ?? line.LocationId, "stock location", cancellationToken).ConfigureAwait(false);
            var consumed = await Locations.VirtualAsync(db, LocationKind.Consumed, cancellationToken).ConfigureAwait(false);
            var movement = await StockLedger.MoveAsync(db, new StockLedger.Move(MovementType.ReturnFromOrder, line.PartId, consumed, to, quantity, line.UnitCost, scope.Actor.Name)
            {
                ServiceOrderId = order.Id,
                OrderPartId = line.Id,
            }, cancellationToken).ConfigureAwait(false);
            line.QuantityReturned += quantity;
            ServiceOrders.Touch(order);
            return (line, movement);
        }, cancellationToken);
    }

    /// <summary>Gives reserved, unissued quantity back to the location.</summary>
    public Task<OrderPart> ReleaseAsync(OperationScope scope, long orderId, long orderPartId, decimal? quantity = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ConsumeParts);
            var order = await ServiceOrders.LoadAsync(db, orderId, null, cancellationToken).ConfigureAwait(false);
            var line = await db.OrderParts.FirstOrDefaultAsync(p => p.Id == orderPartId && p.ServiceOrderId == orderId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("order part", orderPartId);
            var release = quantity ?? line.QuantityReserved;
            if (release <= 0 || release > line.QuantityReserved)
            {
                throw new DomainRuleException("order_part.release_exceeds_reserved", $"{line.QuantityReserved:0.####} reserved on this line; cannot release {release:0.####}");
            }

            var location = await db.StockLocations.GetAsync(line.LocationId, "stock location", cancellationToken).ConfigureAwait(false);
            await StockLedger.ReleaseAsync(db, line.PartId, location, release, cancellationToken).ConfigureAwait(false);
            line.QuantityReserved -= release;
            ServiceOrders.Touch(order);
            return line;
        }, cancellationToken);
    }

    public Task<InventoryMovement> TransferAsync(OperationScope scope, long partId, long fromLocationId, long toLocationId, decimal quantity, string? note = null, CancellationToken cancellationToken = default) =>
        StockMoveAsync(scope, MovementType.Transfer, partId, fromLocationId, toLocationId, quantity, note, cancellationToken);

    /// <summary>A stock count correction: a positive delta moves ADJUST → location, a negative one location → ADJUST.</summary>
    public Task<InventoryMovement> AdjustAsync(OperationScope scope, long partId, long locationId, decimal delta, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        RequireReason(reason);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var adjust = await Locations.VirtualAsync(db, LocationKind.Adjust, cancellationToken).ConfigureAwait(false);
            var (from, to) = delta > 0 ? (adjust.Id, locationId) : (locationId, adjust.Id);
            return await MoveInAsync(db, scope, MovementType.Adjust, partId, from, to, Math.Abs(delta), reason, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<InventoryMovement> ScrapAsync(OperationScope scope, long partId, long locationId, decimal quantity, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        RequireReason(reason);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var scrap = await Locations.VirtualAsync(db, LocationKind.Scrap, cancellationToken).ConfigureAwait(false);
            return await MoveInAsync(db, scope, MovementType.Scrap, partId, locationId, scrap.Id, quantity, reason, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Corrects a TRANSFER, ADJUST or SCRAP with a reversal row; the ledger itself is never edited.</summary>
    public Task<InventoryMovement> ReverseAsync(OperationScope scope, long movementId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        RequireReason(reason);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageStock);
            var original = await db.InventoryMovements.AsNoTracking().FirstOrDefaultAsync(m => m.Id == movementId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("inventory movement", movementId);
            if (original.Type is not (MovementType.Transfer or MovementType.Adjust or MovementType.Scrap))
            {
                throw new DomainRuleException("movement.not_reversible", $"{original.Type.Name()} movements are corrected through their order or purchase order (return, receipt), not reversed");
            }

            if (original.ReversalOfId is not null)
            {
                throw new DomainRuleException("movement.reversal_of_reversal", $"movement {movementId} is itself a reversal");
            }

            if (await db.InventoryMovements.AnyAsync(m => m.ReversalOfId == movementId, cancellationToken).ConfigureAwait(false))
            {
                throw new DomainRuleException("movement.already_reversed", $"movement {movementId} is already reversed");
            }

            var from = await db.StockLocations.GetAsync(original.ToLocationId, "stock location", cancellationToken).ConfigureAwait(false);
            var to = await db.StockLocations.GetAsync(original.FromLocationId, "stock location", cancellationToken).ConfigureAwait(false);
            return await StockLedger.MoveAsync(db, new StockLedger.Move(original.Type, original.PartId, from, to, original.Quantity, original.UnitCost, scope.Actor.Name)
            {
                ReversalOfId = original.Id,
                Note = reason,
            }, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    private Task<InventoryMovement> StockMoveAsync(OperationScope scope, MovementType type, long partId, long fromId, long toId, decimal quantity, string? note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, db => MoveInAsync(db, scope, type, partId, fromId, toId, quantity, note, cancellationToken), cancellationToken);
    }

    private static async Task<InventoryMovement> MoveInAsync(OperationsDbContext db, OperationScope scope, MovementType type, long partId, long fromId, long toId, decimal quantity, string? note, CancellationToken cancellationToken)
    {
        AccessPolicy.Demand(scope.Actor, Capability.ManageStock);
        Validation.Positive("quantity", quantity);
        var part = await db.Parts.GetAsync(partId, "part", cancellationToken).ConfigureAwait(false);
        Validation.InUnit("quantity", quantity, part.Unit);
        var from = await db.StockLocations.GetAsync(fromId, "stock location", cancellationToken).ConfigureAwait(false);
        var to = await db.StockLocations.GetAsync(toId, "stock location", cancellationToken).ConfigureAwait(false);
        return await StockLedger.MoveAsync(db, new StockLedger.Move(type, part.Id, from, to, quantity, part.StandardCost, scope.Actor.Name) { Note = note }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(ServiceOrder, Part, StockLocation)> LoadAsync(OperationsDbContext db, long orderId, long partId, long locationId, CancellationToken cancellationToken)
    {
        var order = await ServiceOrders.LoadAsync(db, orderId, null, cancellationToken).ConfigureAwait(false);
        var part = await db.Parts.GetAsync(partId, "part", cancellationToken).ConfigureAwait(false);
        if (!part.IsActive)
        {
            throw new DomainRuleException("part.inactive", $"part {part.Sku} is no longer active");
        }

        var location = await db.StockLocations.GetAsync(locationId, "stock location", cancellationToken).ConfigureAwait(false);
        if (location.IsVirtual)
        {
            throw new DomainRuleException("movement.locations", $"parts are taken from a STOCK or VAN location, not {location.Code} ({location.Kind.Name()})");
        }

        return (order, part, location);
    }

    private static async Task<OrderPart> LineAsync(OperationsDbContext db, ServiceOrder order, Part part, StockLocation location, CancellationToken cancellationToken)
    {
        var line = await db.OrderParts.FirstOrDefaultAsync(p => p.ServiceOrderId == order.Id && p.PartId == part.Id && p.LocationId == location.Id, cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            line = new OrderPart { ServiceOrderId = order.Id, PartId = part.Id, LocationId = location.Id, UnitCost = part.StandardCost };
            db.OrderParts.Add(line);
        }

        return line;
    }

    /// <summary>A mechanic (and nothing more senior) reserves, issues and returns parts only on orders they are assigned to.</summary>
    private static async Task RequireAssignedAsync(OperationsDbContext db, Actor actor, ServiceOrder order, CancellationToken cancellationToken)
    {
        if (!actor.IsOnlyMechanic)
        {
            return;
        }

        var mechanicId = actor.MechanicId;
        if (mechanicId is null || !await db.Assignments.AnyAsync(a => a.ServiceOrderId == order.Id && a.MechanicId == mechanicId && a.ReleasedAt == null, cancellationToken).ConfigureAwait(false))
        {
            throw new ForbiddenException("order.not_assigned", $"{actor} is not assigned to service order {order.Number}; a mechanic handles parts only on their own orders");
        }
    }

    private static void RequireWorkable(ServiceOrder order, bool allowCompleted = false)
    {
        var ok = order.Status is ServiceOrderStatus.Open or ServiceOrderStatus.Scheduled or ServiceOrderStatus.InProgress or ServiceOrderStatus.OnHold
            || (allowCompleted && order.Status == ServiceOrderStatus.Completed);
        if (!ok)
        {
            throw new DomainRuleException("order_part.order_status", $"service order {order.Number} is {order.Status.Name()}; parts change only on open work");
        }
    }

    private static void RequireReason(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw ValidationFailedException.For("reason", "is required");
        }
    }
}

internal static class Locations
{
    /// <summary>The virtual location of a kind (SUPPLIER, CONSUMED, SCRAP, ADJUST), created by <see cref="OperationsSetup"/>.</summary>
    public static async Task<StockLocation> VirtualAsync(OperationsDbContext db, LocationKind kind, CancellationToken cancellationToken) =>
        await db.StockLocations.FirstOrDefaultAsync(l => l.Kind == kind, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the virtual location {kind.Name()} is missing; run `millwright ops migrate`");
}

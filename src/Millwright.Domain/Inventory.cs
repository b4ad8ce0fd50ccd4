namespace Millwright.Domain;

/// <summary>Stock of one part at one real location. Always equals the sum of the movements in and out of it.</summary>
public sealed class StockBalance : Entity, IVersioned, INotAudited
{
    public long PartId { get; set; }
    public long LocationId { get; set; }
    public decimal OnHand { get; set; }
    public decimal Reserved { get; set; }
    public long Version { get; set; }

    public decimal Available => OnHand - Reserved;
}

/// <summary>One row of the append-only, double-entry stock ledger: quantity moves from one location to another.</summary>
public sealed class InventoryMovement : Entity, IAppendOnly
{
    public MovementType Type { get; set; }
    public long PartId { get; set; }
    public long FromLocationId { get; set; }
    public long ToLocationId { get; set; }
    public decimal Quantity { get; set; }
    public decimal UnitCost { get; set; }
    public DateTime OccurredAt { get; set; }
    public long? ServiceOrderId { get; set; }
    public long? OrderPartId { get; set; }
    public long? PurchaseOrderLineId { get; set; }

    /// <summary>Set on a correction: this row undoes the movement it names.</summary>
    public long? ReversalOfId { get; set; }
    public required string Actor { get; set; }
    public string? Note { get; set; }
}

/// <summary>The rules of the ledger that hold whatever the caller: what each movement type moves between.</summary>
public static class MovementRules
{
    public static void Validate(MovementType type, StockLocation from, StockLocation to, decimal quantity, long? serviceOrderId, long? purchaseOrderLineId, bool isReversal)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (quantity <= 0)
        {
            throw new DomainRuleException("movement.quantity", $"a movement moves a positive quantity, not {quantity}");
        }

        if (from.Id == to.Id)
        {
            throw new DomainRuleException("movement.same_location", $"a movement needs two different locations, not {from.Code} twice");
        }

        var (fromKinds, toKinds) = type switch
        {
            MovementType.Receipt => (new[] { LocationKind.Supplier }, Real),
            MovementType.IssueToOrder => (Real, new[] { LocationKind.Consumed }),
            MovementType.ReturnFromOrder => (new[] { LocationKind.Consumed }, Real),
            MovementType.Transfer => (Real, Real),
            MovementType.Adjust => (Real.Append(LocationKind.Adjust).ToArray(), Real.Append(LocationKind.Adjust).ToArray()),
            MovementType.Scrap => (Real, new[] { LocationKind.Scrap }),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        if (isReversal)
        {
            (fromKinds, toKinds) = (toKinds, fromKinds);
        }

        if (!fromKinds.Contains(from.Kind) || !toKinds.Contains(to.Kind))
        {
            throw new DomainRuleException(
                "movement.locations",
                $"{type.Name()} moves from {string.Join("/", fromKinds.Select(k => k.Name()))} to {string.Join("/", toKinds.Select(k => k.Name()))}, not from {from.Code} ({from.Kind.Name()}) to {to.Code} ({to.Kind.Name()})");
        }

        if (type == MovementType.Adjust && from.IsVirtual == to.IsVirtual)
        {
            throw new DomainRuleException("movement.locations", "an ADJUST moves between a real location and ADJUST");
        }

        if (type is MovementType.IssueToOrder or MovementType.ReturnFromOrder && serviceOrderId is null)
        {
            throw new DomainRuleException("movement.service_order", $"{type.Name()} needs a service order");
        }

        if (type == MovementType.Receipt && purchaseOrderLineId is null)
        {
            throw new DomainRuleException("movement.purchase_order_line", "RECEIPT needs a purchase order line");
        }
    }

    private static readonly LocationKind[] Real = [LocationKind.Stock, LocationKind.Van];
}

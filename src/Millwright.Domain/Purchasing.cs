namespace Millwright.Domain;

public sealed class PurchaseOrder : Entity, IVersioned
{
    public required string Number { get; set; }
    public long SupplierId { get; set; }
    public PurchaseOrderStatus Status { get; set; }

    /// <summary>Where received goods go (a STOCK location).</summary>
    public long ReceiveLocationId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? ApprovedAt { get; set; }
    public DateTime? ExpectedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? Note { get; set; }
    public long Version { get; set; }

    /// <summary>Moves the order along DRAFT, SUBMITTED, APPROVED, PARTIALLY_RECEIVED, RECEIVED, CLOSED, or to CANCELLED.</summary>
    public void TransitionTo(PurchaseOrderStatus to, Actor actor, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var allowed = (Status, to) switch
        {
            (PurchaseOrderStatus.Draft, PurchaseOrderStatus.Submitted) => true,
            (PurchaseOrderStatus.Submitted, PurchaseOrderStatus.Approved) => true,
            (PurchaseOrderStatus.Approved or PurchaseOrderStatus.PartiallyReceived, PurchaseOrderStatus.PartiallyReceived or PurchaseOrderStatus.Received) => true,
            (PurchaseOrderStatus.Received or PurchaseOrderStatus.PartiallyReceived, PurchaseOrderStatus.Closed) => true,
            (PurchaseOrderStatus.Draft or PurchaseOrderStatus.Submitted or PurchaseOrderStatus.Approved, PurchaseOrderStatus.Cancelled) => true,
            _ => false,
        };
        if (!allowed)
        {
            throw new DomainRuleException("purchase_order.transition", $"purchase order {Number} cannot go from {Status.Name()} to {to.Name()}");
        }

        var permission = to switch
        {
            PurchaseOrderStatus.Approved => Capability.ApprovePurchaseOrder,
            PurchaseOrderStatus.PartiallyReceived or PurchaseOrderStatus.Received => Capability.ReceiveGoods,
            _ => Capability.ManagePurchaseOrders,
        };
        AccessPolicy.Demand(actor, permission);
        Status = to;
        switch (to)
        {
            case PurchaseOrderStatus.Submitted:
                SubmittedAt = at;
                break;
            case PurchaseOrderStatus.Approved:
                ApprovedAt = at;
                break;
            case PurchaseOrderStatus.Closed or PurchaseOrderStatus.Cancelled:
                ClosedAt = at;
                break;
        }
    }
}

public sealed class PurchaseOrderLine : Entity, IVersioned
{
    public long PurchaseOrderId { get; set; }
    public int LineNumber { get; set; }
    public long PartId { get; set; }
    public decimal QuantityOrdered { get; set; }
    public decimal QuantityReceived { get; set; }
    public decimal UnitPrice { get; set; }
    public long Version { get; set; }

    public decimal Outstanding => QuantityOrdered - QuantityReceived;
}

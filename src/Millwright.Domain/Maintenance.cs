namespace Millwright.Domain;

/// <summary>A service order ("OS"): the unit of maintenance work on one asset. Its status moves only through <see cref="ServiceOrderWorkflow"/>.</summary>
public sealed class ServiceOrder : Entity, IVersioned
{
    public required string Number { get; set; }
    public long AssetId { get; set; }
    public ServiceOrderType Type { get; set; }
    public Priority Priority { get; set; }
    public ServiceOrderStatus Status { get; set; }
    public required string Description { get; set; }
    public DateTime ReportedAt { get; set; }
    public DateTime? FailureAt { get; set; }
    public bool AssetDown { get; set; }
    public DateTime? DowntimeStart { get; set; }
    public DateTime? DowntimeEnd { get; set; }
    public DateTime? ScheduledStart { get; set; }
    public DateTime? DueAt { get; set; }
    public decimal EstimatedHours { get; set; }
    public string? ResolutionCode { get; set; }
    public string? ResolutionNotes { get; set; }
    public long? ParentOrderId { get; set; }
    public long? PmPlanId { get; set; }
    public long? CustomerId { get; set; }
    public bool IsBillable { get; set; } = true;
    public string? HoldReason { get; set; }
    public int ReworkCount { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The sequence number of the latest status history row.</summary>
    public int StatusSequence { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string Field, string Message)> Validate()
    {
        foreach (var e in Check.Text(nameof(Description), Description))
        {
            yield return e;
        }

        if (EstimatedHours < 0)
        {
            yield return (nameof(EstimatedHours), "cannot be negative");
        }

        if (AssetDown && DowntimeStart is null)
        {
            yield return (nameof(DowntimeStart), "is required when the asset is down");
        }

        if (DowntimeEnd < DowntimeStart)
        {
            yield return (nameof(DowntimeEnd), "cannot be before the downtime start");
        }

        if (DueAt < ReportedAt)
        {
            yield return (nameof(DueAt), "cannot be before the order was reported");
        }
    }
}

/// <summary>One row of an order's append-only status history; <see cref="Sequence"/> counts from 1 per order.</summary>
public sealed class ServiceOrderStatusChange : Entity, IAppendOnly
{
    public long ServiceOrderId { get; set; }
    public int Sequence { get; set; }
    public ServiceOrderStatus? FromStatus { get; set; }
    public ServiceOrderStatus ToStatus { get; set; }
    public DateTime ChangedAt { get; set; }
    public required string Actor { get; set; }
    public Role Role { get; set; }
    public string? Reason { get; set; }
}

public sealed class Assignment : Entity, IVersioned
{
    public long ServiceOrderId { get; set; }
    public long MechanicId { get; set; }
    public AssignmentRole Role { get; set; }
    public DateTime AssignedAt { get; set; }
    public DateTime? ReleasedAt { get; set; }
    public required string AssignedBy { get; set; }
    public long Version { get; set; }

    public bool IsActive => ReleasedAt is null;
}

public sealed class WorkEvent : Entity, IAppendOnly
{
    public long ServiceOrderId { get; set; }
    public long MechanicId { get; set; }
    public WorkEventType Type { get; set; }
    public DateTime OccurredAt { get; set; }
    public required string Actor { get; set; }
    public string? Note { get; set; }
}

/// <summary>Time a mechanic spent on an order, derived from work events: opened by START/RESUME, closed by PAUSE/FINISH.</summary>
public sealed class LaborEntry : Entity, IVersioned
{
    public long ServiceOrderId { get; set; }
    public long MechanicId { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public decimal? Hours { get; set; }
    public decimal HourlyCost { get; set; }
    public decimal BillableRate { get; set; }
    public long StartEventId { get; set; }
    public long? EndEventId { get; set; }
    public long Version { get; set; }

    public bool IsRunning => EndedAt is null;

    public void Stop(DateTime at, long endEventId)
    {
        EndedAt = at < StartedAt ? StartedAt : at;
        Hours = decimal.Round((decimal)(EndedAt.Value - StartedAt).TotalHours, 4);
        EndEventId = endEventId;
    }
}

/// <summary>A part on an order: reserved at a location, then issued (each issue is a ledger movement), maybe returned.</summary>
public sealed class OrderPart : Entity, IVersioned
{
    public long ServiceOrderId { get; set; }
    public long PartId { get; set; }
    public long LocationId { get; set; }

    /// <summary>Reserved and not yet issued.</summary>
    public decimal QuantityReserved { get; set; }
    public decimal QuantityIssued { get; set; }
    public decimal QuantityReturned { get; set; }
    public decimal UnitCost { get; set; }
    public long Version { get; set; }

    public decimal NetIssued => QuantityIssued - QuantityReturned;
}

public sealed class Diagnosis : Entity, IVersioned
{
    public long ServiceOrderId { get; set; }
    public long? DiagnosticCodeId { get; set; }
    public long? MechanicId { get; set; }
    public required string Finding { get; set; }
    public string? RootCause { get; set; }
    public DateTime DiagnosedAt { get; set; }
    public long Version { get; set; }
}

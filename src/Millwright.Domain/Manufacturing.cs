namespace Millwright.Domain;

/// <summary>A production run on one piece of equipment: good + scrap + rework = produced.</summary>
public sealed class ProductionRun : Entity, IVersioned
{
    public long EquipmentId { get; set; }
    public required string ProductCode { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public decimal PlannedBusyMinutes { get; set; }
    public decimal IdealCycleTimeSeconds { get; set; }
    public int ProducedQuantity { get; set; }
    public int GoodQuantity { get; set; }
    public int ScrapQuantity { get; set; }
    public int ReworkQuantity { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string Field, string Message)> Validate()
    {
        if (GoodQuantity < 0 || ScrapQuantity < 0 || ReworkQuantity < 0)
        {
            yield return (nameof(GoodQuantity), "quantities cannot be negative");
        }

        if (GoodQuantity + ScrapQuantity + ReworkQuantity != ProducedQuantity)
        {
            yield return (nameof(ProducedQuantity), $"good + scrap + rework ({GoodQuantity + ScrapQuantity + ReworkQuantity}) must equal produced ({ProducedQuantity})");
        }

        if (EndedAt < StartedAt)
        {
            yield return (nameof(EndedAt), "cannot be before the start");
        }

        if (IdealCycleTimeSeconds <= 0)
        {
            yield return (nameof(IdealCycleTimeSeconds), "must be positive");
        }
    }
}

public sealed class EquipmentStateEvent : Entity, IAppendOnly, INotAudited
{
    public long EquipmentId { get; set; }
    public EquipmentState State { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public string? ReasonCode { get; set; }
}

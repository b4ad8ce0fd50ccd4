namespace Millwright.Domain;

/// <summary>Who changed what: written in the same transaction as the change itself.</summary>
public sealed class AuditEntry : Entity, IAppendOnly, INotAudited
{
    public DateTime OccurredAt { get; set; }
    public required string Actor { get; set; }
    public Role Role { get; set; }
    public required string EntityType { get; set; }
    public long EntityId { get; set; }
    public required string Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public required string CorrelationId { get; set; }
}

/// <summary>The outbox: one row per changed row, with a monotonic id that extraction reads from incrementally.</summary>
public sealed class ChangeFeedEntry : Entity, IAppendOnly, INotAudited
{
    public DateTime OccurredAt { get; set; }
    public required string Table { get; set; }
    public long EntityId { get; set; }
    public ChangeOperation Operation { get; set; }
}

/// <summary>The stored answer to a request that carried an Idempotency-Key, replayed when the key comes again.</summary>
public sealed class IdempotencyRecord : Entity, INotAudited
{
    public required string Key { get; set; }
    public required string Scope { get; set; }
    public int StatusCode { get; set; }
    public required string Response { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>The last number handed out for a kind of document (service orders, purchase orders, invoices).</summary>
public sealed class NumberSequence : Entity, INotAudited
{
    public required string Name { get; set; }
    public long LastValue { get; set; }
}

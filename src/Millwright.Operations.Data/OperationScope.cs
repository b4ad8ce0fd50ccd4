using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>Who is writing and under which correlation id: stamped on every audit row of a save.</summary>
public sealed record OperationScope(Actor Actor, string CorrelationId)
{
    public static OperationScope For(Actor actor) => new(actor, Guid.NewGuid().ToString("n"));
}

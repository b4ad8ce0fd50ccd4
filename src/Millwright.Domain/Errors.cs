namespace Millwright.Domain;

/// <summary>A business rule refused the action; <see cref="Rule"/> names the rule (for example <c>stock.insufficient</c>).</summary>
public class DomainRuleException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}

/// <summary>The actor's role may not perform the action.</summary>
public sealed class ForbiddenException(string rule, string message) : DomainRuleException(rule, message);

/// <summary>The entity does not exist.</summary>
public sealed class NotFoundException(string entity, object id)
    : Exception($"{entity} {id} does not exist")
{
    public string Entity { get; } = entity;
}

/// <summary>The write was based on a stale version of the entity, or raced another write of the same thing.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);

/// <summary>Input that is malformed before any rule applies; <see cref="Errors"/> maps field names to messages.</summary>
public sealed class ValidationFailedException(IReadOnlyDictionary<string, string[]> errors)
    : Exception("invalid input: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static ValidationFailedException For(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

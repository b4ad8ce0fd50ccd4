namespace Millwright.Domain;

/// <summary>
/// Who does something: their name, the roles they act in and, for a mechanic, their mechanic id. <see cref="Role"/> is
/// the most senior of <see cref="Roles"/> (what the audit log records); a capability held by any of the roles counts.
/// </summary>
public sealed record Actor(string Name, Role Role, long? MechanicId = null)
{
    private readonly IReadOnlyList<Role>? _roles;

    public static Actor System { get; } = new("system", Role.Admin);

    /// <summary>Every role the actor holds (at least <see cref="Role"/>).</summary>
    public IReadOnlyList<Role> Roles
    {
        get => _roles ?? [Role];
        init => _roles = value is { Count: > 0 } ? [.. value.Append(Role).Distinct().Order()] : null;
    }

    /// <summary>An actor holding <paramref name="roles"/> (at least one), acting in the most senior of them.</summary>
    public static Actor Holding(string name, IReadOnlyCollection<Role> roles, long? mechanicId = null)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return roles.Count == 0
            ? throw new ArgumentException("an actor holds at least one role", nameof(roles))
            : new Actor(name, roles.Max(), mechanicId) { Roles = [.. roles] };
    }

    /// <summary>True when MECHANIC is all the actor is: such an actor works only on orders they are assigned to.</summary>
    public bool IsOnlyMechanic => Roles.All(r => r == Role.Mechanic);

    public override string ToString() => $"{Name} ({string.Join(", ", Roles.Select(r => r.Name()))})";
}

namespace Millwright.Domain;

/// <summary>Who does something, in which role; a mechanic acting for themself carries their mechanic id.</summary>
public sealed record Actor(string Name, Role Role, long? MechanicId = null)
{
    public static Actor System { get; } = new("system", Role.Admin);

    public override string ToString() => $"{Name} ({Role.Name()})";
}

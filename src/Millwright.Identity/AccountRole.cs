namespace Millwright.Identity;

/// <summary>
/// What a user may do. The first five are the operational roles of the maintenance system (their capabilities are in
/// Millwright.Domain); the others are the platform's: ANALYST reads dashboards, SQL, docs and runs; OPERATOR runs
/// pipelines (launch, cancel, backfill, sensors, schedules, stream loads); VIEWER only reads dashboards.
/// </summary>
public enum AccountRole
{
    Mechanic,
    Planner,
    Supervisor,
    Manager,
    Admin,
    Analyst,
    Operator,
    Viewer,
}

public static class AccountRoles
{
    /// <summary>The name users type and claims carry: MECHANIC, ANALYST, ...</summary>
    public static string Name(this AccountRole role) => role.ToString().ToUpperInvariant();

    public static bool TryParse(string? text, out AccountRole role)
    {
        role = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var candidate in Enum.GetValues<AccountRole>())
        {
            if (string.Equals(candidate.Name(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                role = candidate;
                return true;
            }
        }

        return false;
    }

    public static AccountRole Parse(string text) =>
        TryParse(text, out var role) ? role : throw new AccountException($"'{text}' is not a role: use one of {All}");

    public static string All => string.Join(", ", Enum.GetValues<AccountRole>().Select(r => r.Name()));

    /// <summary>The roles of the maintenance system itself (MECHANIC to ADMIN).</summary>
    public static bool IsOperational(this AccountRole role) => role <= AccountRole.Admin;
}

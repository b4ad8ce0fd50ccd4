using Millwright.Identity;

namespace Millwright.Web.Security;

/// <summary>Who may call what, by role; ADMIN is in every policy. Every other endpoint needs a signed-in user.</summary>
internal static class Policies
{
    /// <summary>The maintenance system (/api/ops): any operational role; the domain decides each action.</summary>
    public const string Operations = "operations";

    /// <summary>Reading assets, runs, events, schedules, sensors and docs.</summary>
    public const string PipelinesRead = "pipelines.read";

    /// <summary>Launching, cancelling, re-executing and backfilling runs; turning sensors and schedules on and off.</summary>
    public const string PipelinesWrite = "pipelines.write";

    /// <summary>Stream loads into the raw layer.</summary>
    public const string Ingest = "ingest";

    /// <summary>Dashboards and their cards' data: every role (VIEWER and up).</summary>
    public const string Dashboards = "dashboards";

    /// <summary>Scraping /metrics (a Prometheus server with an operator's token).</summary>
    public const string Metrics = "metrics";

    public static IReadOnlyDictionary<string, AccountRole[]> Roles { get; } = new Dictionary<string, AccountRole[]>
    {
        [Operations] = [AccountRole.Mechanic, AccountRole.Planner, AccountRole.Supervisor, AccountRole.Manager, AccountRole.Admin],
        [PipelinesRead] = [AccountRole.Analyst, AccountRole.Operator, AccountRole.Admin],
        [PipelinesWrite] = [AccountRole.Operator, AccountRole.Admin],
        [Ingest] = [AccountRole.Operator, AccountRole.Admin],
        [Metrics] = [AccountRole.Operator, AccountRole.Admin],
        [Dashboards] = Enum.GetValues<AccountRole>(),
    };
}

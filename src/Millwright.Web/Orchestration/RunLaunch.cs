using System.Security.Claims;
using Millwright.Orchestration.Storage;

namespace Millwright.Web.Orchestration;

/// <summary>Who launched a run: recorded from the caller's identity, shown the same way on every page.</summary>
internal static class RunLaunch
{
    /// <summary>The tag that names the user who launched a run or backfill.</summary>
    public const string UserTag = "user";

    /// <summary>Why a run was launched when no user or instigator did (the first build of a new workspace says so).</summary>
    public const string ReasonTag = "millwright/reason";

    /// <summary>
    /// The tags of a launch from a page or the API: the ones asked for, with <see cref="UserTag"/> set from the caller's
    /// identity (a "user" tag in the request is replaced, so nobody launches in another's name).
    /// </summary>
    public static Dictionary<string, string> Tags(IReadOnlyDictionary<string, string>? requested, ClaimsPrincipal caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var tags = requested?.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        tags[UserTag] = caller.Identity?.Name ?? "unknown";
        return tags;
    }

    /// <summary>What launched the run: its schedule, sensor or backfill, its user, its stated reason, or else a command.</summary>
    public static string LaunchedBy(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Instigator
            ?? run.Tags.GetValueOrDefault(UserTag)
            ?? run.Tags.GetValueOrDefault(ReasonTag)
            ?? "manual";
    }
}

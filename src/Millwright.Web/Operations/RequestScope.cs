using System.Globalization;
using Millwright.Domain;
using Millwright.Identity;
using Millwright.Operations.Data;

namespace Millwright.Web.Operations;

/// <summary>
/// Who makes a request: the signed-in user (cookie or API token), with the operational roles of their identity and,
/// for a mechanic, the mechanic row their user is linked to. Nothing a caller sends in a header changes who they are.
/// <c>X-Correlation-Id</c> ties the audit rows of one request together (one is made when absent or not plain
/// printable ASCII, and echoed in the response).
/// </summary>
internal static class RequestScope
{
    public const string CorrelationHeader = "X-Correlation-Id";

    public static OperationScope From(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return From(http.User, CorrelationId(http));
    }

    /// <summary>The scope of <paramref name="user"/>'s action from the web app's circuit, tied together by <paramref name="correlationId"/>.</summary>
    public static OperationScope From(System.Security.Claims.ClaimsPrincipal user, string correlationId)
    {
        var name = user.Identity?.Name;
        if (user.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(name))
        {
            throw new InvalidOperationException("an operations endpoint ran without an authenticated user");
        }

        var roles = AccountClaims.Roles(user).Where(r => r.IsOperational()).Select(ToDomain).ToList();
        if (roles.Count == 0)
        {
            throw new ForbiddenException("auth.role", $"{name} holds no operational role (MECHANIC, PLANNER, SUPERVISOR, MANAGER, ADMIN)");
        }

        return new OperationScope(Actor.Holding(name, roles, AccountClaims.Mechanic(user)), correlationId);
    }

    /// <summary>The caller's id when it is 1 to 100 printable ASCII characters; otherwise the request's own id.</summary>
    public static string CorrelationId(HttpContext http)
    {
        var given = http.Request.Headers[CorrelationHeader].ToString();
        return given is { Length: > 0 and <= 100 } && given.All(c => c is >= ' ' and <= '~') ? given : http.TraceIdentifier;
    }

    private static Role ToDomain(AccountRole role) => role switch
    {
        AccountRole.Mechanic => Role.Mechanic,
        AccountRole.Planner => Role.Planner,
        AccountRole.Supervisor => Role.Supervisor,
        AccountRole.Manager => Role.Manager,
        AccountRole.Admin => Role.Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not an operational role"),
    };

    /// <summary>The <c>Idempotency-Key</c> header: 1 to 200 printable ASCII characters, or a 400.</summary>
    public static string? IdempotencyKey(HttpContext http) => http.Request.Headers["Idempotency-Key"].ToString() switch
    {
        { Length: 0 } => null,
        { Length: <= 200 } key when key.All(c => c is >= ' ' and <= '~') => key,
        _ => throw ValidationFailedException.For("Idempotency-Key", "must be 1 to 200 printable ASCII characters"),
    };

    /// <summary>
    /// The version the client read, which an update must name (<see cref="ExpectedVersion"/>): without one the request
    /// is refused with 428, so nobody overwrites a change they never saw.
    /// </summary>
    public static long RequiredVersion(HttpContext http, long? bodyVersion = null) =>
        ExpectedVersion(http, bodyVersion) ?? throw new PreconditionRequiredException("send the version you read as If-Match: \"3\" (the ETag of the row), or as \"version\" in the body");

    /// <summary>The version the client read: <c>If-Match: "3"</c> (or <c>3</c>), else the body's <c>version</c>.</summary>
    public static long? ExpectedVersion(HttpContext http, long? bodyVersion = null)
    {
        var ifMatch = http.Request.Headers.IfMatch.ToString().Trim().Trim('"');
        if (ifMatch.Length == 0)
        {
            return bodyVersion;
        }

        return long.TryParse(ifMatch.StartsWith("W/", StringComparison.Ordinal) ? ifMatch[2..].Trim('"') : ifMatch, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw ValidationFailedException.For("If-Match", "must be the version number of the row, for example \"3\"");
    }
}

/// <summary>An update that did not say which version it changes (428 Precondition Required).</summary>
internal sealed class PreconditionRequiredException(string message) : Exception(message);

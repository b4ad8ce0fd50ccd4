using System.Globalization;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Web.Operations;

/// <summary>
/// Who makes a request: <c>X-Millwright-Actor</c> (a name), <c>X-Millwright-Role</c> (MECHANIC, PLANNER, SUPERVISOR,
/// MANAGER, ADMIN) and, for a mechanic, <c>X-Millwright-Mechanic-Id</c>; <c>X-Correlation-Id</c> ties the audit rows
/// of one request together (one is made when absent, and echoed in the response).
/// </summary>
internal static class RequestScope
{
    public const string ActorHeader = "X-Millwright-Actor";
    public const string RoleHeader = "X-Millwright-Role";
    public const string MechanicHeader = "X-Millwright-Mechanic-Id";
    public const string CorrelationHeader = "X-Correlation-Id";

    public static OperationScope From(HttpContext http)
    {
        var headers = http.Request.Headers;
        var name = headers[ActorHeader].ToString();
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ValidationFailedException.For(ActorHeader, "is required: the name of who makes the request");
        }

        if (!EnumNames.TryParse<Role>(headers[RoleHeader].ToString(), out var role))
        {
            throw ValidationFailedException.For(RoleHeader, $"must be one of {string.Join(", ", Enum.GetValues<Role>().Select(r => r.Name()))}");
        }

        long? mechanicId = null;
        var mechanic = headers[MechanicHeader].ToString();
        if (mechanic.Length > 0)
        {
            mechanicId = long.TryParse(mechanic, NumberStyles.None, CultureInfo.InvariantCulture, out var m)
                ? m
                : throw ValidationFailedException.For(MechanicHeader, "must be a mechanic id");
        }

        return new OperationScope(new Actor(name.Trim(), role, mechanicId), CorrelationId(http));
    }

    public static string CorrelationId(HttpContext http)
    {
        var given = http.Request.Headers[CorrelationHeader].ToString();
        return given is { Length: > 0 and <= 100 } ? given : http.TraceIdentifier;
    }

    public static string? IdempotencyKey(HttpContext http) =>
        http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } key ? key : null;

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


namespace Millwright.Web.Health;

internal static class HealthApi
{
    /// <summary>
    /// <c>GET /health</c>: 200 with every store healthy, 503 otherwise. Open to anyone (a load balancer's probe), so an
    /// anonymous caller sees each store's status only; a signed-in caller also sees targets, details and errors.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", async (HttpContext http, StoreHealth health, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckAsync(cancellationToken).ConfigureAwait(false);
            var status = report.Status == "healthy" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return http.User.Identity?.IsAuthenticated == true
                ? Results.Json(report, HealthJson.Default.HealthReport, statusCode: status)
                : Results.Json(new HealthSummary(report.Status, report.Stores.ToDictionary(s => s.Key, s => s.Value.Status)), HealthJson.Default.HealthSummary, statusCode: status);
        }).AllowAnonymous();
        return endpoints;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthReport))]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthSummary))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>What an anonymous caller learns: the overall status and each store's, nothing about where they are.</summary>
internal sealed record HealthSummary(string Status, IReadOnlyDictionary<string, string> Stores);


namespace Millwright.Web.Health;

internal static class HealthApi
{
    /// <summary><c>GET /health</c>: 200 with every store healthy, 503 otherwise; the body reports each store.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", async (StoreHealth health, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckAsync(cancellationToken).ConfigureAwait(false);
            return Results.Json(report, HealthJson.Default.HealthReport, statusCode: report.Status == "healthy" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(
    PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;

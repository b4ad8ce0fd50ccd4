using Microsoft.AspNetCore.Http.Features;
using Millwright.Ingestion;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Ingestion.Streams;
using Millwright.Web.Operations;
using Millwright.Workspace;

namespace Millwright.Web.Ingest;

/// <summary>
/// <c>PUT /api/ingest/{source}</c>: stream load. The body (CSV, or JSON lines with Content-Type application/x-ndjson)
/// is loaded under the source's contract; the <c>label</c> header makes a retry a no-op that returns the first
/// result. The caller needs the OPERATOR (or ADMIN) role: an API token of such a user, as <c>Authorization: Bearer</c>.
/// </summary>
internal static class IngestApi
{
    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut("/api/ingest/{source}", async (string source, HttpContext http, IngestEndpoint ingest, Metrics.MillwrightMetrics metrics, Millwright.Dashboards.DashboardEngine dashboards, CancellationToken ct) =>
        {
            var label = http.Request.Headers["label"].FirstOrDefault() ?? http.Request.Headers["X-Millwright-Label"].FirstOrDefault();
            if (string.IsNullOrWhiteSpace(label))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["label"] = ["a label header is required: the same label twice loads once"] });
            }

            DataContract? contract;
            try
            {
                contract = ingest.Contracts().Find(source);
            }
            catch (IngestionException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "A contract does not load", detail: e.Message);
            }

            if (contract is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"no contract for source '{source}' (pipelines/<pipeline>/contracts/{source}.yml)");
            }

            var kind = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() switch
            {
                "application/x-ndjson" or "application/jsonl" or "application/json-lines" or "application/jsonlines" => FileKind.JsonLines,
                null or "text/csv" or "text/plain" or "text/tab-separated-values" or "application/octet-stream" => FileKind.Csv,
                var other => (FileKind?)null,
            };
            if (kind is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported body", detail: $"'{http.Request.ContentType}' is not text/csv or application/x-ndjson");
            }

            // Streamed to disk as it arrives, so a body far larger than memory is fine; no size limit applies here.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            StreamLoadResult result;
            try
            {
                await using var body = new CountingStream(http.Request.Body);
                try
                {
                    result = await ingest.Loader.LoadAsync(contract, label, kind.Value, body, ct).ConfigureAwait(false);
                }
                finally
                {
                    metrics.StreamBytes(source, body.BytesRead);
                }
            }
            catch (IngestionException e)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["label"] = [e.Message] });
            }
            catch (Millwright.Warehouse.WarehouseException e) when (e.Kind == Millwright.Warehouse.WarehouseErrorKind.Connection)
            {
                // The warehouse is locked by another process or away: nothing was loaded and the label stays free for a retry.
                http.Response.Headers.RetryAfter = "5";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The warehouse is not available", detail: $"nothing was loaded; retry with the same label: {e.Message}");
            }
            catch (Millwright.Warehouse.WarehouseException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The body could not be read", detail: $"nothing was loaded: {e.Message}");
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException or OperationCanceledException)
            {
                // The client went away or the body did not arrive whole: nothing was loaded and the label stays free.
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body did not arrive whole", detail: $"nothing was loaded: {e.Message}");
            }

            var load = result.Load;
            if (!result.Replayed)
            {
                metrics.Ingested(source, load.RowsLoaded, load.RowsRejected);
                dashboards.Invalidate();
            }

            var answer = new
            {
                label = result.Label,
                replayed = result.Replayed,
                loadId = load.LoadId,
                status = load.Status.ToString().ToUpperInvariant(),
                source = load.Source,
                contractVersion = load.ContractVersion,
                rowsRead = load.RowsRead,
                rowsLoaded = load.RowsLoaded,
                rowsRejected = load.RowsRejected,
                durationMs = load.Duration.TotalMilliseconds,
                error = load.Error,
                rejected = result.Rejections.Select(r => new { line = r.Line, rule = r.Rule }),
            };
            if (result.Replayed)
            {
                http.Response.Headers["Idempotent-Replayed"] = "true";
            }

            return Results.Json(answer, OperationsJson.Options, statusCode: load.Status == LoadStatus.Failed ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status200OK);
        }).WithTags("Ingestion").RequireAuthorization(Security.Policies.Ingest);
        return endpoints;
    }
}

/// <summary>What the stream-load endpoint needs: the contracts (read per request, so edits apply) and the loader.</summary>
internal sealed class IngestEndpoint : IDisposable
{
    private readonly LoadedSettings _loaded;

    public IngestEndpoint(LoadedSettings loaded, Millwright.Warehouse.IWarehouse warehouse)
    {
        _loaded = loaded;
        var ingestor = new FileIngestor(warehouse, new IngestionOptions { RawLayerPath = Path.Combine(loaded.Workspace.StateDirectory, "raw"), OnStep = FaultPoints.Hook(Environment.GetEnvironmentVariable, Console.Error) });
        Loader = new StreamLoader(warehouse, ingestor, Path.Combine(loaded.Workspace.StateDirectory, "spool"));
    }

    public StreamLoader Loader { get; }

    public ContractCatalog Contracts() => ContractCatalog.Load(_loaded.Workspace.PipelinesDirectory);

    public void Dispose() => Loader.Dispose();
}

using System.Security.Claims;
using Millwright.Warehouse;
using Millwright.Warehouse.Export;

namespace Millwright.Web.Explorer;

internal sealed record ExplorerQuery(string Sql, int? Limit = null, double? TimeoutSeconds = null);

internal sealed record ExplorerAnswer(IReadOnlyList<ExplorerColumn> Columns, IReadOnlyList<object?[]> Rows, bool Truncated, double ElapsedMs, DateTimeOffset DataAsOf);

internal sealed record ExplorerRelation(string Schema, string Name, string Kind);

internal sealed record ExplorerSave(string Sql);

/// <summary>
/// The SQL explorer's API, for ANALYST, OPERATOR and ADMIN (the page uses the same service): <c>GET /api/explorer/relations</c>
/// and a relation's columns, <c>POST /api/explorer/query</c> (a row limit and a timeout), <c>GET /api/explorer/export</c>
/// (every row as CSV or Parquet), <c>POST /api/explorer/refresh</c> (read the newest data), and the caller's saved
/// queries. Queries run on the warehouse's read-only view: refused writes and file access come back as 400 with the
/// engine's words.
/// </summary>
internal static class ExplorerApi
{
    public static void MapExplorerApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/explorer").WithTags("SQL explorer").RequireAuthorization(Security.Policies.PipelinesRead);
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ExplorerException e)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The query was not answered", detail: e.Message);
            }
        });

        api.MapGet("/relations", async (SqlExplorer explorer, CancellationToken ct) =>
            Results.Ok((await explorer.RelationsAsync(ct).ConfigureAwait(false)).Select(r => new ExplorerRelation(r.Schema, r.Name, r.Kind == RelationKind.View ? "view" : "table"))))
            .WithSummary("The schemas' tables and views, as the explorer reads them");
        api.MapGet("/relations/{schema}/{name}/columns", async (string schema, string name, SqlExplorer explorer, CancellationToken ct) =>
            Results.Ok(await explorer.ColumnsAsync(RelationName.Of(schema, name), ct).ConfigureAwait(false)))
            .WithSummary("A relation's columns and types");
        api.MapPost("/query", async (ExplorerQuery query, SqlExplorer explorer, CancellationToken ct) =>
        {
            if (query.TimeoutSeconds is { } seconds && !(double.IsFinite(seconds) && seconds > 0 && seconds <= SqlExplorer.MaxTimeout.TotalSeconds))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["timeoutSeconds"] = [$"a number of seconds above 0 and at most {SqlExplorer.MaxTimeout.TotalSeconds:0}"] });
            }

            if (query.Limit is { } limit && limit is < 1 or > SqlExplorer.MaxRows)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"1 to {SqlExplorer.MaxRows}"] });
            }

            var result = await explorer.RunAsync(query.Sql, query.Limit ?? 1000, TimeSpan.FromSeconds(query.TimeoutSeconds ?? 60), ct).ConfigureAwait(false);
            return Results.Ok(new ExplorerAnswer(result.Columns, result.Rows, result.Truncated, Math.Round(result.Elapsed.TotalMilliseconds, 2), result.DataAsOf));
        }).WithSummary("Run a read-only query: at most limit rows (default 1,000, up to 100,000), stopped after timeoutSeconds (default 60, up to 300)");
        api.MapGet("/export", async (string sql, string? format, HttpContext http, SqlExplorer explorer, CancellationToken ct) =>
        {
            var parquet = string.Equals(format, "parquet", StringComparison.OrdinalIgnoreCase);
            if (!parquet && format is not null && !string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "format: csv or parquet");
            }

            // The answer is buffered, so a query the engine refuses is a 400 rather than a cut-off download.
            var buffer = new MemoryStream();
            await explorer.ExportAsync(sql, parquet ? ExportFormat.Parquet : ExportFormat.Csv, buffer, SqlExplorer.MaxTimeout, ct).ConfigureAwait(false);
            buffer.Position = 0;
            return Results.File(buffer, parquet ? "application/vnd.apache.parquet" : "text/csv; charset=utf-8", parquet ? "query.parquet" : "query.csv");
        }).WithSummary("Every row of a read-only query as CSV or Parquet");
        api.MapPost("/refresh", async (SqlExplorer explorer, CancellationToken ct) =>
            Results.Ok(new { DataAsOf = await explorer.RefreshAsync(ct).ConfigureAwait(false) }))
            .WithSummary("Read the warehouse's newest data from now on");
        api.MapGet("/saved", async (ClaimsPrincipal user, SavedQueries saved, CancellationToken ct) =>
            Results.Ok(await saved.ListAsync(UserId(user), ct).ConfigureAwait(false)))
            .WithSummary("The caller's saved queries");
        api.MapPut("/saved/{name}", async (string name, ExplorerSave body, ClaimsPrincipal user, SavedQueries saved, CancellationToken ct) =>
            Results.Ok(await saved.SaveAsync(UserId(user), name, body.Sql, ct).ConfigureAwait(false)))
            .WithSummary("Save (or replace) a query of the caller's under a name");
        api.MapDelete("/saved/{name}", async (string name, ClaimsPrincipal user, SavedQueries saved, CancellationToken ct) =>
            await saved.DeleteAsync(UserId(user), name, ct).ConfigureAwait(false) ? Results.NoContent() : Results.NotFound())
            .WithSummary("Delete a saved query of the caller's");
    }

    public static long UserId(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : 0;
}

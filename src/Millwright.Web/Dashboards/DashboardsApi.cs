using Millwright.Dashboards;
using Millwright.Warehouse.Export;

namespace Millwright.Web.Dashboards;

internal sealed record DashboardSummary(string Id, string Title, string? Description, string Pipeline, IReadOnlyList<FilterSummary> Filters, IReadOnlyList<CardSummary> Cards);

internal sealed record FilterSummary(string Id, string Label, string Type, int? DefaultDays);

internal sealed record CardSummary(string Id, string Title, string Chart, string? X, IReadOnlyList<string> Y, string? Series, string? Format, int Width);

internal sealed record DashboardList(IReadOnlyList<DashboardSummary> Dashboards, IReadOnlyList<string> Errors);

internal sealed record CardAnswer(IReadOnlyList<CardColumn> Columns, IReadOnlyList<object?[]> Rows, bool Cached, double ElapsedMs, bool Truncated);

/// <summary>
/// <c>GET /api/dashboards</c> (every dashboard with its filters and cards) and a card's rows:
/// <c>GET /api/dashboards/{id}/cards/{card}/data?period_from=2026-01-01&amp;site=WS-LIS</c> (JSON), <c>.../data.csv</c>
/// (every row) and <c>.../drill?x=...</c> (the rows behind a point). Filter values arrive as query parameters and are
/// bound, never pasted into SQL.
/// </summary>
internal static class DashboardsApi
{
    public static void MapDashboardsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/dashboards").WithTags("Dashboards").RequireAuthorization(Security.Policies.Dashboards);

        // A card whose SQL the warehouse refuses (a table not built yet, a typo in the file) is the dashboard's problem,
        // said as such: 422 with the warehouse's words, naming the card.
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (Millwright.Warehouse.WarehouseException e)
            {
                var services = context.HttpContext.RequestServices;
                var dashboard = services.GetRequiredService<DashboardCatalog>().Current.Get(context.HttpContext.GetRouteValue("id") as string ?? "");
                var problem = dashboard is null ? new CardProblem(e.Message, null) : services.GetRequiredService<CardErrors>().Describe(e, dashboard);
                return Results.Problem(
                    statusCode: StatusCodes.Status422UnprocessableEntity,
                    title: CardErrors.NotBuilt(e) ? "Not built yet" : "The warehouse refused the card's query",
                    detail: problem.Message,
                    extensions: problem.Asset is { } asset ? new Dictionary<string, object?>(StringComparer.Ordinal) { ["asset"] = asset } : null);
            }
        });
        api.MapGet("/", (DashboardCatalog catalog) =>
        {
            var set = catalog.Current;
            return Results.Ok(new DashboardList([.. set.Dashboards.Select(Summary)], set.Errors));
        }).WithSummary("Every dashboard of the workspace's pipelines, with its filters and cards, and the files that could not be read").Produces<DashboardList>();

        api.MapGet("/{id}/cards/{card}/data", async (string id, string card, HttpContext http, DashboardCatalog catalog, DashboardEngine engine, CancellationToken ct) =>
        {
            var (dashboard, definition) = Find(catalog, id, card);
            var data = await engine.RunAsync(dashboard, definition, Values(http), ct).ConfigureAwait(false);
            return Results.Ok(new CardAnswer(data.Columns, data.Rows, data.Cached, data.Elapsed.TotalMilliseconds, data.Truncated));
        }).WithSummary("A card's columns and rows (at most 5,000) with the filters given as query parameters: a choice by its id, a date range as ID_from and ID_to (yyyy-MM-dd)").Produces<CardAnswer>();

        api.MapGet("/{id}/cards/{card}/drill", async (string id, string card, string x, HttpContext http, DashboardCatalog catalog, DashboardEngine engine, CancellationToken ct) =>
        {
            var (dashboard, definition) = Find(catalog, id, card);
            var data = await engine.DrillAsync(dashboard, definition, Values(http), x, ct).ConfigureAwait(false);
            return Results.Ok(new CardAnswer(data.Columns, data.Rows, data.Cached, data.Elapsed.TotalMilliseconds, data.Truncated));
        }).WithSummary("The rows behind the point x of a card").Produces<CardAnswer>();

        api.MapGet("/{id}/cards/{card}/data.csv", async (string id, string card, HttpContext http, DashboardCatalog catalog, DashboardEngine engine, CancellationToken ct) =>
        {
            var (dashboard, definition) = Find(catalog, id, card);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{dashboard.Id}-{definition.Id}.csv\"";
            await engine.ExportAsync(dashboard, definition, Values(http), ExportFormat.Csv, http.Response.Body, ct).ConfigureAwait(false);
        }).WithSummary("Every row of a card as CSV");
    }

    public static DashboardSummary Summary(DashboardDefinition d) => new(
        d.Id,
        d.Title,
        d.Description,
        d.Pipeline,
        [.. d.Filters.Select(f => new FilterSummary(f.Id, f.Label, f.Kind == FilterKind.DateRange ? "date_range" : "choice", f.DefaultDays))],
        [.. d.Cards.Select(c => new CardSummary(c.Id, c.Title, Name(c.Chart), c.X, c.Y, c.Series, c.Format, c.Width))]);

    private static string Name(ChartKind chart) => chart switch
    {
        ChartKind.StackedBar => "stacked_bar",
        ChartKind.HeatMap => "heat_map",
        _ => chart.ToString().ToLowerInvariant(),
    };

    private static (DashboardDefinition, CardDefinition) Find(DashboardCatalog catalog, string id, string card)
    {
        var dashboard = catalog.Current.Get(id) ?? throw new Millwright.Domain.NotFoundException("dashboard", id);
        return (dashboard, dashboard.Card(card) ?? throw new Millwright.Domain.NotFoundException($"card of dashboard {id}", card));
    }

    private static FilterValues Values(HttpContext http) =>
        new(http.Request.Query.Where(q => q.Key is not "x").ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));
}

using Microsoft.Extensions.Time.Testing;

namespace Millwright.Dashboards.Tests;

/// <summary>Cards on both warehouses: filters bound as parameters, answers cached until the data version moves, drill-down, export.</summary>
public abstract class DashboardEngineTests<TWarehouse> : IAsyncLifetime
    where TWarehouse : WarehouseFixture, new()
{
    private readonly TWarehouse _fixture = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _fixture.InitializeAsync();
        var w = _fixture.Warehouse;
        await w.CreateSchemaAsync("marts", Ct);
        await w.ExecuteAsync("create table marts.sales (day date, site varchar(20), revenue decimal(18, 2))", Ct);
        await w.ExecuteAsync("""
            insert into marts.sales values
              ('2026-11-01', 'LIS', 100.50), ('2026-11-01', 'POR', 40), ('2026-11-20', 'LIS', 60),
              ('2026-12-05', 'POR', 10), ('2026-12-06', 'LIS', 5)
            """, Ct);
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _fixture.DisposeAsync();
    }

    private static DashboardDefinition Dashboard() => DashboardLoader.Parse("""
        title: Sales
        filters:
          - id: period
            type: date_range
            default_days: 30
          - id: site
            type: choice
            options: select distinct site from marts.sales order by 1
        cards:
          - id: by_day
            chart: bar
            sql: select day, sum(revenue) as revenue from marts.sales where {{period:day}} and {{site:site}} group by day order by day
            x: day
            y: revenue
        """, "sales", "retail", "sales.yml");

    [Fact]
    public async Task A_card_answers_with_the_filters_bound_and_from_memory_until_the_data_changes()
    {
        var engine = new DashboardEngine(_fixture.Warehouse, _clock);
        var dashboard = Dashboard();
        var card = dashboard.Card("by_day")!;

        // The period's default is the last 30 days (from 2026-11-06): the sale of 1 November is outside it.
        var lisbon = await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["site"] = "LIS" }), Ct);
        Assert.Equal([60m, 5m], lisbon.Rows.Select(r => Convert.ToDecimal(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        var always = await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["site"] = "LIS", ["period_from"] = "2026-01-01" }), Ct);
        Assert.Equal([100.50m, 60m, 5m], always.Rows.Select(r => Convert.ToDecimal(r[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(lisbon.Cached);

        var december = await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["period_from"] = "2026-12-01", ["period_to"] = "2026-12-05" }), Ct);
        Assert.Equal([10m], december.Rows.Select(r => Convert.ToDecimal(r[1], System.Globalization.CultureInfo.InvariantCulture)));

        var hostile = await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["site"] = "LIS' or '1'='1" }), Ct);
        Assert.Empty(hostile.Rows);

        Assert.True((await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["site"] = "LIS" }), Ct)).Cached);
        await _fixture.Warehouse.ExecuteAsync("insert into marts.sales values ('2026-12-06', 'LIS', 7)", Ct);
        engine.Invalidate();
        var fresh = await engine.RunAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["site"] = "LIS" }), Ct);
        Assert.False(fresh.Cached);
        Assert.Equal(12m, Convert.ToDecimal(fresh.Rows[^1][1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_point_drills_into_its_rows_a_choice_lists_its_options_and_export_writes_every_row()
    {
        var engine = new DashboardEngine(_fixture.Warehouse, _clock);
        var dashboard = Dashboard();
        var card = dashboard.Card("by_day")!;

        var drill = await engine.DrillAsync(dashboard, card, FilterValues.None, "2026-12-06", Ct);
        Assert.Equal(("2026-12-06", 5m), (Day(drill.Rows.Single()[0]), Convert.ToDecimal(drill.Rows.Single()[1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["LIS", "POR"], await engine.OptionsAsync(dashboard.Filters[1], Ct));

        using var csv = new MemoryStream();
        var rows = await engine.ExportAsync(dashboard, card, new FilterValues(new Dictionary<string, string> { ["period_from"] = "2026-01-01" }), Warehouse.Export.ExportFormat.Csv, csv, Ct);
        Assert.Equal(4, rows);
        Assert.StartsWith("day,revenue", System.Text.Encoding.UTF8.GetString(csv.ToArray()), StringComparison.Ordinal);
    }

    private static string Day(object? value) => value switch
    {
        DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };
}

public sealed class DuckDbDashboardEngineTests : DashboardEngineTests<DuckDbFixture>;

public sealed class PostgresDashboardEngineTests : DashboardEngineTests<PostgresFixture>;

using System.Net;
using System.Text.Json.Nodes;
using Millwright.Warehouse;

namespace Millwright.Web.Tests.Dashboards;

/// <summary>The dashboards API over loopback on a workspace with one dashboard file and a small warehouse table.</summary>
public sealed class DashboardsApiTests : IAsyncLifetime
{
    private const string Sales = """
        title: Sales
        filters:
          - id: period
            type: date_range
          - id: site
            type: choice
            options: select distinct site from marts.sales order by 1
        cards:
          - id: by_site
            title: Revenue by site
            chart: bar
            sql: select site, sum(revenue) as revenue from marts.sales where {{period:day}} and {{site:site}} group by site order by site
            x: site
            y: revenue
          - id: heat
            title: Revenue heat
            chart: heat_map
            sql: select site, 'all' as channel, sum(revenue) as revenue from marts.sales group by site order by site
            x: site
            series: channel
            y: revenue
          - id: monthly
            title: Revenue by month
            chart: line
            sql: select cast(generate_series as date) as month, 10 as revenue from generate_series(timestamp '2025-01-01', timestamp '2025-12-01', interval 1 month) order by 1
            x: month
            y: revenue
          - id: refunds
            title: Refunded
            chart: number
            sql: select sum(revenue) as refunded from marts.sales where site = 'nowhere'
            y: refunded
          - id: refund_share
            title: Refund share
            chart: gauge
            max: 1
            sql: select sum(revenue) / 100 as share from marts.sales where site = 'nowhere'
            y: share
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("mw-dash-api-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string File_ => Path.Combine(_root, "pipelines", "shop", "dashboards", "sales.yml");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File_)!);
        File.WriteAllText(File_, Sales);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        var warehouse = _host.App.Services.GetRequiredService<IWarehouse>();
        await warehouse.CreateSchemaAsync("marts", Ct);
        await warehouse.ExecuteAsync("create table marts.sales (day date, site varchar, revenue decimal(18, 2))", Ct);
        await warehouse.ExecuteAsync("insert into marts.sales values ('2026-11-01', 'LIS', 100), ('2026-11-02', 'POR', 40), ('2026-12-01', 'LIS', 5)", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_viewer_lists_the_dashboards_and_reads_a_cards_rows_with_filters()
    {
        using var viewer = await _host.AsAsync("vic", "VIEWER");

        var list = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards", Ct))!;
        var sales = list["dashboards"]!.AsArray().Single()!;
        Assert.Equal(("sales", "Sales", "shop"), (sales["id"]!.GetValue<string>(), sales["title"]!.GetValue<string>(), sales["pipeline"]!.GetValue<string>()));
        Assert.Equal("bar", sales["cards"]![0]!["chart"]!.GetValue<string>());

        var all = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards/sales/cards/by_site/data", Ct))!;
        Assert.Equal(["site", "revenue"], all["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal([105m, 40m], all["rows"]!.AsArray().Select(r => r![1]!.GetValue<decimal>()));

        var november = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards/sales/cards/by_site/data?period_from=2026-11-01&period_to=2026-11-30&site=LIS", Ct))!;
        Assert.Equal(100m, november["rows"]!.AsArray().Single()![1]!.GetValue<decimal>());
        var cached = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards/sales/cards/by_site/data?period_from=2026-11-01&period_to=2026-11-30&site=LIS", Ct))!;
        Assert.True(cached["cached"]!.GetValue<bool>());

        var hostile = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards/sales/cards/by_site/data?site=" + Uri.EscapeDataString("LIS' or ''='"), Ct))!;
        Assert.Empty(hostile["rows"]!.AsArray());

        using var csv = await viewer.GetAsync("/api/dashboards/sales/cards/by_site/data.csv?site=POR", Ct);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal("site,revenue\nPOR,40", (await csv.Content.ReadAsStringAsync(Ct)).Trim().ReplaceLineEndings("\n"));

        var drill = JsonNode.Parse(await viewer.GetStringAsync("/api/dashboards/sales/cards/by_site/drill?x=POR", Ct))!;
        Assert.Equal("POR", drill["rows"]!.AsArray().Single()![0]!.GetValue<string>());
    }

    [Fact]
    public async Task A_changed_file_shows_on_the_next_request_and_mistakes_are_named()
    {
        File.WriteAllText(File_, Sales.Replace("Revenue by site", "Takings by site", StringComparison.Ordinal).Replace("group by site order by site", "group by site order by sitez", StringComparison.Ordinal));
        var list = JsonNode.Parse(await _host.Client.GetStringAsync("/api/dashboards", Ct))!;
        Assert.Equal("Takings by site", list["dashboards"]![0]!["cards"]![0]!["title"]!.GetValue<string>());

        using var refused = await _host.Client.GetAsync("/api/dashboards/sales/cards/by_site/data", Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("sitez", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A card on a table no pipeline has built yet says so, and what to do.
        File.WriteAllText(File_, Sales.Replace("from marts.sales where", "from marts.sales_by_day where", StringComparison.Ordinal));
        using var unbuilt = await _host.Client.GetAsync("/api/dashboards/sales/cards/by_site/data", Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unbuilt.StatusCode);
        var problem = JsonNode.Parse(await unbuilt.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Not built yet", problem["title"]!.GetValue<string>());
        Assert.Equal(
            "Not built yet: this card reads sales_by_day, which is not in the warehouse, and no asset of this workspace's pipelines builds it. Load its data, or correct the card's SQL (pipeline shop, dashboard sales), then refresh.",
            problem["detail"]!.GetValue<string>());
        Assert.Null(problem["asset"]);

        // Once a pipeline declares the asset that builds it, the card names that asset and how to materialize it. The
        // asset is found by the table it writes (marts/sales-by-day writes marts.sales_by_day), not by its key's spelling.
        File.WriteAllText(Path.Combine(_root, "pipelines", "shop", "pipeline.yml"), "assets:\n  - key: marts/sales-by-day\n    sql: select day, sum(revenue) as revenue from marts.sales group by day\n");
        await _host.App.Services.GetRequiredService<Millwright.Web.Orchestration.OrchestrationHost>().ReloadAsync(Ct);
        using var declared = await _host.Client.GetAsync("/api/dashboards/sales/cards/by_site/data", Ct);
        var named = JsonNode.Parse(await declared.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(
            "Not built yet: this card reads sales_by_day, which is not in the warehouse. Asset marts/sales-by-day of pipeline shop builds it: materialize it with what it reads (Materialize with upstream on its page, or `millwright assets materialize -s +marts/sales-by-day`), then refresh.",
            named["detail"]!.GetValue<string>());
        Assert.Equal("marts/sales-by-day", named["asset"]!.GetValue<string>());

        File.WriteAllText(File_, Sales.Replace("chart: bar", "chart: bars", StringComparison.Ordinal));
        var broken = JsonNode.Parse(await _host.Client.GetStringAsync("/api/dashboards", Ct))!;
        Assert.Empty(broken["dashboards"]!.AsArray());
        Assert.Contains("sales.yml: cards.by_site.chart: 'bars' is not a chart", broken["errors"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/api/dashboards/sales/cards/by_site/data", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_viewer_sees_the_dashboard_in_the_browser_and_a_filter_redraws_its_card()
    {
        await _host.Accounts.CreateUserAsync("vera", TestAccounts.Password, [Identity.AccountRole.Viewer], cancellationToken: Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("vera", TestAccounts.Password);
        await Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboards$"));
        await page.Locator("#dashboards a", new() { HasTextString = "Sales" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site .card-body svg.mud-chart-bar")).ToBeVisibleAsync();
        Assert.Empty(await Browser.UnnamedControlsAsync(page));
        await Browser.ShotAsync(page, "dashboard");

        // A heat map paints its best cell green and its worst red (higher is better unless the card says lower).
        var fills = await page.Locator("#card-heat svg rect").EvaluateAllAsync<string[]>("rects => rects.map(r => (r.getAttribute('fill') || r.style.fill || '').toLowerCase())");
        Assert.Equal(["rgb(26,152,80)", "rgb(215,48,39)"], fills.Take(2)); // LIS (105) green, POR (40) red; the legend's swatches follow

        // Twelve months on a half-width card: the axis names months as a reader says them, and no label runs into the next.
        var months = page.Locator("#card-monthly svg text", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("2025$") });
        await Microsoft.Playwright.Assertions.Expect(months.First).ToHaveTextAsync("Jan 2025");
        var boxes = await months.EvaluateAllAsync<double[][]>("ts => ts.map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })");
        Assert.InRange(boxes.Length, 4, 12);
        Assert.All(boxes.Zip(boxes.Skip(1)), pair => Assert.True(pair.First[1] < pair.Second[0], $"x labels overlap: {string.Join(" ", boxes.Select(b => $"[{b[0]:0}-{b[1]:0}]"))}"));

        // The rows behind one month, chosen by the month as drawn and matched by its value.
        await Browser.SelectAsync(page, "drill-monthly", "Mar 2025");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-monthly .drill")).ToContainTextAsync("Rows behind Mar 2025 (1)");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-monthly .drill tbody")).ToContainTextAsync("2025-03-01");
        await Browser.SelectAsync(page, "drill-by_site", "POR");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site .drill tbody")).ToContainTextAsync("POR");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site .drill tbody")).Not.ToContainTextAsync("LIS");

        // A number that is NULL (a sum over no rows) says there is no value, not a blank card.
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-refunds .card-value")).ToHaveTextAsync("—");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-refunds")).ToContainTextAsync("No value yet for these filters.");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-refund_share .card-value")).ToHaveTextAsync("—");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-refund_share .mud-progress-circular")).ToHaveCountAsync(0);

        await Browser.SelectAsync(page, "filter-site", "POR");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site")).ToContainTextAsync("POR");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site")).Not.ToContainTextAsync("LIS");

        // The filter is in the address: a reload (or the link sent to a colleague) shows the same view.
        await Microsoft.Playwright.Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("site=POR"));
        await page.ReloadAsync();
        await Browser.WaitInteractiveAsync(page);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site .card-body svg.mud-chart-bar")).ToBeVisibleAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-by_site")).Not.ToContainTextAsync("LIS");
    }

    [Fact]
    public async Task Without_a_user_the_dashboards_answer_401()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/dashboards", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/dashboards/sales/cards/by_site/data", Ct)).StatusCode);
    }
}

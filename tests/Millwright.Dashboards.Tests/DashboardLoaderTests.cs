namespace Millwright.Dashboards.Tests;

public sealed class DashboardLoaderTests
{
    private const string Valid = """
        title: Workshop
        filters:
          - id: period
            label: Months
            type: date_range
            default_days: 90
          - id: site
            type: choice
            options: select distinct site_code from marts.kpi_workshop
        cards:
          - id: backlog
            title: Backlog
            chart: bar
            sql: select month, backlog from marts.kpi_workshop where {{period:month}} and {{site:site_code}}
            x: month
            y: backlog
          - id: sites
            chart: table
            sql: select * from marts.kpi_workshop
            width: 12
            formats: {backlog: "#,0"}
            better: lower
            colors:
              - column: backlog
                above: 10
                color: "#fde2e1"
        """;

    [Fact]
    public void A_file_gives_its_filters_and_cards_with_their_chart_and_fields()
    {
        var d = DashboardLoader.Parse(Valid, "workshop", "maintenance", "pipelines/maintenance/dashboards/workshop.yml");

        Assert.Equal(("workshop", "Workshop", "maintenance"), (d.Id, d.Title, d.Pipeline));
        Assert.Equal([FilterKind.DateRange, FilterKind.Choice], d.Filters.Select(f => f.Kind));
        Assert.Equal(90, d.Filters[0].DefaultDays);
        var backlog = d.Card("backlog")!;
        Assert.Equal((ChartKind.Bar, "month", 6), (backlog.Chart, backlog.X, backlog.Width));
        Assert.Equal(["backlog"], backlog.Y);
        Assert.Equal((ChartKind.Table, 12), (d.Card("sites")!.Chart, d.Card("sites")!.Width));
        Assert.Equal(new ColorRule("backlog", 10, null, "#fde2e1"), Assert.Single(d.Card("sites")!.Colors));
        Assert.Equal("#,0", d.Card("sites")!.Formats["backlog"]);
        Assert.True(d.Card("sites")!.LowerIsBetter);
        Assert.False(backlog.LowerIsBetter);
    }

    [Theory]
    [InlineData("chart: bar", "chart: bars", "cards.backlog.chart: 'bars' is not a chart")]
    [InlineData("{{site:site_code}}", "{{plant:site_code}}", "{{plant:site_code}} names no filter of this dashboard (period, site)")]
    [InlineData("{{site:site_code}}", "{{ site }}", "{{site}} names no filter")]
    [InlineData("{{site:site_code}}", "{{site:site_code; drop table x}}", "is not a filter marker")]
    [InlineData("    y: backlog\n", "", "cards.backlog.y: name the value column(s) to draw")]
    [InlineData("type: choice", "type: pick", "filters.site.type: 'pick' is not a filter type")]
    [InlineData("better: lower", "better: less", "cards.sites.better: 'less' is not higher or lower")]
    [InlineData("color: \"#fde2e1\"", "color: \"red; background: url(x)\"", "is not a colour")]
    public void A_mistake_is_refused_naming_the_file_and_the_field(string from, string to, string message)
    {
        var e = Assert.Throws<DashboardException>(() => DashboardLoader.Parse(Valid.Replace(from, to, StringComparison.Ordinal), "workshop", "maintenance", "dashboards/workshop.yml"));

        Assert.StartsWith("dashboards/workshop.yml", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_yaml_and_unknown_fields_name_the_line()
    {
        var unknown = Assert.Throws<DashboardException>(() => DashboardLoader.Parse(Valid.Replace("    x: month", "    xaxis: month", StringComparison.Ordinal), "w", "m", "w.yml"));
        Assert.Matches(@"^w\.yml:1[0-9]:\d+: .*xaxis", unknown.Message);
        var broken = Assert.Throws<DashboardException>(() => DashboardLoader.Parse("title: [unclosed", "w", "m", "w.yml"));
        Assert.StartsWith("w.yml:1:", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workspace_loads_every_pipelines_dashboards_and_reports_a_bad_file_without_losing_the_others()
    {
        var root = Directory.CreateTempSubdirectory("mw-dash-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "maintenance", "dashboards"));
            Directory.CreateDirectory(Path.Combine(root, "retail", "dashboards"));
            File.WriteAllText(Path.Combine(root, "maintenance", "dashboards", "workshop.yml"), Valid);
            File.WriteAllText(Path.Combine(root, "retail", "dashboards", "sales.yml"), "title: Sales\ncards: []\n");

            var set = DashboardLoader.Load(root);

            Assert.Equal(["workshop"], set.Dashboards.Select(d => d.Id));
            Assert.Contains("sales.yml: cards: a dashboard needs at least one card", Assert.Single(set.Errors), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Every_shipped_dashboard_parses()
    {
        var templates = Path.Combine(Repository(), "src", "Millwright.Pipelines", "Templates");
        var set = DashboardLoader.Load(templates);

        Assert.Empty(set.Errors);
        Assert.Equal(["data_quality", "executive", "fleet", "predictive", "quality_control", "sales", "secom_yield", "workshop"], set.Dashboards.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Contains(ChartKind.HeatMap, set.Dashboards.SelectMany(d => d.Cards).Select(c => c.Chart));
    }

    private static string Repository()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Millwright.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository root (Millwright.slnx) is not above the test binaries");
    }
}

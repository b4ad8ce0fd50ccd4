using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace Millwright.Web.Tests.Explorer;

/// <summary>
/// The SQL explorer on a real host: ANALYST and up query the warehouse's read-only view with a row limit, a timeout and
/// downloads; writes, file reads and ATTACH are refused with the engine's words and change nothing; each user keeps
/// their own saved queries; VIEWER may not use it; and the page runs a query and draws its rows in chromium.
/// </summary>
public sealed class ExplorerApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-explorer-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: plant\n");
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        await using var warehouse = Millwright.Warehouse.Warehouses.Open(Millwright.Warehouse.WarehouseOptions.DuckDb(Path.Combine(_root, ".millwright", "warehouse.duckdb")));
        await warehouse.ExecuteAsync("CREATE SCHEMA marts; CREATE TABLE marts.kpi_oee AS SELECT DATE '2026-01-01' + CAST(i AS INTEGER) AS day, 0.5 + i / 1000.0 AS oee FROM range(250) AS r(i)", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static async Task<JsonElement> QueryAsync(HttpClient client, string sql, int? limit = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.PostAsJsonAsync("/api/explorer/query", new { sql, limit }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task An_analyst_queries_with_a_row_limit_and_downloads_every_row()
    {
        using var analyst = await _host.AsAsync("ann", "ANALYST");

        var answer = await QueryAsync(analyst, "select day, oee from marts.kpi_oee order by day", limit: 100);

        Assert.Equal(["day", "oee"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(100, answer.GetProperty("rows").GetArrayLength());
        Assert.True(answer.GetProperty("truncated").GetBoolean());
        Assert.Equal("2026-01-01", answer.GetProperty("rows")[0][0].GetString());
        Assert.Equal(0.5, answer.GetProperty("rows")[0][1].GetDouble());
        var csv = await analyst.GetStringAsync("/api/explorer/export?format=csv&sql=" + Uri.EscapeDataString("select day, oee from marts.kpi_oee order by day"), Ct);
        Assert.Equal(251, csv.Trim().Split('\n').Length);
        var parquet = await analyst.GetByteArrayAsync("/api/explorer/export?format=parquet&sql=" + Uri.EscapeDataString("select * from marts.kpi_oee"), Ct);
        Assert.Equal("PAR1"u8.ToArray(), parquet[..4]);
        var relations = JsonDocument.Parse(await analyst.GetStringAsync("/api/explorer/relations", Ct)).RootElement;
        Assert.Contains(relations.EnumerateArray(), r => r.GetProperty("schema").GetString() == "marts" && r.GetProperty("name").GetString() == "kpi_oee");
    }

    [Theory]
    [InlineData("insert into marts.kpi_oee values (DATE '2027-01-01', 1)", "read-only")]
    [InlineData("create table marts.mine as select 1 as x", "read-only")]
    [InlineData("copy marts.kpi_oee to '/tmp/mw-explorer-leak.csv'", "disabled by configuration")]
    [InlineData("select * from read_csv('/etc/passwd')", "disabled by configuration")]
    [InlineData("attach '/tmp/mw-explorer-other.duckdb' as other", "disabled by configuration")]
    [InlineData("install httpfs", "disabled by configuration")]
    public async Task Writes_files_attach_and_extensions_are_refused_with_the_engines_words_and_change_nothing(string sql, string words)
    {
        using var analyst = await _host.AsAsync("ann", "ANALYST");

        var refused = await QueryAsync(analyst, sql, expected: HttpStatusCode.BadRequest);

        Assert.Contains(words, refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists("/tmp/mw-explorer-leak.csv"));
        var count = await QueryAsync(analyst, "select count(*) as n from marts.kpi_oee");
        Assert.Equal(250, count.GetProperty("rows")[0][0].GetInt64());
    }

    [Fact]
    public async Task Saved_queries_are_each_users_own_and_a_viewer_may_not_query()
    {
        using var ann = await _host.AsAsync("ann", "ANALYST");
        using var otto = await _host.AsAsync("otto", "OPERATOR");
        using var viewer = await _host.AsAsync("vic", "VIEWER");

        Assert.Equal(HttpStatusCode.OK, (await ann.PutAsJsonAsync("/api/explorer/saved/best days", new { sql = "select * from marts.kpi_oee order by oee desc" }, Ct)).StatusCode);
        var mine = JsonDocument.Parse(await ann.GetStringAsync("/api/explorer/saved", Ct)).RootElement;
        var theirs = JsonDocument.Parse(await otto.GetStringAsync("/api/explorer/saved", Ct)).RootElement;

        Assert.Equal("best days", Assert.Single(mine.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(0, theirs.GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, (await ann.DeleteAsync("/api/explorer/saved/best days", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otto.DeleteAsync("/api/explorer/saved/best days", Ct)).StatusCode);
        using var forbidden = await viewer.PostAsJsonAsync("/api/explorer/query", new { sql = "select 1" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task The_page_runs_a_query_from_the_schema_tree_and_shows_its_rows_and_a_chart()
    {
        await _host.Accounts.CreateUserAsync("anna", TestAccounts.Password, [Identity.AccountRole.Analyst], cancellationToken: Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("anna", TestAccounts.Password);

        await page.GotoAsync("/explorer");
        await Browser.WaitInteractiveAsync(page);
        await page.Locator("[id='relation-marts.kpi_oee']").ClickAsync();
        await Assertions.Expect(page.Locator("#data-as-of")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Data as of \\d{4}-\\d{2}-\\d{2} "));
        await Assertions.Expect(page.Locator("#sql")).ToHaveValueAsync("select *\nfrom marts.kpi_oee\nlimit 100");
        await page.Locator("#run").ClickAsync();

        await Assertions.Expect(page.Locator("#result-summary")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^100 rows "));
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(100);
        await Assertions.Expect(page.Locator("#results tbody tr").First.Locator("td").First).ToHaveTextAsync("2026-01-01");
        await page.Locator("#show-line").ClickAsync();
        await Assertions.Expect(page.Locator("#quick-chart svg")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "explorer-chart");

        await page.Locator("#sql").FillAsync("delete from marts.kpi_oee");
        await page.Locator("#run").ClickAsync();
        await Assertions.Expect(page.Locator("#query-error")).ToContainTextAsync("read-only");
        await Browser.ShotAsync(page, "explorer-refused");
    }
}

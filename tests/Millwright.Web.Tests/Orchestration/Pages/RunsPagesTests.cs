using Microsoft.Playwright;

namespace Millwright.Web.Tests.Orchestration.Pages;

/// <summary>The orchestration screens in chromium on a workspace with a two-asset pipeline.</summary>
public sealed class RunsPagesTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-runs-ui-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var demo = Directory.CreateDirectory(Path.Combine(_root, "pipelines", "demo")).FullName;
        // Daily partitions from four days ago: a handful, whatever day the tests run.
        var start = DateTime.UtcNow.Date.AddDays(-4).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(demo, "pipeline.yml"), """
            description: numbers and their squares
            assets:
              - key: raw/numbers
                sql: select range as n from range(5)
              - key: squares
                deps: [raw/numbers]
                sql: select n * n as square from raw.numbers
                checks:
                  - name: no_negative_squares
                    sql: select * from squares where square < 0
              - key: daily
                partitions: {daily: {start: START_DAY}}
                partition_column: day
                sql: select cast({{ partition_start }} as timestamp) as day, 1 as units
            """.Replace("START_DAY", start, StringComparison.Ordinal));
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        await _host.Accounts.CreateUserAsync("olga", TestAccounts.Password, [Identity.AccountRole.Operator], cancellationToken: Ct);
        await _host.Accounts.CreateUserAsync("anna", TestAccounts.Password, [Identity.AccountRole.Analyst], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Older_runs_are_a_page_away_and_runs_created_together_are_neither_skipped_nor_repeated()
    {
        // Sixty finished runs; twenty of them submitted in the same millisecond, across the first page's end.
        var o = await _host.App.Services.GetRequiredService<Millwright.Web.Orchestration.OrchestrationHost>().ReadyAsync(Ct);
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        await o.Storage.AddRunsAsync([.. Enumerable.Range(0, 60).Select(i => new Millwright.Orchestration.Storage.RunRecord
        {
            RunId = $"{i:D32}",
            Assets = ["raw/numbers"],
            Status = Millwright.Orchestration.Storage.RunStatus.Success,
            CreatedAt = i is >= 30 and < 50 ? start.AddMinutes(30) : start.AddMinutes(i),
            StartedAt = start.AddMinutes(i),
            EndedAt = start.AddMinutes(i).AddSeconds(1),
        })], Ct);

        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("olga", TestAccounts.Password);
        await page.GotoAsync("/runs");
        await Browser.WaitInteractiveAsync(page);
        var rows = page.Locator("#runs tbody tr td:first-child a");
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        var first = await rows.AllInnerTextsAsync();
        await Assertions.Expect(page.Locator("#runs-newer")).ToHaveCountAsync(0);
        await page.Locator("#runs-older").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        var second = await rows.AllInnerTextsAsync();
        await Assertions.Expect(page.Locator("#runs-older")).ToHaveCountAsync(0);
        Assert.Equal(60, first.Concat(second).Distinct().Count());
        await page.Locator("#runs-newer").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(50);
        Assert.Equal(first, await rows.AllInnerTextsAsync());
    }

    [Fact]
    public async Task An_operator_launches_a_run_and_watches_it_succeed_live_and_the_assets_turn_materialized()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("olga", TestAccounts.Password);
        await page.GotoAsync("/runs");
        await Browser.WaitInteractiveAsync(page);
        await page.Locator("#launch-selection").FillAsync("+squares");
        await page.Locator("#launch").ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/[0-9a-f]{32}$"));
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("SUCCESS", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#steps .mw-gantt-bar.success")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#events")).ToContainTextAsync("ASSET_MATERIALIZATION");
        await Browser.ShotAsync(page, "run");

        await page.GotoAsync("/assets");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#asset-list tr", new() { HasTextString = "squares" })).ToContainTextAsync("MATERIALIZED");
        await page.Locator("#asset-list a", new() { HasTextString = "squares" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("squares");
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("raw/numbers");
        await Assertions.Expect(page.Locator("#asset-events")).ToContainTextAsync("ASSET_MATERIALIZATION");

        // The asset's checks: when each ran and, in a column of its own, a link to the run.
        var check = page.Locator("#checks tbody tr", new() { HasTextString = "no_negative_squares" });
        await Assertions.Expect(check.Locator("td").Nth(1)).ToHaveTextAsync("PASS");
        await Assertions.Expect(check.Locator("td").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"));
        await Assertions.Expect(check.Locator("td").Nth(4).Locator("a")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{8}$"));
        await page.Locator("#lineage a", new() { HasTextString = "raw/numbers" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("raw/numbers");
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("squares");
        await page.GotoAsync("/pipelines");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#pipeline-list")).ToContainTextAsync("numbers and their squares");
    }

    [Fact]
    public async Task The_asset_graph_draws_every_asset_with_its_lineage_on_the_shared_canvas()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("anna", TestAccounts.Password);
        await page.GotoAsync("/assets");
        await Browser.WaitInteractiveAsync(page);
        await page.Locator("#show-graph").ClickAsync();

        await Assertions.Expect(page.Locator("#graph-info")).ToContainTextAsync("3 assets laid out in");
        await Assertions.Expect(page.Locator("canvas#asset-graph[data-nodes='3']")).ToHaveCountAsync(1);
        Assert.Contains("0 failed", await page.Locator("#graph-counts").TextContentAsync(), StringComparison.Ordinal);
        var painted = await page.EvaluateAsync<bool>("""
            () => { const c = document.getElementById('asset-graph'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; }
            """);
        Assert.True(painted, "the canvas stayed blank");
        await Browser.ShotAsync(page, "asset-graph");
    }

    [Fact]
    public async Task An_operator_backfills_the_missing_partitions_of_an_asset_from_its_page()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("olga", TestAccounts.Password);
        await page.GotoAsync("/pipelines/assets/daily");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("daily");
        var partitions = await page.Locator("#partitions .mud-chip").CountAsync();
        Assert.InRange(partitions, 3, 5);
        await Assertions.Expect(page.GetByText($"Partitions (0 of {partitions} materialized)")).ToBeVisibleAsync();

        await page.GetByText("Select missing and failed").ClickAsync();
        await Assertions.Expect(page.Locator("#backfill")).ToHaveTextAsync($"Backfill {partitions}");
        await page.Locator("#backfill").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/backfills$"));
        var backfill = page.Locator("#backfills tbody tr").First;
        await Assertions.Expect(backfill).ToContainTextAsync("daily");
        await Assertions.Expect(backfill).ToContainTextAsync($"{partitions} of {partitions} partitions done", new() { Timeout = 90_000 });
        await Assertions.Expect(backfill.Locator(".mud-chip")).ToHaveTextAsync("COMPLETED", new() { Timeout = 30_000 });
        await Browser.ShotAsync(page, "backfills");
        await page.GotoAsync("/runs");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#runs tr", new() { HasTextString = "SUCCESS" })).ToHaveCountAsync(partitions);

        // The backfill's runs started within a second of each other, and each still reads as its own run.
        var shown = await page.Locator("#runs tbody tr td:first-child a").AllInnerTextsAsync();
        Assert.Equal(shown.Count, shown.Distinct().Count());

        await page.GotoAsync("/pipelines/assets/daily");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.GetByText($"Partitions ({partitions} of {partitions} materialized)")).ToBeVisibleAsync();
        await Browser.ShotAsync(page, "asset-partitions");
    }

    [Fact]
    public async Task An_analyst_reads_runs_but_cannot_launch_and_a_bad_selection_is_named()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var analyst = await browser.SignInAsync("anna", TestAccounts.Password);
        await analyst.GotoAsync("/runs");
        await Browser.WaitInteractiveAsync(analyst);
        await Assertions.Expect(analyst.Locator("#runs")).ToBeVisibleAsync();
        await Assertions.Expect(analyst.Locator("#launch")).ToHaveCountAsync(0);

        var operatorPage = await browser.SignInAsync("olga", TestAccounts.Password);
        await operatorPage.GotoAsync("/runs");
        await Browser.WaitInteractiveAsync(operatorPage);
        await operatorPage.Locator("#launch-selection").FillAsync("no_such_asset");
        await operatorPage.Locator("#launch").ClickAsync();
        await Assertions.Expect(operatorPage.Locator("#runs-error")).ToContainTextAsync("no_such_asset");
    }
}

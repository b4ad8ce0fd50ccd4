using Microsoft.Playwright;

namespace Millwright.Web.Tests.Orchestration.Pages;

/// <summary>An asset's page in chromium: what it says before anything ran, and materializing it with what it reads.</summary>
public sealed class AssetPageTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-asset-ui-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var demo = Directory.CreateDirectory(Path.Combine(_root, "pipelines", "demo")).FullName;
        File.WriteAllText(Path.Combine(demo, "pipeline.yml"), """
            assets:
              - key: raw/numbers
                sql: select range as n from range(5)
              - key: squares
                deps: [raw/numbers]
                sql: select n * n as square from raw.numbers
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        await _host.Accounts.CreateUserAsync("olga", TestAccounts.Password, [Identity.AccountRole.Operator], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_operator_materializes_an_asset_with_its_upstream_from_its_page()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("olga", TestAccounts.Password);
        await page.GotoAsync("/pipelines/assets/raw/numbers");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#materialize")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#materialize-upstream")).ToHaveCountAsync(0);

        await page.GotoAsync("/pipelines/assets/squares");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#asset-status")).ToHaveTextAsync("MISSING");
        await Assertions.Expect(page.Locator("#asset-events")).ToContainTextAsync("No events yet: this asset has not been materialized.");
        await Assertions.Expect(page.Locator("#checks")).ToContainTextAsync("No check has run on this asset.");
        await Browser.ShotAsync(page, "asset-missing");

        await page.Locator("#materialize-upstream").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/runs/[0-9a-f]{32}$"));
        await Assertions.Expect(page.Locator("#run-status")).ToHaveTextAsync("SUCCESS", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#steps .mw-gantt-bar.success")).ToHaveCountAsync(2);

        foreach (var key in new[] { "raw/numbers", "squares" })
        {
            await page.GotoAsync("/pipelines/assets/" + key);
            await Browser.WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator("#asset-status")).ToHaveTextAsync("MATERIALIZED");
            await Assertions.Expect(page.Locator("#asset-events")).ToContainTextAsync("ASSET_MATERIALIZATION");
        }
    }
}

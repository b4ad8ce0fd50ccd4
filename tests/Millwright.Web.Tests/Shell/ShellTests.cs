using Microsoft.Playwright;
using Millwright.Web.Tests.Operations;

namespace Millwright.Web.Tests.Shell;

/// <summary>The web app's frame in chromium: the header names the user and their roles, sign-out ends the session, roles gate pages.</summary>
public sealed class ShellTests : IAsyncLifetime
{
    private ApiHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await ApiHost.StartAsync(postgres: false, Ct, new Dictionary<string, string>
    {
        ["name"] = "Plant <North>",
        ["warehouse.provider"] = "postgres",
        ["warehouse.connection"] = TestPostgres.ConnectionString + ";Password=s3cr3t-pw",
    });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_settings_page_masks_secrets_and_sign_out_ends_the_session()
    {
        await _host.Accounts.CreateUserAsync("ada", TestAccounts.Password, [Identity.AccountRole.Admin], cancellationToken: Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("ada", TestAccounts.Password);

        await page.GotoAsync("/settings");
        await Assertions.Expect(page.Locator("#settings")).ToContainTextAsync("Password=***");
        await Assertions.Expect(page.Locator("#settings")).Not.ToContainTextAsync("s3cr3t-pw");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Millwright · Plant <North>");
        await Assertions.Expect(page).ToHaveTitleAsync("Settings · Millwright");
        await Assertions.Expect(page.Locator("#roles")).ToContainTextAsync("ADMIN");

        // The tab has the app's icon, inline, so no page asks for a /favicon.ico that is not there.
        await Assertions.Expect(page.Locator("link[rel=icon]")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("^data:image/svg\\+xml,"));
        await Browser.ShotAsync(page, "settings");

        // On a PostgreSQL warehouse the explorer reads live data: no snapshot time to show, nothing to refresh.
        await page.GotoAsync("/explorer");
        await Assertions.Expect(page.Locator("#data-as-of")).ToHaveTextAsync("Each query reads the warehouse as it is when it runs.");
        await Assertions.Expect(page.Locator("#refresh-data")).ToHaveCountAsync(0);

        await page.Locator("#signout").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await page.GotoAsync("/orders");
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?ReturnUrl=%2Forders"));
    }

    [Fact]
    public async Task A_viewer_lands_on_the_dashboards_and_is_told_the_work_orders_are_not_theirs()
    {
        await _host.Accounts.CreateUserAsync("vic", TestAccounts.Password, [Identity.AccountRole.Viewer], cancellationToken: Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);
        var page = await browser.SignInAsync("vic", TestAccounts.Password);

        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboards$"));
        await Assertions.Expect(page.Locator("nav a", new() { HasText = "Orders" })).ToHaveCountAsync(0);
        await page.GotoAsync("/orders");
        await Assertions.Expect(page.Locator("#not-authorized")).ToBeVisibleAsync();

        // An address that matches nothing is a page of the app saying so, with its menu, and still a 404.
        var missing = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, missing!.Status);
        await Assertions.Expect(page.Locator("#not-found")).ToHaveTextAsync("There is no page at /no-such-page.");
        await Browser.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator("#not-found")).ToHaveTextAsync("There is no page at /no-such-page."); // the same once the app is live
        await Assertions.Expect(page.Locator("nav a", new() { HasText = "Dashboards" })).ToBeVisibleAsync();

        // A script asking the API for a path that is not there still gets problem details it can parse.
        using var client = await _host.AsAsync("vic-script", "VIEWER");
        using var api = await client.GetAsync("/api/no-such-thing", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }
}

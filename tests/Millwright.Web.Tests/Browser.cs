using Microsoft.Playwright;

namespace Millwright.Web.Tests;

/// <summary>
/// Debian's chromium through Playwright, one browser per test, a context (its own cookies) per person. ./test.sh
/// installs chromium when it is missing; without it these tests fail, never skip. Screenshots go to
/// <c>screenshots/</c> beside the test binaries (kept by CI as artifacts, never committed).
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly Uri _address;

    private Browser(IPlaywright playwright, IBrowser browser, Uri address)
    {
        _playwright = playwright;
        _browser = browser;
        _address = address;
    }

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public static async Task<Browser> OpenAsync(Uri address)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the tests with ./test.sh, which installs Debian's chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
        return new Browser(playwright, browser, address);
    }

    /// <summary>A page signed in as <paramref name="user"/> in its own context; a phone is 360 px wide.</summary>
    public async Task<IPage> SignInAsync(string user, string password, bool phone = false)
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = _address.ToString(),
            ViewportSize = phone ? new() { Width = 360, Height = 740 } : new() { Width = 1400, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin");
        await page.Locator("#userName").FillAsync(user);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#user")).ToHaveTextAsync(user);
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>Waits until the page's circuit is up, so clicks reach the server.</summary>
    public static async Task WaitInteractiveAsync(IPage page) =>
        await page.Locator("#user").WaitForAsync();

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>Picks <paramref name="text"/> in the MudSelect whose input has <paramref name="inputId"/>.</summary>
    public static async Task SelectAsync(IPage page, string inputId, string text)
    {
        await page.Locator($"#{inputId}").Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = text }).First.ClickAsync();
        await ClosePopoversAsync(page);
    }

    /// <summary>Closes an open list (a multi-select stays open after a pick) as a person does: a click beside it.</summary>
    public static async Task ClosePopoversAsync(IPage page)
    {
        if (await page.Locator(".mud-popover-open").CountAsync() > 0)
        {
            await page.Mouse.ClickAsync(2, (page.ViewportSize?.Height ?? 700) - 2);
        }

        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
    }

    /// <summary>Types <paramref name="text"/> into the MudAutocomplete <paramref name="inputId"/> and picks the first offer containing <paramref name="pick"/>.</summary>
    public static async Task AutocompleteAsync(IPage page, string inputId, string text, string pick)
    {
        var input = page.Locator($"#{inputId}");
        var chosen = new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(pick));
        for (var attempt = 1; ; attempt++)
        {
            await input.FillAsync(text);
            try
            {
                // Under load the list can be redrawn by a late search while the click lands: then type and pick again.
                await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = pick }).First.ClickAsync(new() { Timeout = 10_000 });
                await Assertions.Expect(input).ToHaveValueAsync(chosen, new() { Timeout = 3_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
            }
        }

        await ClosePopoversAsync(page);
    }

    /// <summary>Visible inputs, selects, text areas and buttons whose accessible name is empty (label, aria-label or text).</summary>
    private const string UnnamedControls = """
        () => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
          .filter(e => e.offsetParent !== null && !e.closest('[aria-hidden=true]'))
          .filter(e => {
            const labelled = e.getAttribute('aria-labelledby');
            const name = (e.getAttribute('aria-label') || (labelled && document.getElementById(labelled)?.innerText) ||
                          [...(e.labels || [])].map(l => l.innerText).join(' ') || e.getAttribute('title') ||
                          (e.tagName === 'BUTTON' ? e.innerText : '') || '').trim();
            return name.length === 0;
          })
          .map(e => `${e.tagName.toLowerCase()}#${e.id || '?'}.${(e.className || '').toString().split(' ').slice(0, 3).join('.')}`)
        """;


    /// <summary>The visible controls of the page that a screen reader could not name (empty when all have one).</summary>
    public static Task<string[]> UnnamedControlsAsync(IPage page) => page.EvaluateAsync<string[]>(UnnamedControls);

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

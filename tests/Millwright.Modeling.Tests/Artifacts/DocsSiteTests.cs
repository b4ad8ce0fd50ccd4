using Microsoft.Playwright;

namespace Millwright.Modeling.Tests.Artifacts;

/// <summary>
/// The documentation site in a real browser (Debian's chromium through Playwright): the page docs generate writes
/// reads the artifacts beside it and shows models, columns, tests with their last results, and the lineage.
/// ./test.sh installs chromium when it is missing; without it these tests fail, never skip.
/// </summary>
public sealed class DocsSiteTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Origin = "http://docs.test/";

    private static async Task<(IPlaywright, IBrowser, IPage)> OpenAsync(string target)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the tests with ./test.sh, which installs Debian's chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1300, Height = 900 } });
        // The site's files come straight from target/: no server needed to test the page itself.
        await page.RouteAsync(Origin + "**", async route =>
        {
            var name = new Uri(route.Request.Url).AbsolutePath.TrimStart('/');
            var path = Path.Combine(target, name.Length == 0 ? "index.html" : name);
            if (File.Exists(path))
            {
                await route.FulfillAsync(new() { Path = path, ContentType = path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "text/html" });
            }
            else
            {
                await route.FulfillAsync(new() { Status = 404 });
            }
        });
        return (playwright, browser, page);
    }

    [Fact]
    public async Task A_model_page_shows_its_columns_types_tests_results_and_sql()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        await project.RunAsync(DbtCommand.DocsGenerate);
        var (playwright, browser, page) = await OpenAsync(project.Path_("target"));
        using var _ = playwright;
        await using var __ = browser;

        await page.GotoAsync(Origin + "#!/node/model.workshop.stg_work_orders");

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("stg_work_orders");
        var kind = page.Locator("tr", new() { HasTextString = "Why the vehicle came in" });
        await Assertions.Expect(kind).ToContainTextAsync("accepted_values PASS");
        await Assertions.Expect(page.Locator("tr", new() { HasTextString = "labor_hours" })).ToContainTextAsync("DOUBLE");
        await Assertions.Expect(page.Locator("pre").First).ToContainTextAsync("from \"workshop\".\"main\".\"work_orders\"");
        await page.Locator("nav input").FillAsync("dim_");
        await Assertions.Expect(page.Locator("nav a")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_lineage_draws_every_model_and_focuses_on_one_nodes_up_and_downstream()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        await project.RunAsync(DbtCommand.DocsGenerate);
        var (playwright, browser, page) = await OpenAsync(project.Path_("target"));
        using var _ = playwright;
        await using var __ = browser;

        await page.GotoAsync(Origin + "#!/lineage");
        await Assertions.Expect(page.Locator("#info")).ToContainTextAsync("11 nodes");

        // The edges are drawn dark enough to see: on the whole lineage, many pixels carry the edge grey (#7b8494).
        var edgePixels = await page.EvaluateAsync<int>("""
            () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
              const c = document.querySelector('canvas'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 0x7b) < 24 && Math.abs(d[i + 1] - 0x84) < 24 && Math.abs(d[i + 2] - 0x94) < 24 && d[i + 3] > 200) n++;
              done(n);
            })))
            """);
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "lineage.png") });
        Assert.True(edgePixels > 300, $"{edgePixels} pixels of edge colour");
        await page.GotoAsync(Origin + "#!/lineage/model.workshop.stg_parts_used");
        await Assertions.Expect(page.Locator("#info")).ToContainTextAsync("5 nodes");
        var canvas = await page.Locator("canvas").BoundingBoxAsync();
        Assert.True(canvas is { Width: > 500, Height: > 400 });
    }
}

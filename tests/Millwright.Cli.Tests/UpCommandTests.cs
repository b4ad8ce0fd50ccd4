using System.Diagnostics;
using System.Text.Json;

namespace Millwright.Cli.Tests;

/// <summary>
/// `millwright init` then `millwright up` as real processes: it serves /health, fills the new workspace with demo
/// history, builds the shipped pipelines' marts and stops cleanly on a termination signal.
/// </summary>
public sealed class UpCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-up-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // A bound against a hang, not a time target: under the whole suite's parallel load the first build takes about
    // twice its idle minute (bench/RESULTS.md and the README record the idle figure), and drawing every shipped
    // dashboard in chromium adds about a minute more.
    [Fact(Timeout = 600_000)]
    public async Task Up_on_a_new_workspace_serves_health_writes_demo_history_builds_every_mart_and_stops_cleanly_on_sigterm()
    {
        // Our own deadline, a minute inside the test's: a hang then fails naming the step and the host's last lines.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(540));
        var ct = deadline.Token;
        var step = "init";
        var cli = Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll");
        // The public data sets, as `up -w demo` in a checkout finds them in ../shared/datasets.
        var datasets = Ingestion.Datasets.PublicDatasets.Locate(AppContext.BaseDirectory, Environment.GetEnvironmentVariable);
        Assert.True(datasets is not null, "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");
        using (var init = new CliRunner(_root))
        {
            init.Environment[Ingestion.Datasets.PublicDatasets.Variable] = datasets;
            var created = await init.RunAsync("init", ".");
            Assert.Equal(0, created.ExitCode);
            Assert.Contains("created pipelines/maintenance/", created.Out, StringComparison.Ordinal);
            Assert.Contains("created pipelines/manufacturing/", created.Out, StringComparison.Ordinal);
            Assert.Contains("created pipelines/quality/", created.Out, StringComparison.Ordinal);
            Assert.Contains("created pipelines/retail/", created.Out, StringComparison.Ordinal);
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment[Ingestion.Datasets.PublicDatasets.Variable] = datasets;
        foreach (var arg in new[] { cli, "up", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;

        // Both pipes are drained for the whole life of the host: a full pipe would block its writes and so the host.
        var errors = process.StandardError.ReadToEndAsync(ct);
        var output = new HostOutput(process.StandardOutput);
        try
        {
            step = "waiting for 'is running at'";
            var running = await output.ReadUntilAsync(l => l.Contains("is running at ", StringComparison.Ordinal), ct);
            var url = running?[(running.IndexOf("is running at ", StringComparison.Ordinal) + "is running at ".Length)..].Trim();
            Assert.NotNull(url);
            step = "health and a second up";
            using var anonymous = new HttpClient { BaseAddress = new Uri(url) };
            using var health = JsonDocument.Parse(await anonymous.GetStringAsync("/health", ct));
            Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/ops/vehicles", ct)).StatusCode);

            // One host per workspace: a second `up` is refused, naming the first.
            using (var second = new CliRunner(_root))
            {
                var refused = await second.RunAsync("up", "--port", "0");
                Assert.NotEqual(0, refused.ExitCode);
                Assert.Contains($"another `millwright up` (process {process.Id} at {url}", refused.Error, StringComparison.Ordinal);
            }

            step = "waiting for the admin's first-run line";
            var admin = await output.ReadUntilAsync(l => l.StartsWith("First run: created user 'admin' (ADMIN) with password ", StringComparison.Ordinal), ct);
            Assert.NotNull(admin);
            step = "a token for the admin, while the demo history is written";
            using var runner = new CliRunner(_root);
            using var client = TestAccounts.Client(new Uri(url), await runner.TokenAsync("admin", "ADMIN"));

            step = "waiting for 'Demo history ready'";
            var ready = await output.ReadUntilAsync(l => l.StartsWith("Demo history ready", StringComparison.Ordinal), ct);
            Assert.NotNull(ready);
            Assert.Contains("150 vehicles", ready, StringComparison.Ordinal);
            using var orders = JsonDocument.Parse(await client.GetStringAsync("/api/ops/service-orders?status=CLOSED", ct));
            Assert.True(orders.RootElement.GetProperty("total").GetInt64() > 20, orders.RootElement.ToString());
            using var readings = JsonDocument.Parse(await client.GetStringAsync("/api/ops/vehicles", ct));
            Assert.Equal(150, readings.RootElement.GetProperty("total").GetInt64());
            Assert.True(Directory.EnumerateFiles(Path.Combine(_root, "landing", "simulated", "process"), "*.csv", SearchOption.AllDirectories).Any());

            step = "waiting for the first build's outcome";
            var built = await output.ReadUntilAsync(l => l.StartsWith("First build ", StringComparison.Ordinal) && !l.StartsWith("First build: ", StringComparison.Ordinal), ct);
            Assert.StartsWith("First build succeeded", built, StringComparison.Ordinal);

            // The first build trained the fleet's failure model and its prediction opened predictive orders with their evidence.
            using (var predictive = JsonDocument.Parse(await client.GetStringAsync("/api/ops/service-orders?type=PREDICTIVE&pageSize=500", ct)))
            {
                var byModel = predictive.RootElement.GetProperty("items").EnumerateArray()
                    .Select(o => o.GetProperty("description").GetString()!)
                    .Where(d => d.StartsWith("Predicted failure risk", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(byModel);
                Assert.All(byModel, d => Assert.Contains("by model fleet_failure_14d v1", d, StringComparison.Ordinal));
                Assert.All(byModel, d => Assert.Contains("Strongest signals: ", d, StringComparison.Ordinal));
            }

            var rest = output.ReadToEndAsync(ct);
            step = "drawing the shipped dashboards in chromium";
            await ShippedDashboardsDrawAsync(new Uri(url), admin["First run: created user 'admin' (ADMIN) with password ".Length..].Trim(), client, ct);

            step = "stopping on SIGTERM";
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            await process.WaitForExitAsync(ct);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Millwright stopped.", await rest, StringComparison.Ordinal);
            _ = await errors;
            Assert.True(File.Exists(Path.Combine(_root, ".millwright", "warehouse.duckdb")));
            step = "the CLI on the stopped workspace";

            var marts = await runner.RunAsync("sql", """
                select
                  (select count(*) from marts.kpi_workshop where orders_completed > 0) > 0 as workshop,
                  (select count(*) from marts.kpi_asset_reliability) > 0 as reliability,
                  (select count(*) from marts.kpi_oee where oee > 0) > 0 as oee,
                  (select count(*) from marts.mart_executive_kpis) > 0 as executive,
                  (select count(*) from marts.fact_sales) > 1000 as sales
                """, "--format", "csv");
            Assert.Equal("workshop,reliability,oee,executive,sales\ntrue,true,true,true,true", marts.Out.Trim().ReplaceLineEndings("\n"));

            // The model registry, the outcomes of its orders and its evaluation, from the CLI.
            var models = await runner.RunAsync("ml", "models");
            Assert.True(models.ExitCode == 0, models.Error);
            Assert.Matches(@"fleet_failure_14d\W+1\W+CHAMPION", models.Out);
            var outcomes = await runner.RunAsync("ml", "outcomes");
            Assert.Matches(@"fleet_failure_14d\W+1\W+10\W+[1-9]", outcomes.Out);
            var evaluated = await runner.RunAsync("ml", "evaluate", "--model", "fleet_failure_14d");
            Assert.True(evaluated.ExitCode == 0, evaluated.Error);
            Assert.Contains("fleet_failure_14d (maintenance, lightgbm binary): grouped by vehicle_id 5-fold cross-validation x 1", evaluated.Out, StringComparison.Ordinal);
            var unknown = await runner.RunAsync("ml", "evaluate", "--model", "nope");
            Assert.Contains("no pipeline declares a model 'nope' (models: fleet_failure_14d, ai4i2020, ai4i2020_mode, cmapss_fd001, cmapss_fd002, cmapss_fd003, cmapss_fd004, secom)", System.Text.RegularExpressions.Regex.Replace(unknown.Error, @"\s+", " "), StringComparison.Ordinal);

            // The host's log keeps the first build's events with their run, and the data-quality scores are in.
            var logs = await runner.RunAsync("logs", "--lines", "1000", "--json");
            Assert.Equal(0, logs.ExitCode);
            var events = logs.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var success = events.First(e => e.TryGetProperty("EventType", out var t) && t.GetString() == "RUN_SUCCESS" && e.GetProperty("RunId").GetString() is { Length: 32 });
            var ofRun = await runner.RunAsync("logs", "--run", success.GetProperty("RunId").GetString()!, "--lines", "5");
            Assert.Equal(5, ofRun.Out.Trim().Split('\n').Length);
            Assert.Contains("RUN_SUCCESS", ofRun.Out, StringComparison.Ordinal);
            var quality = await runner.RunAsync("sql", "select count(distinct dimension) from quality.dq_scores", "--format", "csv");
            Assert.Equal("6", quality.Out.Trim().Split('\n')[^1]);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"up did not get past this step in 9 minutes: {step}. The host's last lines:\n{output.Tail}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The host's standard output read line by line, keeping the last lines for a failure's message.</summary>
    private sealed class HostOutput(StreamReader reader)
    {
        private readonly Queue<string> _tail = new();
        private readonly Lock _gate = new();

        public string Tail
        {
            get
            {
                lock (_gate)
                {
                    return string.Join('\n', _tail);
                }
            }
        }

        /// <summary>The first line that matches, or null when the output ends first.</summary>
        public async Task<string?> ReadUntilAsync(Func<string, bool> match, CancellationToken ct)
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                Keep(line);
                if (match(line))
                {
                    return line;
                }
            }

            return null;
        }

        public async Task<string> ReadToEndAsync(CancellationToken ct)
        {
            var all = new System.Text.StringBuilder();
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                Keep(line);
                all.Append(line).Append('\n');
            }

            return all.ToString();
        }

        private void Keep(string line)
        {
            lock (_gate)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 30)
                {
                    _tail.Dequeue();
                }
            }
        }
    }

    /// <summary>A demo history whose process was killed part-way is named at the next `up`, not silently taken as whole.</summary>
    [Fact(Timeout = 300_000)]
    public async Task A_demo_history_stopped_part_way_is_reported_at_the_next_up()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner(_root);
        Assert.Equal(0, (await cli.RunAsync("init", ".", "--empty")).ExitCode);

        // What a killed demo leaves: part of a history, and the marker `up` writes before it starts one.
        Assert.Equal(0, (await cli.RunAsync("simulate", "--scale", "0.02", "--days", "2", "--only", "fleet")).ExitCode);
        File.WriteAllText(Path.Combine(_root, ".millwright", "demo.partial"), "2026-12-07 04:00:00 UTC");

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "up", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            string? warning = null;
            while (warning is null && await process.StandardError.ReadLineAsync(ct) is { } line)
            {
                warning = line.StartsWith("warning: the demo history", StringComparison.Ordinal) ? line : null;
            }

            Assert.Equal(
                "warning: the demo history started 2026-12-07 04:00:00 UTC was stopped part-way (its process ended before it finished): the operational store holds only part of the year, and its first build never ran. "
                + $"For the whole demo, run `millwright up` in a new folder; to keep what is here, delete {Path.Combine(_root, ".millwright", "demo.partial")}.",
                warning);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
            _ = await output;
        }
    }

    /// <summary>
    /// The shipped dashboards in Debian's chromium on the demo just built: every card of every dashboard draws rows (no
    /// card is empty or refused), and choosing a site narrows the workshop dashboard's cards to it.
    /// </summary>
    private static async Task ShippedDashboardsDrawAsync(Uri url, string password, HttpClient api, CancellationToken ct)
    {
        using var list = JsonDocument.Parse(await api.GetStringAsync("/api/dashboards", ct));
        Assert.Empty(list.RootElement.GetProperty("errors").EnumerateArray());
        var ids = list.RootElement.GetProperty("dashboards").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
        Assert.Equal(["data_quality", "executive", "fleet", "predictive", "quality_control", "sales", "secom_yield", "workshop"], ids.Order(StringComparer.Ordinal));

        Assert.True(File.Exists("/usr/bin/chromium"), "/usr/bin/chromium is missing: run the tests with ./test.sh, which installs Debian's chromium");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { BaseURL = url.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/signin");
        await page.Locator("#userName").FillAsync("admin");
        await page.Locator("#password").FillAsync(password);
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("#user").WaitForAsync();
        var screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        foreach (var id in ids)
        {
            await page.GotoAsync($"/dashboards/{id}");
            await page.Locator("#user").WaitForAsync();
            var cards = page.Locator("[id^=card-]");
            await Microsoft.Playwright.Assertions.Expect(cards.First).ToBeVisibleAsync();
            await Microsoft.Playwright.Assertions.Expect(page.Locator("[id^=card-] .mud-progress-linear")).ToHaveCountAsync(0);
            var refused = await page.Locator(".card-error").AllInnerTextsAsync();
            Assert.True(refused.Count == 0, $"{id}: {string.Join(" | ", refused)}");
            var empty = await page.Locator("[id^=card-]:has(.card-empty)").EvaluateAllAsync<string[]>("cards => cards.map(c => c.id)");
            Assert.True(empty.Length == 0, $"{id}: cards without rows on the demo: {string.Join(", ", empty)}");
            Assert.Equal(await cards.CountAsync(), await page.Locator("[id^=card-] .card-body").CountAsync());
            if (id is "executive" or "fleet")
            {
                // Availability sits near 100 %: a whole month, to two decimals, so 99.97 % is not shown as 100.0 %.
                await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-availability_now .card-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,3}\.\d{2}%$"));
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, $"dashboard-{id}.png"), FullPage = true });
        }

        // The runs list says what launched the first build (not "manual").
        await page.GotoAsync("/runs");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#runs tbody tr").Last).ToContainTextAsync("first build of a new workspace");

        await page.GotoAsync("/dashboards/workshop");
        await page.Locator("#user").WaitForAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-sites tbody tr")).ToHaveCountAsync(2);
        await page.Locator("#filter-site").Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "WS-LIS" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-sites tbody tr")).ToHaveCountAsync(1);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#card-sites tbody")).ToContainTextAsync("WS-LIS");
    }
}

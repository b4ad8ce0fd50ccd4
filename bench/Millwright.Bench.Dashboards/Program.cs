using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

// The shipped dashboards on a simulated year (SCALE 1 = 500 vehicles, three workshops, a plant, a shop), built by
// one run of every asset launched on `millwright up`: each card through the API cold (first read after the build) and warm (median of 9),
// each dashboard in Debian's chromium from navigation to every card drawn (median of 5, warm). Beside each card, the
// same SQL on the warehouse through `millwright sql` is not timed (another process holds the file); the cold read is
// the engine's own time. Never part of the tests.
// Usage: dotnet Millwright.Bench.Dashboards.dll CLI_DLL [SCALE] [DAYS]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Millwright.Bench.Dashboards CLI_DLL [SCALE] [DAYS]");
    return 2;
}

var cli = Path.GetFullPath(args[0]);
var scale = args.Length > 1 ? args[1] : "1";
var days = args.Length > 2 ? args[2] : "365";
var root = Directory.CreateTempSubdirectory("mw-bench-dash-").FullName;
const string Password = "bench-admin-password";
const int Port = 5392;
var address = $"http://127.0.0.1:{Port}";
Console.WriteLine($"dashboards benchmark: {Environment.ProcessorCount} cores, scale {scale}, {days} days, workspace {root}");
try
{
    var watch = Stopwatch.StartNew();
    Run("init", root);
    Run("simulate", "--scale", scale, "--days", days, "-w", root);
    Console.WriteLine($"simulated in {watch.Elapsed.TotalSeconds:0} s");
    watch.Restart();
    using var host = Start();
    using var probe = new HttpClient { BaseAddress = new Uri(address) };
    await WaitAsync(async () => (await probe.GetAsync("/health")).IsSuccessStatusCode, TimeSpan.FromMinutes(3));
    var token = Token();
    using var api = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(5) };
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    // `up --no-demo` leaves the build to us: one run of every asset, as the first build of a demo workspace does.
    var launched = await api.PostAsync("/api/orchestration/runs", System.Net.Http.Json.JsonContent.Create(new { selection = "*" }));
    launched.EnsureSuccessStatusCode();
    var runId = JsonNode.Parse(await launched.Content.ReadAsStringAsync())!["runId"]!.GetValue<string>();
    await WaitAsync(async () =>
    {
        var run = JsonNode.Parse(await api.GetStringAsync($"/api/orchestration/runs/{runId}"))!;
        return run["status"]!.GetValue<string>() is "SUCCESS" or "FAILURE" or "CANCELED";
    }, TimeSpan.FromMinutes(30));
    Console.WriteLine($"first build in {watch.Elapsed.TotalSeconds:0} s");

    var list = JsonNode.Parse(await api.GetStringAsync("/api/dashboards"))!;
    var dashboards = list["dashboards"]!.AsArray().Select(d => (Id: d!["id"]!.GetValue<string>(), Cards: d["cards"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToList())).ToList();
    Console.WriteLine();
    Console.WriteLine("| dashboard | cards | slowest card cold | slowest card warm (median of 9) | page drawn (median of 5) |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
    var page = await browser.NewPageAsync(new() { BaseURL = address, ViewportSize = new() { Width = 1400, Height = 900 } });
    page.SetDefaultTimeout(120_000);
    await page.GotoAsync("/signin");
    await page.Locator("#userName").FillAsync("admin");
    await page.Locator("#password").FillAsync(Password);
    await page.Locator("button[type=submit]").ClickAsync();
    await page.Locator("#user").WaitForAsync();
    foreach (var (id, cards) in dashboards)
    {
        double coldMax = 0, warmMax = 0;
        foreach (var card in cards)
        {
            var cold = Stopwatch.StartNew();
            (await api.GetAsync($"/api/dashboards/{id}/cards/{card}/data")).EnsureSuccessStatusCode();
            coldMax = Math.Max(coldMax, cold.Elapsed.TotalMilliseconds);
            var warm = new List<double>();
            for (var i = 0; i < 9; i++)
            {
                var w = Stopwatch.StartNew();
                (await api.GetAsync($"/api/dashboards/{id}/cards/{card}/data")).EnsureSuccessStatusCode();
                warm.Add(w.Elapsed.TotalMilliseconds);
            }

            warm.Sort();
            warmMax = Math.Max(warmMax, warm[warm.Count / 2]);
        }

        var drawn = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var w = Stopwatch.StartNew();
            await page.GotoAsync($"/dashboards/{id}");
            await page.Locator("[id^=card-]").First.WaitForAsync();
            await Assertions.Expect(page.Locator("[id^=card-] .mud-progress-linear")).ToHaveCountAsync(0, new() { Timeout = 120_000 });
            drawn.Add(w.Elapsed.TotalMilliseconds);
        }

        drawn.Sort();
        Console.WriteLine($"| {id} | {cards.Count} | {coldMax:0} ms | {warmMax:0.0} ms | {drawn[drawn.Count / 2]:0} ms |");
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

Console.WriteLine();
Console.WriteLine($"rerun: bench/run-dashboards.sh {scale} {days}");
return 0;

void Run(params string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(cli);
    foreach (var a in arguments)
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"millwright {string.Join(' ', arguments)} failed: {error}{output.Result}");
    }
}

Process Start()
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { cli, "up", "-w", root, "--port", Port.ToString(CultureInfo.InvariantCulture), "--no-demo" })
    {
        start.ArgumentList.Add(a);
    }

    start.Environment["MILLWRIGHT_ADMIN_PASSWORD"] = Password;
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

string Token()
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { cli, "tokens", "create", "--user", "admin", "--name", "bench", "-w", root })
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return output.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).First(w => w.StartsWith("mw_", StringComparison.Ordinal));
}

static async Task WaitAsync(Func<Task<bool>> ready, TimeSpan limit)
{
    var watch = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            if (await ready())
            {
                return;
            }
        }
        catch (HttpRequestException) when (watch.Elapsed < limit)
        {
        }

        if (watch.Elapsed > limit)
        {
            throw new TimeoutException($"not ready after {limit}");
        }

        await Task.Delay(500);
    }
}

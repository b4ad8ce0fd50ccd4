using System.Diagnostics;
using System.Globalization;
using Millwright.Warehouse;
using Millwright.Web.Cli;
using Millwright.Workspace;

// Usage: Millwright.Bench.Host CLI_DLL [REQUESTS]
var cli = Path.GetFullPath(args[0]);
var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
Console.WriteLine($"Command: bench/run-host.sh {requests}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
var root = Directory.CreateTempSubdirectory("mw-bench-host-").FullName;
try
{
    await RunAsync(cli, root, ["init", ".", "--empty"]);

    // A pipeline of 2,000 SQL assets (each reading one to three earlier ones), for the asset graph in the browser.
    var big = Directory.CreateDirectory(Path.Combine(root, "pipelines", "big")).FullName;
    var yaml = new System.Text.StringBuilder("description: 2,000 generated assets\nassets:\n");
    var random = new Random(20261207);
    for (var i = 0; i < 2000; i++)
    {
        var deps = i < 40 ? [] : Enumerable.Range(0, 1 + random.Next(3)).Select(_ => $"a{random.Next(Math.Max(0, i - 200), i):0000}").Distinct().ToArray();
        yaml.Append(CultureInfo.InvariantCulture, $"  - key: a{i:0000}\n    group: g{i % 12}\n");
        if (deps.Length > 0)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    deps: [{string.Join(", ", deps)}]\n");
        }

        yaml.Append(CultureInfo.InvariantCulture, $"    sql: select {i} as n\n");
    }

    await File.WriteAllTextAsync(Path.Combine(big, "pipeline.yml"), yaml.ToString());

    // The engine's own figure: the same query on a DuckDB instance held open, one connection per query as the adapter does.
    var floor = new List<double>();
    await using (var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, "floor.duckdb"))))
    {
        for (var i = 0; i < requests + 50; i++)
        {
            var clock = Stopwatch.StartNew();
            await warehouse.QueryScalarAsync("select 42");
            if (i >= 50)
            {
                floor.Add(clock.Elapsed.TotalMilliseconds);
            }
        }
    }

    var inProcess = await TimeProcessAsync(cli, root, 5);
    var hostStart = Start(cli, root, ["up", "--port", "0", "--no-demo"]);
    hostStart.Environment["MILLWRIGHT_ADMIN_PASSWORD"] = "bench-password-2026";
    using var host = Process.Start(hostStart)!;
    var drain = host.StandardError.ReadToEndAsync();
    try
    {
        while (await host.StandardOutput.ReadLineAsync() is { } line && !line.Contains("is running at ", StringComparison.Ordinal))
        {
        }

        _ = host.StandardOutput.ReadToEndAsync();
        var live = WorkspaceLock.FindLive(WorkspaceLayout.At(root)) ?? throw new InvalidOperationException("no live host");
        var relayed = new List<double>();
        for (var i = 0; i < requests + 50; i++)
        {
            using var output = new MemoryStream();
            var clock = Stopwatch.StartNew();
            var code = await CliRelay.SendAsync(live.Address, live.Secret, new CliRequest(["sql", "select 42 as answer", "--format", "csv"], root, null), output, Stream.Null, CancellationToken.None);
            if (code != 0 || !System.Text.Encoding.UTF8.GetString(output.ToArray()).Contains("42", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the relayed query failed ({code})");
            }

            if (i >= 50)
            {
                relayed.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var viaHost = await TimeProcessAsync(cli, root, 5);
        await GraphAsync(live.Address);
        Console.WriteLine($"\nA trivial warehouse query (select 42), {requests} times after 50 warm-up, one at a time:");
        Console.WriteLine("| path | p50 ms | p99 ms | ratio to the engine (p50) |\n|---|---:|---:|---:|");
        Row("DuckDB held open in process (IWarehouse.QueryScalarAsync)", floor, floor);
        Row("through the host: POST /api/cli `sql ... --format csv` (parse, settings, query, CSV, frames)", relayed, floor);
        Console.WriteLine($"\n`millwright sql \"select 42\" --format csv` as a new process (5 runs, median): {inProcess:0} ms with no host (opens DuckDB itself), {viaHost:0} ms sent to the running host");
    }
    finally
    {
        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync();
        _ = await drain;
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

// The asset graph of 2,000 assets in Debian's chromium: time to a drawn page, the layout, and a redraw of the whole
// graph at several zoom levels (what each pan or zoom step costs; a frame has 16.7 ms at 60 Hz).
static async Task GraphAsync(Uri address)
{
    if (!File.Exists("/usr/bin/chromium"))
    {
        Console.WriteLine("\nAsset graph: skipped (no chromium at /usr/bin/chromium)");
        return;
    }

    using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
    var page = await browser.NewPageAsync(new() { BaseURL = address.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
    await page.GotoAsync("/signin");
    await page.FillAsync("#userName", "admin");
    await page.FillAsync("#password", "bench-password-2026");
    await page.ClickAsync("button[type=submit]");
    await page.Locator("#user").WaitForAsync();
    Console.WriteLine("\nAsset graph of 2,000 assets (2,000 SQL assets in 12 groups, 1 to 3 dependencies each), chromium 1400x900:");
    Console.WriteLine("| run | page drawn | layout | redraw of the whole graph (30 frames, zooming) |\n|---|---:|---:|---:|");
    for (var run = 1; run <= 3; run++)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync("/assets/graph");
        await page.Locator("canvas#asset-graph[data-nodes='2000']").WaitForAsync(new() { Timeout = 120_000 });
        var drawn = clock.Elapsed.TotalSeconds;
        var info = await page.Locator("#graph-info").TextContentAsync() ?? "";
        var redraw = await page.EvaluateAsync<double>("async () => (await import('./asset-graph.js')).redrawMs(30)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {run} | {drawn:0.00} s | {info.Split(" laid out in ")[1].Split(' ')[0]} ms | {redraw:0.0} ms a frame |"));
    }
}

static void Row(string label, List<double> values, List<double> floor)
{
    static double Percentile(List<double> v, double p)
    {
        var sorted = v.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {Percentile(values, 0.5):0.00} | {Percentile(values, 0.99):0.00} | {Percentile(values, 0.5) / Percentile(floor, 0.5):0.0}x |"));
}

static ProcessStartInfo Start(string cli, string root, string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var arg in (string[])[cli, .. arguments])
    {
        start.ArgumentList.Add(arg);
    }

    return start;
}

static async Task RunAsync(string cli, string root, string[] arguments)
{
    using var process = Process.Start(Start(cli, root, arguments))!;
    var output = await process.StandardOutput.ReadToEndAsync();
    var error = await process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"millwright {string.Join(' ', arguments)} failed: {output}{error}");
    }
}

static async Task<double> TimeProcessAsync(string cli, string root, int runs)
{
    var times = new List<double>();
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        await RunAsync(cli, root, ["sql", "select 42", "--format", "csv"]);
        times.Add(clock.Elapsed.TotalMilliseconds);
    }

    return times.Order().ElementAt(runs / 2);
}

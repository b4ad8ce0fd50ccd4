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
    using var host = Process.Start(Start(cli, root, ["up", "--port", "0", "--no-demo"]))!;
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

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

// Usage: Millwright.Bench.Ops <millwright-cli.dll> <clients> <orders-per-client> [--set key=value ...]
// Starts `millwright up` on a fresh workspace, runs the mixed workload, prints ops/s and latencies, then checks
// reconciliation and the status history. Run it through bench/run-ops.sh.
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: Millwright.Bench.Ops <Millwright.Cli.dll> <clients> <orders-per-client> [--set k=v ...]");
    return 2;
}

var cli = args[0];
var clients = int.Parse(args[1], CultureInfo.InvariantCulture);
var ordersPerClient = int.Parse(args[2], CultureInfo.InvariantCulture);
var settings = args.Skip(3).ToArray();
var workspace = Directory.CreateTempSubdirectory("mw-bench-ops-").FullName;
var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { cli, "up", "--port", "0", "--no-demo", "-w", workspace }.Concat(settings))
{
    start.ArgumentList.Add(a);
}

using var server = Process.Start(start)!;
string? url = null;
while (url is null && await server.StandardOutput.ReadLineAsync() is { } line)
{
    url = Regex.Match(line, @"is running at (\S+)") is { Success: true } m ? m.Groups[1].Value : null;
}

if (url is null)
{
    Console.Error.WriteLine("millwright up did not start: " + await server.StandardError.ReadToEndAsync());
    return 1;
}

try
{
    var accounts = new Accounts(cli, workspace, settings);
    return await Bench.RunAsync(new Uri(url), accounts, clients, ordersPerClient, settings.Length > 0 ? "postgres" : "sqlite", server);
}
finally
{
    server.Kill(entireProcessTree: true);
    await server.WaitForExitAsync();
    Directory.Delete(workspace, recursive: true);
}

internal static class Bench
{
    private static readonly string[] Steps =
    [
        "create order", "assign", "schedule", "start", "consume part", "pause", "resume", "finish",
        "diagnose", "complete", "invoice", "issue invoice", "close",
    ];

    public static async Task<int> RunAsync(Uri url, Accounts accounts, int clients, int ordersPerClient, string store, Process host)
    {
        using var admin = Client(url, await accounts.TokenAsync("bench-admin", "ADMIN"));
        var site = await PostAsync(admin, "/api/ops/sites", new { code = "BENCH", name = "Bench workshop", kind = "WORKSHOP" });
        var room = await PostAsync(admin, "/api/ops/stock-locations", new { code = "BENCH-STOCK", name = "Store", kind = "STOCK", siteId = site });
        var part = await PostAsync(admin, "/api/ops/parts", new { sku = "BENCH-PART", name = "Brake pads", standardCost = 40m });
        var supplier = await PostAsync(admin, "/api/ops/suppliers", new { code = "BENCH-SUP", name = "Supplier", leadTimeDays = 1 });
        var model = await PostAsync(admin, "/api/ops/vehicle-models", new { code = "BENCH-M", make = "Volta", name = "City", bodyType = "CAR", chemistry = "LFP", nominalKwh = 50m });
        var vehicle = await PostAsync(admin, "/api/ops/vehicles", new { code = "BENCH-V", siteId = site, vin = "WVWZZZ1KZ8W000001", modelId = model, modelYear = 2024 });
        var po = await PostAsync(admin, "/api/ops/purchase-orders", new { supplierId = supplier, receiveLocationId = room, lines = new[] { new { partId = part, quantity = 1_000_000m } } });
        await PostAsync(admin, $"/api/ops/purchase-orders/{po}/submit", new { });
        await PostAsync(admin, $"/api/ops/purchase-orders/{po}/approve", new { });
        var line = (await admin.GetFromJsonAsync<JsonNode>($"/api/ops/purchase-order-lines?purchaseOrderId={po}"))!["items"]![0]!["id"]!.GetValue<long>();
        await PostAsync(admin, $"/api/ops/purchase-orders/{po}/receive", new { lines = new[] { new { lineId = line, quantity = 1_000_000m } } });
        var mechanics = new List<long>();
        for (var i = 0; i < clients; i++)
        {
            mechanics.Add(await PostAsync(admin, "/api/ops/mechanics", new { employeeNumber = $"B-{i:D3}", name = $"Mechanic {i}", siteId = site, hourlyCost = 30m, billableRate = 80m }));
        }

        var planners = await accounts.TokenAsync("bench-planner", "PLANNER");
        var supervisors = await accounts.TokenAsync("bench-supervisor", "SUPERVISOR");
        var mechanicTokens = new Dictionary<long, string>();
        foreach (var mechanic in mechanics)
        {
            mechanicTokens[mechanic] = await accounts.TokenAsync($"mechanic-{mechanic}", "MECHANIC", mechanic);
        }

        var latencies = Steps.ToDictionary(s => s, _ => new List<double>());
        var cpuBefore = CpuSnapshot.Take(host);
        var watch = Stopwatch.StartNew();
        var workers = mechanics.Select(mechanic => Task.Run(async () =>
        {
            using var planner = Client(url, planners);
            using var supervisor = Client(url, supervisors);
            using var me = Client(url, mechanicTokens[mechanic]);
            var mine = Steps.ToDictionary(s => s, _ => new List<double>());
            for (var n = 0; n < ordersPerClient; n++)
            {
                var order = await Timed(mine, "create order", () => PostAsync(planner, "/api/ops/service-orders", new { assetId = vehicle, type = "CORRECTIVE", priority = "MEDIUM", description = "Brake noise" }));
                await Timed(mine, "assign", () => PostAsync(planner, $"/api/ops/service-orders/{order}/assignments", new { mechanicId = mechanic, role = "LEAD" }));
                await Timed(mine, "schedule", () => PostAsync(planner, $"/api/ops/service-orders/{order}/schedule", new { }));
                await Timed(mine, "start", () => PostAsync(me, $"/api/ops/service-orders/{order}/work-events", new { mechanicId = mechanic, type = "START" }));
                await Timed(mine, "consume part", () => PostAsync(me, $"/api/ops/service-orders/{order}/parts/issue", new { partId = part, locationId = room, quantity = 1 }));
                await Timed(mine, "pause", () => PostAsync(me, $"/api/ops/service-orders/{order}/work-events", new { mechanicId = mechanic, type = "PAUSE" }));
                await Timed(mine, "resume", () => PostAsync(me, $"/api/ops/service-orders/{order}/work-events", new { mechanicId = mechanic, type = "RESUME" }));
                await Timed(mine, "finish", () => PostAsync(me, $"/api/ops/service-orders/{order}/work-events", new { mechanicId = mechanic, type = "FINISH" }));
                await Timed(mine, "diagnose", () => PostAsync(me, $"/api/ops/service-orders/{order}/diagnoses", new { finding = "Pads worn" }));
                await Timed(mine, "complete", () => PostAsync(me, $"/api/ops/service-orders/{order}/complete", new { resolutionCode = "REPLACED" }));
                var invoice = await Timed(mine, "invoice", () => PostAsync(planner, $"/api/ops/service-orders/{order}/invoice", new { taxRate = 0.23m }));
                await Timed(mine, "issue invoice", () => PostAsync(planner, $"/api/ops/invoices/{invoice}/issue", new { }));
                await Timed(mine, "close", () => PostAsync(supervisor, $"/api/ops/service-orders/{order}/close", new { }));
            }

            return mine;
        })).ToList();
        foreach (var result in await Task.WhenAll(workers))
        {
            foreach (var (step, values) in result)
            {
                latencies[step].AddRange(values);
            }
        }

        var elapsed = watch.Elapsed.TotalSeconds;
        var cpu = CpuSnapshot.Take(host) - cpuBefore;
        var all = latencies.Values.SelectMany(v => v).Order().ToList();
        var orders = clients * ordersPerClient;
        Console.WriteLine($"store {store}, {clients} concurrent clients, {orders} orders, {all.Count} operations in {elapsed:0.00} s");
        Console.WriteLine($"| store | clients | operations | seconds | ops/s | p50 ms | p99 ms |");
        Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {store} | {clients} | {all.Count:N0} | {elapsed:0.00} | {all.Count / elapsed:N0} | {Percentile(all, 0.50):0.0} | {Percentile(all, 0.99):0.0} |");
        Console.WriteLine();
        Console.WriteLine("| step | p50 ms | p99 ms |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var step in Steps)
        {
            var values = latencies[step].Order().ToList();
            Console.WriteLine($"| {step} | {Percentile(values, 0.50):0.0} | {Percentile(values, 0.99):0.0} |");
        }

        Console.WriteLine();
        Console.WriteLine(cpu.Describe(all.Count));
        if (orders >= 150)
        {
            await ReadListPagesAsync(admin, vehicle, store);
        }
        else
        {
            // Every page read must come back full (page 3 of the closed corrective orders needs 150).
            Console.WriteLine($"list page: not measured (it needs at least 150 orders; this run made {orders})");
        }

        var reconciliation = (await admin.GetFromJsonAsync<JsonNode>("/api/ops/inventory/reconciliation"))!;
        var history = (await admin.GetFromJsonAsync<JsonNode>("/api/ops/service-order-status-history?pageSize=1"))!["total"]!.GetValue<long>();
        var clean = reconciliation["isClean"]!.GetValue<bool>();
        Console.WriteLine();
        Console.WriteLine($"reconciliation: {(clean ? "no drift" : "DRIFT " + reconciliation.ToJsonString())}; status history rows {history} (expected {orders * 5})");
        Console.WriteLine($"rerun: bench/run-ops.sh {clients} {ordersPerClient}");
        return clean && history == orders * 5 ? 0 : 1;
    }

    /// <summary>
    /// The list page a planner's screen asks for: 50 orders with filters and a sort, one caller at a time (latency,
    /// not throughput), over the orders the workload left. The first 50 requests warm up and are not counted.
    /// </summary>
    private static async Task ReadListPagesAsync(HttpClient client, long vehicle, string store)
    {
        string[] pages =
        [
            "/api/ops/service-orders?status=CLOSED&pageSize=50&sort=-id",
            $"/api/ops/service-orders?assetId={vehicle}&priority=MEDIUM&pageSize=50&sort=-reportedAt",
            "/api/ops/service-orders?type=CORRECTIVE&status=CLOSED&pageSize=50&page=3",
            "/api/ops/service-orders?reportedAt_gte=2000-01-01T00:00:00Z&pageSize=50&sort=priority,-id",
        ];
        var timings = new List<double>();
        for (var i = 0; i < 450; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await client.GetAsync(pages[i % pages.Length]);
            var body = await response.Content.ReadAsStringAsync();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode || JsonNode.Parse(body)!["items"]!.AsArray().Count != 50)
            {
                throw new InvalidOperationException($"GET {pages[i % pages.Length]}: {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
            }

            if (i >= 50)
            {
                timings.Add(elapsed);
            }
        }

        timings.Sort();
        Console.WriteLine();
        Console.WriteLine("| store | list page (50 orders, filtered, sorted) | requests | p50 ms | p99 ms |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        Console.WriteLine($"| {store} | {pages.Length} filter/sort combinations in turn | {timings.Count} | {Percentile(timings, 0.50):0.00} | {Percentile(timings, 0.99):0.00} |");
    }

    private static HttpClient Client(Uri url, string token)
    {
        var client = new HttpClient { BaseAddress = url };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<long> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        var json = JsonNode.Parse(text)!;
        return (json["id"] ?? json["event"]?["id"] ?? json["movement"]?["id"])!.GetValue<long>();
    }

    private static async Task<long> Timed(Dictionary<string, List<double>> latencies, string step, Func<Task<long>> call)
    {
        var watch = Stopwatch.StartNew();
        var result = await call();
        latencies[step].Add(watch.Elapsed.TotalMilliseconds);
        return result;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

/// <summary>
/// Where the machine's CPU went during the workload, from /proc: the `millwright up` host, this client, the PostgreSQL
/// server processes, everything else, and idle. Per operation, it shows the ceiling a CPU-bound run has on this machine.
/// </summary>
internal sealed record CpuSnapshot(double HostMs, double ClientMs, double PostgresMs, double BusyMs, double IdleMs)
{
    private static readonly double TickMs = 1000.0 / 100; // USER_HZ is 100 on Linux

    public static CpuSnapshot Take(Process host)
    {
        host.Refresh();
        var postgres = 0.0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (stat.AsSpan(stat.IndexOf('(') + 1, close - stat.IndexOf('(') - 1).SequenceEqual("postgres"))
                {
                    var fields = stat[(close + 2)..].Split(' ');
                    postgres += (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) * TickMs;
                }
            }
            catch (IOException)
            {
                // the process ended between the listing and the read
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture) * TickMs).ToArray();
        var idle = cpu[3] + cpu[4];
        return new CpuSnapshot(host.TotalProcessorTime.TotalMilliseconds, Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, postgres, cpu.Take(8).Sum() - idle, idle);
    }

    public static CpuSnapshot operator -(CpuSnapshot a, CpuSnapshot b) =>
        new(a.HostMs - b.HostMs, a.ClientMs - b.ClientMs, Math.Max(0, a.PostgresMs - b.PostgresMs), a.BusyMs - b.BusyMs, a.IdleMs - b.IdleMs);

    public string Describe(int operations)
    {
        var other = Math.Max(0, BusyMs - HostMs - ClientMs - PostgresMs);
        var perOp = BusyMs / operations;
        var cores = Environment.ProcessorCount;
        return $"""
            | CPU per operation (ms) | host | bench client | postgres | other | all busy | machine idle |
            |---|---:|---:|---:|---:|---:|---:|
            | {operations:N0} operations | {HostMs / operations:0.000} | {ClientMs / operations:0.000} | {PostgresMs / operations:0.000} | {other / operations:0.000} | {perOp:0.000} | {100 * IdleMs / (IdleMs + BusyMs):0}% |
            CPU-bound ceiling on {cores} cores at this cost: {cores * 1000 / perOp:N0} ops/s
            """;
    }
}

/// <summary>Users and API tokens made with the CLI (`millwright users add`, `millwright tokens create`) on the bench's workspace.</summary>
internal sealed class Accounts(string cli, string workspace, string[] settings)
{
    public async Task<string> TokenAsync(string user, string role, long? mechanicId = null)
    {
        string[] add = ["users", "add", user, "--role", role, "--password-stdin", .. mechanicId is { } m ? new[] { "--mechanic-id", m.ToString(CultureInfo.InvariantCulture) } : []];
        await RunAsync(add, "bench password for " + user);
        var output = await RunAsync(["tokens", "create", "--user", user, "--name", "bench"], null);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
    }

    private async Task<string> RunAsync(string[] verb, string? input)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { cli }.Concat(verb).Concat(["-w", workspace]).Concat(settings))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(input ?? "");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"millwright {string.Join(' ', verb)}: {error}");
    }
}

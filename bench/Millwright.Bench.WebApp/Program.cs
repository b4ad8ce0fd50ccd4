using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

// The operations web app in Debian's chromium against `millwright up` (embedded SQLite store): the time from navigation
// to an interactive page (the board's rows, an order's status, a filter answered), median of 7, first on the demo data,
// then with the store grown to ORDERS service orders. Beside it, the same board page read straight from SQLite (the
// engine's own floor for that query). Never part of the tests.
// Usage: dotnet Millwright.Bench.WebApp.dll CLI_DLL [ORDERS]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: Millwright.Bench.WebApp CLI_DLL [ORDERS]");
    return 2;
}

var cli = Path.GetFullPath(args[0]);
var target = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
var root = Directory.CreateTempSubdirectory("mw-bench-web-").FullName;
const string Password = "bench-admin-password";
const int Port = 5391;
var address = $"http://127.0.0.1:{Port}";
Console.WriteLine($"web app benchmark: {Environment.ProcessorCount} cores, workspace {root}");

try
{
    using (var host = await StartAsync(demo: true))
    {
        await MeasureAsync("demo data", host);
    }

    var added = Grow(Path.Combine(root, ".millwright", "operations.db"), target);
    Console.WriteLine($"grew the store by {added:N0} service orders");
    using (var host = await StartAsync(demo: false))
    {
        await MeasureAsync($"{target:N0} orders", host);
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

Console.WriteLine($"rerun: bench/run-webapp.sh {target}");
return 0;

async Task<Host> StartAsync(bool demo)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { cli, "up", "-w", root, "--port", Port.ToString(CultureInfo.InvariantCulture) }.Concat(demo ? [] : ["--no-demo"]))
    {
        start.ArgumentList.Add(a);
    }

    start.Environment["MILLWRIGHT_ADMIN_PASSWORD"] = Password;
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var probe = new HttpClient();
    var deadline = Stopwatch.StartNew();
    while (true)
    {
        try
        {
            if ((await probe.GetAsync($"{address}/health")).IsSuccessStatusCode)
            {
                break;
            }
        }
        catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
        }

        await Task.Delay(250);
    }

    // Wait for the first build to finish, so the pages are measured on a quiet host.
    var token = Token();
    using var api = new HttpClient { BaseAddress = new Uri(address) };
    api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    while (deadline.Elapsed < TimeSpan.FromMinutes(10))
    {
        var runs = JsonNode.Parse(await api.GetStringAsync("/api/orchestration/runs?limit=20"))!.AsArray();
        if (runs.All(r => r!["status"]!.GetValue<string>() is "SUCCESS" or "FAILURE" or "CANCELED"))
        {
            break;
        }

        await Task.Delay(500);
    }

    return new Host(process);
}

string Token()
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[] { cli, "tokens", "create", "--user", "admin", "--name", "bench-" + Guid.NewGuid().ToString("N")[..6], "-w", root })
    {
        start.ArgumentList.Add(a);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return output.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).First(w => w.StartsWith("mw_", StringComparison.Ordinal));
}

async Task MeasureAsync(string label, Host host)
{
    _ = host;
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Args = ["--no-sandbox"] });
    var page = await browser.NewPageAsync(new() { BaseURL = address, ViewportSize = new() { Width = 1400, Height = 900 } });
    await page.GotoAsync("/signin");
    await page.Locator("#userName").FillAsync("admin");
    await page.Locator("#password").FillAsync(Password);
    await page.Locator("button[type=submit]").ClickAsync();
    await page.Locator("#user").WaitForAsync();

    var board = await TimeAsync(async () =>
    {
        await page.GotoAsync("/orders");
        await page.Locator("#board tbody tr").First.WaitForAsync();
    });
    var href = await page.Locator("#board tbody tr a[href^='/orders/']").First.GetAttributeAsync("href");
    var order = await TimeAsync(async () =>
    {
        await page.GotoAsync(href!);
        await page.Locator("#order-status").WaitForAsync();
        await page.Locator("#timeline").WaitForAsync();
    });
    await page.GotoAsync("/orders");
    await page.Locator("#board tbody tr").First.WaitForAsync();
    var on = true;
    var filter = await TimeAsync(async () =>
    {
        // Toggling CLOSED in and out of the board's statuses: the table and the counts change each time.
        on = !on;
        var before = await page.Locator("#board-total").InnerTextAsync();
        await page.Locator("#status-CLOSED").ClickAsync();
        await Assertions.Expect(page.Locator("#board-total")).Not.ToHaveTextAsync(before);
    });
    var floor = FloorMs(Path.Combine(root, ".millwright", "operations.db"));
    Console.WriteLine($"{label}: board interactive {board:0} ms, order page {order:0} ms, status filter {filter:0} ms (median of 7); the board's page query straight on SQLite {floor:0.0} ms");
}

static async Task<double> TimeAsync(Func<Task> step)
{
    var times = new List<double>();
    for (var i = 0; i < 8; i++)
    {
        var watch = Stopwatch.StartNew();
        await step();
        if (i > 0)
        {
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    return times[times.Count / 2];
}

// The board's first page and counts as plain SQL on the same file: what SQLite itself needs for the data shown.
static double FloorMs(string database)
{
    using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    connection.Open();
    var times = new List<double>();
    for (var i = 0; i < 8; i++)
    {
        var watch = Stopwatch.StartNew();
        using (var counts = connection.CreateCommand())
        {
            counts.CommandText = "SELECT status, count(*) FROM service_orders GROUP BY status";
            using var reader = counts.ExecuteReader();
            while (reader.Read())
            {
            }
        }

        using (var rows = connection.CreateCommand())
        {
            rows.CommandText = """
                SELECT o.*, a.code, a.name, v.vin, s.code FROM service_orders o JOIN assets a ON a.id = o.asset_id JOIN sites s ON s.id = a.site_id
                LEFT JOIN vehicles v ON v.id = a.id WHERE o.status IN ('OPEN','SCHEDULED','IN_PROGRESS','ON_HOLD','COMPLETED')
                ORDER BY CASE o.priority WHEN 'CRITICAL' THEN 3 WHEN 'HIGH' THEN 2 WHEN 'MEDIUM' THEN 1 ELSE 0 END DESC, o.due_at IS NULL, o.due_at, o.id LIMIT 25
                """;
            using var reader = rows.ExecuteReader();
            while (reader.Read())
            {
            }
        }

        if (i > 0)
        {
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
    }

    times.Sort();
    return times[times.Count / 2];
}

// Copies the store's orders (with their first status row) until it holds `target`: benchmark data, not history a use case wrote.
static int Grow(string database, int target)
{
    using var connection = new SqliteConnection($"Data Source={database}");
    connection.Open();
    using var count = connection.CreateCommand();
    count.CommandText = "SELECT count(*), max(id) FROM service_orders";
    long have, maxId;
    using (var reader = count.ExecuteReader())
    {
        reader.Read();
        (have, maxId) = (reader.GetInt64(0), reader.GetInt64(1));
    }

    var add = Math.Max(0, target - (int)have);
    using var transaction = connection.BeginTransaction();
    using var insert = connection.CreateCommand();
    insert.Transaction = transaction;
    insert.CommandText = """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $add)
        INSERT INTO service_orders (number, asset_id, type, priority, status, description, reported_at, failure_at, asset_down, downtime_start, downtime_end,
            scheduled_start, due_at, estimated_hours, resolution_code, resolution_notes, parent_order_id, pm_plan_id, customer_id, is_billable, hold_reason,
            rework_count, started_at, completed_at, closed_at, created_at, status_sequence, version)
        SELECT printf('OS-B%07d', n.i), o.asset_id, o.type, o.priority, o.status, o.description, o.reported_at, o.failure_at, o.asset_down, o.downtime_start,
            o.downtime_end, o.scheduled_start, o.due_at, o.estimated_hours, o.resolution_code, o.resolution_notes, NULL, NULL, o.customer_id, o.is_billable,
            o.hold_reason, o.rework_count, o.started_at, o.completed_at, o.closed_at, o.created_at, 1, 1
        FROM n JOIN service_orders o ON o.id = 1 + (n.i % $have)
        """;
    insert.Parameters.AddWithValue("$add", add);
    insert.Parameters.AddWithValue("$have", maxId);
    insert.ExecuteNonQuery();
    using var history = connection.CreateCommand();
    history.Transaction = transaction;
    history.CommandText = """
        INSERT INTO service_order_status_history (service_order_id, sequence, from_status, to_status, changed_at, actor, role, reason)
        SELECT id, 1, NULL, status, reported_at, 'bench', 'ADMIN', NULL FROM service_orders WHERE id > $max
        """;
    history.Parameters.AddWithValue("$max", maxId);
    history.ExecuteNonQuery();
    transaction.Commit();
    return add;
}

internal sealed class Host(Process process) : IDisposable
{
    public void Dispose()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}

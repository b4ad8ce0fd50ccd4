using System.Diagnostics;

namespace Millwright.Cli.Tests.Commands;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public SimulateCommandTests() => File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: plant\n");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Simulate_writes_a_history_that_reconciles_and_refuses_to_write_a_second_one()
    {
        var outcome = await _cli.RunAsync("simulate", "--scale", "0.02", "--days", "20", "--start", "2026-02-02");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("Simulated 2026-02-02 to 2026-02-22 (seed 42, scale 0.02)", outcome.Out, StringComparison.Ordinal);
        Assert.Matches(@"│ vehicles\s+│ 10\s+│", outcome.Out);
        Assert.Contains("simulated 2026-02-21 (20/20 days)", outcome.Error, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_cli.Root, "landing", "simulated", "retail", "orders"), "*.jsonl"));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(_cli.Root, "landing", "simulated", "process"), "*.csv", SearchOption.AllDirectories));

        var reconcile = await _cli.RunAsync("ops", "reconcile");
        Assert.Equal(0, reconcile.ExitCode);
        Assert.Contains("No drift.", reconcile.Out, StringComparison.Ordinal);

        var again = await _cli.RunAsync("simulate", "--scale", "0.02", "--days", "1");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already holds", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--only", "ships", "--only ships: expected fleet, manufacturing or retail")]
    [InlineData("--start", "02/02/2026", "--start 02/02/2026: expected a date as yyyy-MM-dd")]
    [InlineData("--scale", "0", "scale must be above 0 and at most 20, not 0")]
    public async Task Bad_options_fail_with_one_line_naming_them(string option, string value, string message)
    {
        var outcome = await _cli.RunAsync("simulate", option, value);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains(message, outcome.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Retail_orders_stream_into_a_running_millwright_through_its_stream_load()
    {
        var ct = TestContext.Current.CancellationToken;
        var contracts = Path.Combine(_cli.Root, "pipelines", "retail", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(contracts, "retail_orders.yml"), """
            source: retail_orders
            version: 1
            format: {type: jsonl}
            primary_key: [order_id, line_number]
            columns:
              - {name: order_id, type: string, nullable: false, pattern: 'R[0-9]+'}
              - {name: line_number, type: integer, nullable: false, min: 1}
              - {name: ordered_at, type: timestamp, nullable: false}
              - {name: customer_id, type: string, nullable: false}
              - {name: sku, type: string, nullable: false}
              - {name: category, type: string}
              - {name: quantity, type: integer, min: 1}
              - {name: unit_price, type: double, min: 0}
              - {name: discount, type: double, min: 0, max: 1}
              - {name: channel, type: string, allowed: [web, app, store]}
            """);
        var (host, url) = await StartHostAsync(ct);
        try
        {
            _cli.Environment["MILLWRIGHT_TOKEN"] = await _cli.TokenAsync("loader", "OPERATOR");
            var outcome = await _cli.RunAsync("simulate", "--only", "retail", "--retail-orders-per-day", "300", "--days", "2", "--start", "2026-03-04", "--stream", url);

            Assert.True(outcome.ExitCode == 0, outcome.Error);
            var lines = Directory.EnumerateFiles(Path.Combine(_cli.Root, "landing", "simulated", "retail", "orders")).SelectMany(File.ReadLines).ToList();
            Assert.InRange(lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("order_id").GetString()).Distinct().Count(), 2 * 300 * 0.8, 2 * 300 * 1.2);
            var hours = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("ordered_at").GetString()![..13]).Distinct(StringComparer.Ordinal).Count();

            // The warehouse file is the host's while it runs; read the load audit once it has stopped.
            await StopAsync(host, ct);
            var status = await _cli.RunAsync("ingest", "status", "--source", "retail_orders", "--limit", "100");
            Assert.Equal(0, status.ExitCode);
            Assert.Equal(hours, status.Out.Split('\n').Count(l => l.Contains("retail_orders", StringComparison.Ordinal) && l.Contains("SUCCESS", StringComparison.Ordinal)));
        }
        finally
        {
            await StopAsync(host, ct);
            host.Dispose();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Via_api_the_business_runs_live_against_a_running_millwright_and_still_reconciles()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, url) = await StartHostAsync(ct);
        try
        {
            // 30 simulated hours at 10 hours a second: a night's telemetry upload and the first orders.
            var token = await _cli.TokenAsync("sim", "ADMIN");
            var outcome = await _cli.RunAsync("simulate", "--via-api", url, "--only", "fleet", "--scale", "0.02", "--follow-for", "30", "--speed", "36000", "--token", token);

            Assert.True(outcome.ExitCode == 0, outcome.Error);
            using var client = TestAccounts.Client(new Uri(url), token);
            using var vehicles = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/ops/vehicles", ct));
            Assert.Equal(10, vehicles.RootElement.GetProperty("total").GetInt64());
            using var readings = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/ops/telemetry-readings?pageSize=1", ct));
            Assert.True(readings.RootElement.GetProperty("total").GetInt64() > 5);
            using var audit = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/ops/audit-log?actor=sim&pageSize=1", ct));
            Assert.True(audit.RootElement.GetProperty("total").GetInt64() > 50);
            using var reconciliation = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/api/ops/inventory/reconciliation", ct));
            Assert.True(reconciliation.RootElement.GetProperty("isClean").GetBoolean(), reconciliation.RootElement.ToString());

            var history = await _cli.RunAsync("simulate", "--via-api", url, "--days", "30");
            Assert.Equal(1, history.ExitCode);
            Assert.Contains("--via-api runs live from now on the server's clock", history.Error, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(host, ct);
            host.Dispose();
        }
    }

    private async Task<(Process Host, string Url)> StartHostAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _cli.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "up", "--port", "0", "--no-demo" })
        {
            start.ArgumentList.Add(arg);
        }

        var host = Process.Start(start)!;
        while (await host.StandardOutput.ReadLineAsync(ct) is { } line)
        {
            var at = line.IndexOf("is running at ", StringComparison.Ordinal);
            if (at >= 0)
            {
                return (host, line[(at + "is running at ".Length)..].Trim());
            }
        }

        host.Kill(entireProcessTree: true);
        throw new InvalidOperationException("millwright up did not start: " + await host.StandardError.ReadToEndAsync(ct));
    }

    private static async Task StopAsync(Process host, CancellationToken ct)
    {
        if (!host.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            await host.WaitForExitAsync(ct);
        }
    }
}

using System.Diagnostics;
using System.Text.Json;

namespace Millwright.Cli.Tests;

/// <summary>`millwright up` as a real process: it serves /health, fills an empty workspace with demo history and stops cleanly on a termination signal.</summary>
public sealed class UpCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-up-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact(Timeout = 120_000)]
    public async Task Up_on_a_fresh_folder_serves_health_writes_demo_history_and_stops_cleanly_on_sigterm()
    {
        var ct = TestContext.Current.CancellationToken;
        var cli = Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "up", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                var at = line.IndexOf("is running at ", StringComparison.Ordinal);
                url = at >= 0 ? line[(at + "is running at ".Length)..].Trim() : null;
            }

            Assert.NotNull(url);
            using var anonymous = new HttpClient { BaseAddress = new Uri(url) };
            using var health = JsonDocument.Parse(await anonymous.GetStringAsync("/health", ct));
            Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/ops/vehicles", ct)).StatusCode);

            string? admin = null;
            while (admin is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                admin = line.StartsWith("First run: created user 'admin' (ADMIN) with password ", StringComparison.Ordinal) ? line : null;
            }

            Assert.NotNull(admin);
            using var runner = new CliRunner(_root);
            using var client = TestAccounts.Client(new Uri(url), await runner.TokenAsync("admin", "ADMIN"));

            string? ready = null;
            while (ready is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                ready = line.StartsWith("Demo history ready", StringComparison.Ordinal) ? line : null;
            }

            Assert.NotNull(ready);
            Assert.Contains("50 vehicles", ready, StringComparison.Ordinal);
            using var orders = JsonDocument.Parse(await client.GetStringAsync("/api/ops/service-orders?status=CLOSED", ct));
            Assert.True(orders.RootElement.GetProperty("total").GetInt64() > 20, orders.RootElement.ToString());
            using var readings = JsonDocument.Parse(await client.GetStringAsync("/api/ops/vehicles", ct));
            Assert.Equal(50, readings.RootElement.GetProperty("total").GetInt64());
            Assert.True(Directory.EnumerateFiles(Path.Combine(_root, "landing", "simulated", "process"), "*.csv", SearchOption.AllDirectories).Any());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            var rest = await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Millwright stopped.", rest, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(_root, ".millwright", "warehouse.duckdb")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Millwright.Operations.Data;

namespace Millwright.Simulation.Tests;

public sealed class SimulatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-sim-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SimulationOptions Small { get; } = new() { Seed = 11, Scale = 0.05, Days = 40, Start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc) };

    [Fact]
    public async Task The_same_seed_writes_the_same_rows_and_files_and_another_seed_does_not()
    {
        var first = await RunAsync("a", Small);
        // Written a day per transaction, the same rows: batching changes when they become durable, not what they are.
        var second = await RunAsync("b", Small with { DayTransactions = true });
        var other = await RunAsync("c", Small with { Seed = 12 });

        Assert.True(first.Summary.Totals.ServiceOrders > 0 && first.Summary.Totals.TelemetryReadings > 0 && first.Summary.Totals.ProductionRuns > 0);
        Assert.Equal(first.Summary.Totals, second.Summary.Totals);
        var tables = OperationsDbContext.TableNames.Order(StringComparer.Ordinal).ToList();
        foreach (var table in tables)
        {
            Assert.True(Dump(first.Database, table) == Dump(second.Database, table), $"table {table} differs between two runs with the same seed");
        }

        Assert.Equal(HashFiles(first.Output), HashFiles(second.Output));
        Assert.NotEqual(Dump(first.Database, "telemetry_readings"), Dump(other.Database, "telemetry_readings"));
        Assert.NotEqual(HashFiles(first.Output), HashFiles(other.Output));
    }

    [Fact]
    public async Task Retail_days_keep_the_shops_files_to_the_last_days_of_a_longer_history()
    {
        var run = await RunAsync("a", Small with { Days = 10, RetailDays = 3, Fleet = false, Manufacturing = false });

        var days = Directory.GetFiles(Path.Combine(run.Output, "retail", "orders"), "*.jsonl").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["2026-01-12", "2026-01-13", "2026-01-14"], days);
    }

    [Fact]
    public async Task A_store_that_already_holds_assets_is_refused_and_left_as_it_was()
    {
        var run = await RunAsync("a", Small with { Days = 2 });
        var before = Dump(run.Database, "service_orders");

        var error = await Assert.ThrowsAsync<SimulationException>(() => Simulator.RunAsync(clock => OperationsStore.Sqlite(run.Database, clock), Small, Ct));

        Assert.Contains("already holds", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Dump(run.Database, "service_orders"));
    }

    [Theory]
    [InlineData(0, 10, "scale")]
    [InlineData(1, -1, "days")]
    public async Task Bad_options_are_refused_naming_the_option(double scale, int days, string named)
    {
        var error = await Assert.ThrowsAsync<SimulationException>(() => Simulator.RunAsync(clock => OperationsStore.Sqlite(Path.Combine(_root, "x.db"), clock), Small with { Scale = scale, Days = days }, Ct));

        Assert.StartsWith(named, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "x.db")));
    }

    [Fact]
    public async Task Follow_keeps_writing_after_the_history_until_stopped_and_then_returns_its_summary()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var days = new List<DateTime>();
        var start = DateTime.UtcNow.Date.AddDays(-2);
        var options = Small with
        {
            Days = 2,
            Start = start,
            Follow = true,
            Speed = 86_400 * 20, // a simulated day every 50 ms of real time
            Progress = new ProgressReport(p =>
            {
                days.Add(p.Day);
                if (days.Count == 6)
                {
                    stop.Cancel();
                }
            }),
        };

        var summary = await Simulator.RunAsync(clock => OperationsStore.Sqlite(Path.Combine(_root, "follow.db"), clock), options, stop.Token);

        Assert.Equal(Enumerable.Range(0, 6).Select(i => start.AddDays(i)), days);
        Assert.Equal(start, summary.Start);
        Assert.True(summary.End > start.AddDays(5), $"followed until {summary.End}");
        await using var store = OperationsStore.Sqlite(Path.Combine(_root, "follow.db"));
        await using var db = store.CreateContext();
        Assert.Contains(db.TelemetryReadings, r => r.RecordedAt >= start.AddDays(3));
    }

    [Fact]
    public async Task A_history_stopped_part_way_keeps_whole_days_and_nothing_of_the_day_it_was_writing()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var database = Path.Combine(_root, "stopped.db");
        var fourth = Small.Start!.Value.AddDays(3);

        // Stopped at noon of day 4, as its use cases write: the morning's writes were already made.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Simulator.RunAsync(clock => OperationsStore.Sqlite(database, new StopAt(clock, fourth.AddHours(12), stop)), Small with { Days = 10, DayTransactions = true }, stop.Token));

        // Days 1 to 3 are whole; nothing of day 4 is there. Every write is audited at its simulated time.
        await using var store = OperationsStore.Sqlite(database);
        await using var db = store.CreateContext();
        Assert.Contains(db.AuditLog, a => a.OccurredAt >= fourth.AddDays(-1));
        Assert.DoesNotContain(db.AuditLog, a => a.OccurredAt >= fourth);
        Assert.DoesNotContain(db.ChangeFeed, c => c.OccurredAt >= fourth);
        Assert.True((await new Operations.Reconciliation(store).RunAsync(Ct)).IsClean);
    }

    /// <summary>The simulated clock, stopping the run the first time a write reads a time at or past <paramref name="at"/>.</summary>
    private sealed class StopAt(TimeProvider clock, DateTime at, CancellationTokenSource stop) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            var now = clock.GetUtcNow();
            if (now.UtcDateTime >= at && !stop.IsCancellationRequested)
            {
                stop.Cancel();
            }

            return now;
        }
    }

    private async Task<(string Database, string Output, SimulationSummary Summary)> RunAsync(string name, SimulationOptions options)
    {
        var database = Path.Combine(_root, name, "operations.db");
        var output = Path.Combine(_root, name, "landing");
        var summary = await Simulator.RunAsync(clock => OperationsStore.Sqlite(database, clock), options with { OutputDirectory = output }, Ct);
        return (database, output, summary);
    }

    /// <summary>Every row of a table in id order, as text.</summary>
    private static string Dump(string database, string table)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False;Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
        using var reader = command.ExecuteReader();
        var text = new StringBuilder();
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static string HashFiles(string root)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            text.Append(Path.GetRelativePath(root, file)).Append(' ').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))).Append('\n');
        }

        return text.ToString();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private sealed class ProgressReport(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}

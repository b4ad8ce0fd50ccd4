using System.Diagnostics;
using System.Globalization;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Cli.Tests.Commands;

/// <summary>
/// A real `millwright ingest file` process killed with SIGKILL at every step of a load (after opening, reading, the
/// checksum, the contract checks, the Parquet copy, in the middle of its one transaction, and after its commit): the
/// raw table then holds nothing or exactly the file, never part of it and never without its audit record; what the
/// kill left is put right; and loading the file again gives exactly one copy. On DuckDB and on PostgreSQL.
/// </summary>
public abstract class IngestKillTests : IDisposable
{
    private const int Rows = 300_000;
    private readonly CliRunner _cli = new();

    protected IngestKillTests()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: kills\n");
        using var file = new StreamWriter(Path.Combine(_cli.Root, "big.csv"));
        file.WriteLine("id,machine,value");
        for (var i = 1; i <= Rows; i++)
        {
            file.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i},M{i % 97},{i * 0.25}"));
        }
    }

    private protected CliRunner Cli => _cli;

    protected abstract WarehouseOptions Warehouse { get; }

    public void Dispose()
    {
        _cli.Dispose();
        GC.SuppressFinalize(this);
    }

    public static TheoryData<string, string> Points => new()
    {
        { "MILLWRIGHT_FAULT_AFTER", "open" },
        { "MILLWRIGHT_FAULT_AFTER", "read" },
        { "MILLWRIGHT_FAULT_AFTER", "checksum (wait)" },
        { "MILLWRIGHT_FAULT_AFTER", "check" },
        { "MILLWRIGHT_FAULT_AFTER", "parquet raw layer" },
        { "MILLWRIGHT_FAULT_MARK", "parquet raw layer" }, // killed at once, while the load's transaction runs
        { "MILLWRIGHT_FAULT_AFTER", "load, quarantine and audit (one transaction)" },
    };

    [Theory(Timeout = 300_000)]
    [MemberData(nameof(Points))]
    public async Task A_load_killed_at_any_step_leaves_nothing_or_exactly_the_file_and_a_reload_gives_one_copy(string fault, string step)
    {
        var ct = TestContext.Current.CancellationToken;
        var source = "kill_" + Guid.NewGuid().ToString("N")[..10];
        var contracts = Path.Combine(_cli.Root, "pipelines", "plant", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(contracts, $"{source}.yml"), $$"""
            source: {{source}}
            version: 1
            format: {delimiter: ','}
            primary_key: [id]
            columns:
              - {name: id, type: integer, nullable: false}
              - {name: machine, type: string}
              - {name: value, type: double}
            """);

        await KillAtAsync(source, fault, step, ct);

        await using (var warehouse = Warehouses.Open(Warehouse))
        {
            var rows = await CountAsync(warehouse, $"SELECT count(*) FROM raw.{source}", ct, missingIsZero: true);
            var successes = await CountAsync(warehouse, $"SELECT count(*) FROM ingest.loads WHERE source = '{source}' AND status = 'SUCCESS'", ct, missingIsZero: true);
            Assert.True((rows, successes) is (0, 0) or (Rows, 1), $"killed after {step}: {rows} rows and {successes} successful load record(s)");

            // What the kill left (a Parquet copy, work tables) is put right; every copy left belongs to a committed load.
            var ingestor = new FileIngestor(warehouse, new IngestionOptions { RawLayerPath = Path.Combine(_cli.Root, ".millwright", "raw") });
            await ingestor.RecoverAsync([Millwright.Ingestion.Contracts.DataContract.Load(Path.Combine(contracts, $"{source}.yml"))], TimeSpan.Zero, ct);
            var copies = Directory.Exists(Path.Combine(_cli.Root, ".millwright", "raw", source))
                ? Directory.GetFiles(Path.Combine(_cli.Root, ".millwright", "raw", source), "*.parquet", SearchOption.AllDirectories).Length
                : 0;
            Assert.Equal(successes, copies);
            Assert.DoesNotContain(await warehouse.ListRelationsAsync("ingest", ct), r => r.Name.StartsWith("w_", StringComparison.Ordinal) || r.Name.StartsWith("q_", StringComparison.Ordinal));
        }

        var again = await _cli.RunAsync("ingest", "file", "big.csv", "--contract", source);
        Assert.True(again.ExitCode == 0, again.Error);

        await using (var warehouse = Warehouses.Open(Warehouse))
        {
            Assert.Equal(Rows, await CountAsync(warehouse, $"SELECT count(*) FROM raw.{source}", ct));
            Assert.Equal(Rows, await CountAsync(warehouse, $"SELECT count(DISTINCT id) FROM raw.{source}", ct));
            Assert.Equal(1, await CountAsync(warehouse, $"SELECT count(*) FROM ingest.loads WHERE source = '{source}' AND status = 'SUCCESS'", ct));
        }
    }

    /// <summary>Runs the load as its own process and kills it (SIGKILL) when it announces <paramref name="step"/>.</summary>
    private async Task KillAtAsync(string source, string fault, string step, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _cli.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "ingest", "file", "big.csv", "--contract", source })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[fault] = step;
        foreach (var (key, value) in _cli.Environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var seen = new List<string>();
        var reached = false;
        while (!reached && await process.StandardError.ReadLineAsync(ct) is { } line)
        {
            seen.Add(line);
            reached = line == $"fault point: after {step}";
        }

        if (reached)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync(ct);
        _ = await output;
        Assert.True(reached, $"the load never reached '{step}' (exit {process.ExitCode}): {string.Join('\n', seen)}");
    }

    private static async Task<long> CountAsync(IWarehouse warehouse, string sql, CancellationToken ct, bool missingIsZero = false)
    {
        try
        {
            return Convert.ToInt64(await warehouse.QueryScalarAsync(sql, ct), CultureInfo.InvariantCulture);
        }
        catch (WarehouseException) when (missingIsZero)
        {
            return 0;
        }
    }
}

public sealed class DuckDbIngestKillTests : IngestKillTests
{
    protected override WarehouseOptions Warehouse => WarehouseOptions.DuckDb(Path.Combine(Cli.Root, ".millwright", "warehouse.duckdb"));
}

public sealed class PostgresIngestKillTests : IngestKillTests
{
    public PostgresIngestKillTests()
    {
        Cli.Environment["MILLWRIGHT__WAREHOUSE__PROVIDER"] = "postgres";
        Cli.Environment["MILLWRIGHT__WAREHOUSE__CONNECTION"] = TestPostgres.ConnectionString;
    }

    protected override WarehouseOptions Warehouse => WarehouseOptions.Postgres(TestPostgres.ConnectionString);
}

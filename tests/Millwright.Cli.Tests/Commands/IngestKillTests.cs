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
        var source = WriteContract();
        var contracts = Path.Combine(_cli.Root, "pipelines", "plant", "contracts");

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

    /// <summary>
    /// `millwright ingest db` killed after one table committed and again while the next ones run: every table is then
    /// as a whole extraction would have it (each table's rows and its feed position commit together), none has a row twice.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task An_extraction_killed_between_and_during_tables_finishes_on_the_next_run_with_every_row_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var simulated = await _cli.RunAsync("simulate", "--scale", "0.02", "--days", "5", "--start", "2026-02-02", "--only", "fleet");
        Assert.True(simulated.ExitCode == 0, simulated.Error);
        var schema = "raw_kill_" + Guid.NewGuid().ToString("N")[..8];

        await KillAtAsync(["ingest", "db", "--schema", schema], "MILLWRIGHT_FAULT_AFTER", "table assets", ct);
        await KillAtAsync(["ingest", "db", "--schema", schema], "MILLWRIGHT_FAULT_MARK", "table audit_log", ct);
        var finished = await _cli.RunAsync("ingest", "db", "--schema", schema);
        Assert.True(finished.ExitCode == 0, finished.Error);
        var check = await _cli.RunAsync("ingest", "db", "--schema", schema + "_check", "--full-refresh");
        Assert.True(check.ExitCode == 0, check.Error);

        await using var warehouse = Warehouses.Open(Warehouse);
        var tables = (await warehouse.ListRelationsAsync(schema + "_check", ct)).Select(r => r.Name).ToList();
        Assert.Contains("charge_sessions", tables);
        foreach (var table in tables)
        {
            var columns = await warehouse.GetColumnsAsync(RelationName.Of(schema + "_check", table), ct);
            if (columns.All(c => c.Name != "id"))
            {
                continue;
            }

            var (a, b) = ($"{schema}.{table}", $"{schema}_check.{table}");
            Assert.Equal(await CountAsync(warehouse, $"SELECT count(*) FROM {b}", ct), await CountAsync(warehouse, $"SELECT count(*) FROM {a}", ct));
            Assert.Equal(await CountAsync(warehouse, $"SELECT count(*) FROM {a}", ct), await CountAsync(warehouse, $"SELECT count(DISTINCT id) FROM {a}", ct));
            Assert.Equal(0, await CountAsync(warehouse, $"SELECT count(*) FROM (SELECT id FROM {b} EXCEPT SELECT id FROM {a}) AS missing", ct));
        }
    }

    /// <summary>
    /// A stream load (PUT /api/ingest) whose host is killed while it checks the body and again inside its transaction:
    /// the rows and the label are there together or not at all, and the same request sent again to the next host loads
    /// the body exactly once (or answers the first result).
    /// </summary>
    [Theory(Timeout = 300_000)]
    [InlineData("MILLWRIGHT_FAULT_AFTER", "check")]
    [InlineData("MILLWRIGHT_FAULT_MARK", "parquet raw layer")]
    public async Task A_stream_load_whose_host_is_killed_loads_once_when_sent_again(string fault, string step)
    {
        var ct = TestContext.Current.CancellationToken;
        var source = WriteContract();
        var body = await File.ReadAllBytesAsync(Path.Combine(_cli.Root, "big.csv"), ct);

        await using (var host = await Host.StartAsync(_cli, (fault, step), ct))
        {
            var sending = host.PutAsync(source, "batch-1", body, ct);
            await host.WaitForErrorLineAsync($"fault point: after {step}", ct);
            host.Kill();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => sending);
        }

        await using (var warehouse = Warehouses.Open(Warehouse))
        {
            var rows = await CountAsync(warehouse, $"SELECT count(*) FROM raw.{source}", ct, missingIsZero: true);
            var labels = await CountAsync(warehouse, $"SELECT count(*) FROM ingest.stream_labels WHERE source = '{source}' AND label = 'batch-1'", ct, missingIsZero: true);
            Assert.True((rows, labels) is (0, 0) or (Rows, 1), $"host killed after {step}: {rows} rows, {labels} label(s)");
        }

        await using (var host = await Host.StartAsync(_cli, null, ct))
        {
            using var answer = await host.PutAsync(source, "batch-1", body, ct);
            Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync(ct));
        }

        await using (var warehouse = Warehouses.Open(Warehouse))
        {
            Assert.Equal(Rows, await CountAsync(warehouse, $"SELECT count(*) FROM raw.{source}", ct));
            Assert.Equal(1, await CountAsync(warehouse, $"SELECT count(*) FROM ingest.loads WHERE source = '{source}' AND status = 'SUCCESS'", ct));
        }
    }

    private string WriteContract()
    {
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
        return source;
    }

    /// <summary>`millwright up` as a process of its own, reached with the secret it leaves for its workspace's CLI.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _client;
        private readonly Task<string> _output;

        private Host(Process process, HttpClient client, Task<string> output) => (_process, _client, _output) = (process, client, output);

        public static async Task<Host> StartAsync(CliRunner cli, (string Fault, string Step)? fault, CancellationToken ct)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = cli.Root, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "up", "--port", "0", "--no-demo" })
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in cli.Environment)
            {
                start.Environment[key] = value;
            }

            if (fault is { } f)
            {
                start.Environment[f.Fault] = f.Step;
            }

            var process = Process.Start(start)!;
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                var at = line.IndexOf("is running at ", StringComparison.Ordinal);
                url = at >= 0 ? line[(at + "is running at ".Length)..].Trim() : null;
            }

            Assert.NotNull(url);
            var live = Millwright.Workspace.WorkspaceLock.FindLive(Millwright.Workspace.WorkspaceLayout.At(cli.Root));
            Assert.NotNull(live);
            var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(4) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", live.Secret);
            return new Host(process, client, process.StandardOutput.ReadToEndAsync(ct));
        }

        public async Task<HttpResponseMessage> PutAsync(string source, string label, byte[] body, CancellationToken ct)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/ingest/{source}") { Content = content };
            request.Headers.Add("label", label);
            return await _client.SendAsync(request, ct);
        }

        public async Task WaitForErrorLineAsync(string expected, CancellationToken ct)
        {
            var seen = new List<string>();
            while (await _process.StandardError.ReadLineAsync(ct) is { } line)
            {
                if (line == expected)
                {
                    return;
                }

                seen.Add(line);
            }

            Assert.Fail($"the host never printed '{expected}': {string.Join('\n', seen)}");
        }

        public void Kill() => _process.Kill(entireProcessTree: true);

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(CancellationToken.None);
            _ = await _output;
            _client.Dispose();
            _process.Dispose();
        }
    }

    /// <summary>Runs the load as its own process and kills it (SIGKILL) when it announces <paramref name="step"/>.</summary>
    private Task KillAtAsync(string source, string fault, string step, CancellationToken ct) =>
        KillAtAsync(["ingest", "file", "big.csv", "--contract", source], fault, step, ct);

    private async Task KillAtAsync(string[] args, string fault, string step, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _cli.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), .. args])
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

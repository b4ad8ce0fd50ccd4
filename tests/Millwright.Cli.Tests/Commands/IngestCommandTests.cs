namespace Millwright.Cli.Tests.Commands;

public sealed class IngestCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public IngestCommandTests()
    {
        var contracts = Path.Combine(_cli.Root, "pipelines", "plant", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: plant\n");
        File.WriteAllText(Path.Combine(contracts, "torque.yml"), """
            source: torque
            version: 2
            format: {delimiter: ','}
            primary_key: [reading_id]
            max_rejected_fraction: 0.5
            columns:
              - {name: reading_id, type: integer, nullable: false}
              - {name: machine, type: string, pattern: 'M[0-9]+'}
              - {name: torque_nm, type: double, min: 0, max: 200}
            """);
        File.WriteAllText(Path.Combine(_cli.Root, "day1.csv"), "Reading ID,Machine,Torque [Nm]\n1,M1,40.5\n2,M2,-3\n3,M3,41\n");
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Ingest_db_lands_the_operational_stores_timestamps_decimals_and_booleans_typed()
    {
        Assert.Equal(0, (await _cli.RunAsync("simulate", "--scale", "0.02", "--days", "5", "--start", "2026-02-02", "--only", "fleet")).ExitCode);

        var extract = await _cli.RunAsync("ingest", "db");
        var types = await _cli.RunAsync("sql", "select (select typeof(started_at) || ' ' || typeof(energy_kwh) from raw.charge_sessions limit 1) as session, (select typeof(is_active) || ' ' || typeof(hourly_cost) || ' ' || typeof(name) from raw.mechanics limit 1) as mechanic", "--format", "csv");
        var filtered = await _cli.RunAsync("sql", "select count(*) > 0 as any from raw.charge_sessions where started_at >= TIMESTAMP '2026-02-02' and energy_kwh > 0", "--format", "csv");

        Assert.True(extract.ExitCode == 0, extract.Out + extract.Error);
        Assert.Matches("^session,mechanic\n\"TIMESTAMP DECIMAL\\(\\d+,\\d+\\)\",\"BOOLEAN DECIMAL\\(\\d+,\\d+\\) VARCHAR\"$", types.Out.Trim().ReplaceLineEndings("\n"));
        Assert.Equal("any\ntrue", filtered.Out.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_file_loads_under_its_contract_with_a_summary_and_the_quarantined_rows_named()
    {
        var outcome = await _cli.RunAsync("ingest", "file", "day1.csv", "--contract", "torque");

        Assert.Equal(0, outcome.ExitCode);
        var row = outcome.Out.Split('\n').Single(l => l.Contains("day1.csv", StringComparison.Ordinal));
        Assert.Contains("SUCCESS", row, StringComparison.Ordinal);
        Assert.Matches(@"│ 3\s+│ 2\s+│ 1\s+│", row);
        Assert.Contains("quarantined day1.csv:3: range: torque_nm is -3, below the minimum 0", outcome.Error, StringComparison.Ordinal);

        var again = await _cli.RunAsync("ingest", "file", "day1.csv", "--contract", "torque");
        Assert.Contains("SKIPPED (already loaded)", again.Out, StringComparison.Ordinal);
        var status = await _cli.RunAsync("ingest", "status");
        Assert.Single(status.Out.Split('\n'), l => l.Contains("torque", StringComparison.Ordinal) && l.Contains("v2", StringComparison.Ordinal));
        Assert.Equal("2", (await _cli.RunAsync("sql", "SELECT count(*) FROM raw.torque", "--format", "csv")).Out.Split('\n')[1].Trim());
    }

    [Fact]
    public async Task A_failed_load_exits_one_with_the_reason()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "bad.csv"), "Reading ID;Machine;Torque [Nm]\n1;M1;40.5\n");
        var outcome = await _cli.RunAsync("ingest", "file", "bad.csv", "-c", "torque");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("the header lacks column(s) reading_id, machine, torque_nm required by contract torque v2", outcome.Error, StringComparison.Ordinal);

        var missing = await _cli.RunAsync("ingest", "file", "bad.csv", "-c", "pressure");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no contract 'pressure'", missing.Error, StringComparison.Ordinal);
    }
}

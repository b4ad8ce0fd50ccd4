using System.Diagnostics;

namespace Millwright.Cli.Tests;

/// <summary>
/// One owner per workspace: with `millwright up` running as a real process, the CLI's verbs run on it (its runs are the
/// host's and end SUCCESS, no DuckDB lock error), with the same output and exit codes as in a process of their own; once
/// the host is killed they run in process again; a second host is refused naming the first.
/// </summary>
public sealed class HostRelayTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact(Timeout = 300_000)]
    public async Task Verbs_run_on_the_live_host_with_their_own_output_and_exit_codes_and_in_process_once_it_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await _cli.RunAsync("init", ".")).ExitCode);
        var contracts = Path.Combine(_cli.Root, "pipelines", "plant", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(contracts, "torque.yml"), """
            source: torque
            version: 1
            format: {delimiter: ','}
            primary_key: [reading_id]
            max_rejected_fraction: 0.5
            columns:
              - {name: reading_id, type: integer, nullable: false}
              - {name: torque_nm, type: double, min: 0, max: 200}
            """);
        Directory.CreateDirectory(Path.Combine(_cli.Root, "inbox"));
        File.WriteAllText(Path.Combine(_cli.Root, "inbox", "day1.csv"), "reading_id,torque_nm\n1,40.5\n2,-3\n3,41\n");

        // The answers of a process of its own first, to compare with the host's.
        var localSql = await _cli.RunAsync("sql", "select 42 as answer, 'x,y' as text", "--format", "csv");
        var localError = await _cli.RunAsync("sql", "select * from nowhere");
        Assert.Equal(0, localSql.ExitCode);

        using var process = StartHost(_cli.Root);
        var errors = process.StandardError.ReadToEndAsync(ct);
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                var at = line.IndexOf("is running at ", StringComparison.Ordinal);
                url = at >= 0 ? line[(at + "is running at ".Length)..].Trim() : null;
            }

            Assert.NotNull(url);
            _ = process.StandardOutput.ReadToEndAsync(ct);

            // The same bytes and the same failure, now from the host that holds the warehouse.
            var sql = await _cli.RunAsync("sql", "select 42 as answer, 'x,y' as text", "--format", "csv");
            Assert.Equal((0, localSql.Out), (sql.ExitCode, sql.Out));
            var failed = await _cli.RunAsync("sql", "select * from nowhere");
            Assert.Equal((1, localError.Error), (failed.ExitCode, failed.Error));

            // A file named relative to where the verb was typed, loaded by the host, with its quarantine.
            var inbox = new CliRunner(Path.Combine(_cli.Root, "inbox"));
            var loaded = await inbox.RunAsync("ingest", "file", "day1.csv", "--contract", "torque");
            Assert.True(loaded.ExitCode == 0, loaded.Error);
            Assert.Contains("day1.csv", loaded.Out, StringComparison.Ordinal);
            var rows = await _cli.RunAsync("sql", "select count(*) as n from raw.torque", "--format", "csv");
            Assert.Equal("n\n2", rows.Out.Trim().ReplaceLineEndings("\n"));

            // A run of the host's: live progress on standard error, SUCCESS, and still SUCCESS once the host's daemon looked at it.
            var run = await _cli.RunAsync("assets", "materialize", "--select", "quality_defects+");
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains("OK materialized quality_defects", run.Error, StringComparison.Ordinal);
            var runId = run.Out.Trim().Split(' ')[1];
            Assert.Matches(@"^run [0-9a-f]{32} SUCCESS$", run.Out.Trim());
            var shown = await _cli.RunAsync("runs", "show", runId);
            Assert.Contains("SUCCESS", shown.Out, StringComparison.Ordinal);

            // A verb that needs the warehouse to itself says so rather than fight the host for it.
            var vacuum = await _cli.RunAsync("warehouse", "vacuum");
            Assert.Equal(1, vacuum.ExitCode);
            Assert.Contains("vacuum needs the warehouse to itself, and `millwright up` is serving it", vacuum.Error, StringComparison.Ordinal);

            // One host per workspace: the second is refused, naming the first's process and address.
            var second = await _cli.RunAsync("up", "--port", "0");
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"another `millwright up` (process {process.Id} at {url}", second.Error, StringComparison.Ordinal);

            // Killed, the host leaves its host.json behind; the lock it held is free, so the verb runs here again.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(ct);
            Assert.True(File.Exists(Path.Combine(_cli.Root, ".millwright", "host.json")));
            var after = await _cli.RunAsync("sql", "select count(*) as n from raw.torque", "--format", "csv");
            Assert.Equal((0, "n\n2"), (after.ExitCode, after.Out.Trim().ReplaceLineEndings("\n")));
            var runs = await _cli.RunAsync("runs", "show", runId);
            Assert.Contains("SUCCESS", runs.Out, StringComparison.Ordinal);
            var vacuumed = await _cli.RunAsync("warehouse", "vacuum");
            Assert.True(vacuumed.ExitCode == 0, vacuumed.Error);
            Assert.StartsWith("Vacuumed ", vacuumed.Out, StringComparison.Ordinal);
            Assert.Equal("n\n2", (await _cli.RunAsync("sql", "select count(*) as n from raw.torque", "--format", "csv")).Out.Trim().ReplaceLineEndings("\n"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            _ = await errors;
        }
    }

    [Fact]
    public async Task A_verb_outside_any_workspace_says_so_and_creates_nothing()
    {
        var outcome = await _cli.RunAsync("sql", "select 1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"not in a Millwright workspace: neither {_cli.Root} nor a folder above it holds a millwright.yml", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_cli.Root));
    }

    private static Process StartHost(string root)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "up", "--port", "0", "--no-demo" })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}

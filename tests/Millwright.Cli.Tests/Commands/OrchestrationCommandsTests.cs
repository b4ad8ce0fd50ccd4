using System.Diagnostics;

namespace Millwright.Cli.Tests.Commands;

public sealed class OrchestrationCommandsTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public OrchestrationCommandsTests()
    {
        var demo = Path.Combine(_cli.Root, "pipelines", "demo");
        Directory.CreateDirectory(Path.Combine(demo, "models"));
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: plant\n");
        File.WriteAllText(Path.Combine(demo, "pipeline.yml"), """
            assets:
              - key: raw/numbers
                sql: select range as n, range % 3 as bucket from range(10)
                checks:
                  - name: no_negative
                    sql: select * from raw.numbers where n < 0
              - key: daily
                partitions: {daily: {start: 2024-01-01}}
                command: echo "day $MILLWRIGHT_PARTITION"
              - key: slow
                command: sleep 60
              - key: flaky
                command: test -f fixed
              - key: per_plant
                partitions: {dynamic: plants}
                command: echo "plant $MILLWRIGHT_PARTITION"
            schedules:
              - name: hourly
                cron: "0 * * * *"
                target: raw/numbers+
            sensors:
              - name: landing
                kind: file
                path: landing
                target: raw/numbers
            """);
        File.WriteAllText(Path.Combine(demo, "dbt_project.yml"), "name: demo\nprofile: demo\n");
        File.WriteAllText(Path.Combine(demo, "models", "buckets.sql"), "select bucket, count(*) as n from {{ source('raw', 'numbers') }} group by bucket\n");
        File.WriteAllText(Path.Combine(demo, "models", "sources.yml"), """
            version: 2
            sources:
              - name: raw
                tables: [{name: numbers}]
            models:
              - name: buckets
                columns:
                  - name: bucket
                    tests: [unique]
            """);
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Materialize_runs_the_selection_with_live_progress_and_assets_ls_shows_the_result()
    {
        var run = await _cli.RunAsync("assets", "materialize", "--select", "raw/numbers+");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches("^run [0-9a-f]{32} SUCCESS", run.Out);
        Assert.Contains("OK materialized raw/numbers (10 rows", run.Error, StringComparison.Ordinal);
        Assert.Contains("PASS check unique_buckets_bucket on buckets", run.Error, StringComparison.Ordinal);
        Assert.Contains("OK materialized buckets", run.Error, StringComparison.Ordinal);

        var ls = await _cli.RunAsync("assets", "ls");
        Assert.Equal(0, ls.ExitCode);
        var lines = ls.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("raw/numbers", StringComparison.Ordinal) && l.Contains("MATERIALIZED", StringComparison.Ordinal) && l.Contains("1 passed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("slow", StringComparison.Ordinal) && l.Contains("MISSING", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("daily", StringComparison.Ordinal) && l.Contains("0/", StringComparison.Ordinal));

        var runs = await _cli.RunAsync("runs", "ls");
        Assert.Contains("SUCCESS", runs.Out, StringComparison.Ordinal);
        var id = run.Out.Split(' ')[1];
        var show = await _cli.RunAsync("runs", "show", id);
        Assert.Contains("ASSET_MATERIALIZATION", show.Out, StringComparison.Ordinal);
        Assert.Contains("RUN_SUCCESS", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_run_exits_one_and_retry_re_executes_from_the_failure()
    {
        var failed = await _cli.RunAsync("assets", "materialize", "-s", "flaky raw/numbers");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("FAILURE", failed.Out, StringComparison.Ordinal);
        Assert.Contains("exited with code 1", failed.Out, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_cli.Root, "pipelines", "demo", "fixed"), "");
        var id = failed.Out.Split(' ')[1];
        var retry = await _cli.RunAsync("runs", "retry", id);
        Assert.Equal(0, retry.ExitCode);
        Assert.Contains("SUCCESS", retry.Out, StringComparison.Ordinal);
        Assert.Contains("started run of 1 asset(s)", retry.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_runs_one_run_per_partition()
    {
        var backfill = await _cli.RunAsync("backfill", "--select", "daily", "--from", "2024-01-01", "--to", "2024-01-05");
        Assert.Equal(0, backfill.ExitCode);
        Assert.Contains("5 of 5 partition(s) succeeded", backfill.Out, StringComparison.Ordinal);
        var ls = await _cli.RunAsync("assets", "ls", "--select", "daily");
        Assert.Contains("5/", ls.Out, StringComparison.Ordinal);

        var bad = await _cli.RunAsync("backfill", "--select", "daily", "--from", "2024-13-01");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("partition '2024-13-01' is not a daily window key", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dynamic_partitions_are_added_from_the_command_line_and_each_partition_has_a_status()
    {
        Assert.Equal(0, (await _cli.RunAsync("partitions", "add", "plants", "lyon", "turin")).ExitCode);
        Assert.Equal(["lyon", "turin"], (await _cli.RunAsync("partitions", "ls", "plants")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(0, (await _cli.RunAsync("assets", "materialize", "-s", "per_plant", "--partition", "lyon")).ExitCode);
        var unknown = await _cli.RunAsync("assets", "materialize", "-s", "per_plant", "--partition", "paris");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("partition 'paris' of per_plant is not in dynamic partitions 'plants'", unknown.Error, StringComparison.Ordinal);

        var status = (await _cli.RunAsync("assets", "partitions", "per_plant")).Out.Split('\n');
        Assert.Contains(status, l => l.Contains("lyon", StringComparison.Ordinal) && l.Contains("MATERIALIZED", StringComparison.Ordinal));
        Assert.Contains(status, l => l.Contains("turin", StringComparison.Ordinal) && l.Contains("MISSING", StringComparison.Ordinal));
        Assert.DoesNotContain("turin", (await _cli.RunAsync("assets", "partitions", "per_plant", "--status", "materialized")).Out, StringComparison.Ordinal);

        Assert.Equal(0, (await _cli.RunAsync("partitions", "rm", "plants", "turin")).ExitCode);
        Assert.Equal("lyon", (await _cli.RunAsync("partitions", "ls", "plants")).Out.Trim());
        var wrong = await _cli.RunAsync("partitions", "add", "lines", "l1");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("no asset uses dynamic partitions 'lines' (sets: plants)", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedules_and_sensors_list_start_and_stop()
    {
        var ls = await _cli.RunAsync("schedules", "ls");
        Assert.Contains("hourly", ls.Out, StringComparison.Ordinal);
        Assert.Contains("RUNNING", ls.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await _cli.RunAsync("schedules", "stop", "hourly")).ExitCode);
        Assert.Contains("STOPPED", (await _cli.RunAsync("schedules", "ls")).Out, StringComparison.Ordinal);
        Assert.Contains("landing", (await _cli.RunAsync("sensors", "ls")).Out, StringComparison.Ordinal);
        var wrong = await _cli.RunAsync("sensors", "stop", "hourly");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("no sensor named 'hourly'", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_asset_is_a_clear_error()
    {
        var outcome = await _cli.RunAsync("assets", "materialize", "-s", "+numbers");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("no asset numbers (did you mean raw/numbers?)", outcome.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_host_killed_mid_run_leaves_the_run_failed_not_running()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _cli.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Millwright.Cli.dll"), "assets", "materialize", "--select", "slow" })
        {
            start.ArgumentList.Add(arg);
        }

        using var host = Process.Start(start)!;
        try
        {
            // The live progress says when the step has started; then the host is killed without warning.
            while (await host.StandardError.ReadLineAsync(ct) is { } line && !line.Contains("started slow", StringComparison.Ordinal))
            {
            }

            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync(ct);
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }

        var runs = await _cli.RunAsync("runs", "ls", "--status", "FAILURE");
        Assert.Contains("marked FAILURE: its host is gone", runs.Error, StringComparison.Ordinal);
        Assert.Contains("slow", runs.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTED", (await _cli.RunAsync("runs", "ls")).Out, StringComparison.Ordinal);
    }
}

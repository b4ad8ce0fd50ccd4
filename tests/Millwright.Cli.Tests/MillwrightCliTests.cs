using System.Net;

namespace Millwright.Cli.Tests;

public sealed class MillwrightCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public MillwrightCliTests() => File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: test\n");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Version_and_help_exit_zero()
    {
        var version = await _cli.RunAsync("--version");
        var help = await _cli.RunAsync("sql", "--help");

        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("0.1.0", version.Out, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--format", help.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("sql")]
    [InlineData("sql", "select 1", "--format", "xml")]
    [InlineData("sql", "select 1", "--format", "parquet")]
    public async Task Usage_errors_exit_two_with_a_message_on_stderr(params string[] args)
    {
        var outcome = await _cli.RunAsync(args);

        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("error: ", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Out);
    }

    [Fact]
    public async Task Init_creates_a_workspace_that_sql_then_uses()
    {
        var init = await _cli.RunAsync("init", "plant");
        Assert.Equal(0, init.ExitCode);
        Assert.True(File.Exists(Path.Combine(_cli.Root, "plant", "millwright.yml")));
        Assert.True(File.Exists(Path.Combine(_cli.Root, "plant", "pipelines", "maintenance", "docs", "KPIS.md")));
        Assert.True(File.Exists(Path.Combine(_cli.Root, "plant", "pipelines", "manufacturing", "pipeline.yml")));
        Assert.True(File.Exists(Path.Combine(_cli.Root, "plant", "pipelines", "retail", "contracts", "retail_orders.yml")));
        Assert.Equal(0, (await _cli.RunAsync("init", "bare", "--empty")).ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_cli.Root, "bare", "pipelines")));

        var create = await _cli.RunAsync("-w", "plant", "sql", "CREATE TABLE parts AS SELECT 'BRK-100' AS sku, 12 AS qty UNION ALL SELECT 'TYR-200', 3");
        var show = await _cli.RunAsync("-w", "plant", "sql", "SELECT sku, qty FROM parts ORDER BY sku");

        Assert.Equal(0, create.ExitCode);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("│ BRK-100 │  12 │", show.Out, StringComparison.Ordinal);
        Assert.Contains("2 rows", show.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_cli.Root, "plant", ".millwright", "warehouse.duckdb")));
    }

    [Fact]
    public async Task Sql_exports_csv_and_json_to_stdout()
    {
        var csv = await _cli.RunAsync("sql", "SELECT 1 AS id, 'a,b' AS label, NULL AS note, DATE '2026-01-31' AS day", "--format", "csv");
        var json = await _cli.RunAsync("sql", "SELECT 1 AS id, 'a,b' AS label, NULL AS note, 2.5 AS x", "--format", "json");

        Assert.Equal("id,label,note,day\n1,\"a,b\",,2026-01-31\n", csv.Out);
        Assert.Equal("[{\"id\":1,\"label\":\"a,b\",\"note\":null,\"x\":2.5}]", json.Out.Trim());
    }

    [Fact]
    public async Task Lists_structs_maps_and_blobs_read_as_values_in_the_table_csv_json_and_parquet()
    {
        const string Query = "SELECT [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, MAP {'k': 2} AS m, ['a', NULL] AS t, '\\x01\\xAB'::BLOB AS b";
        var table = await _cli.RunAsync("sql", Query);
        var csv = await _cli.RunAsync("sql", Query, "--format", "csv");
        var json = await _cli.RunAsync("sql", Query, "--format", "json");
        await _cli.RunAsync("sql", Query, "--format", "parquet", "--output", "nested.parquet");
        var back = await _cli.RunAsync("sql", $"SELECT b FROM '{Path.Combine(_cli.Root, "nested.parquet")}'", "--format", "csv");

        Assert.Contains("│ [1, 2] │ {'a': 1, 'b': 'x'} │ {'k': 2} │ ['a', NULL] │ 01AB │", table.Out, StringComparison.Ordinal);
        Assert.Equal("l,s,m,t,b\n\"[1, 2]\",\"{'a': 1, 'b': 'x'}\",{'k': 2},\"['a', NULL]\",01AB\n", csv.Out);
        Assert.Equal("[{\"l\":[1,2],\"s\":{\"a\":1,\"b\":\"x\"},\"m\":{\"k\":2},\"t\":[\"a\",null],\"b\":\"01AB\"}]", json.Out.Trim());
        Assert.Equal("b\n01AB\n", back.Out);
    }

    [Fact]
    public async Task Sql_exports_parquet_that_duckdb_reads_back()
    {
        var export = await _cli.RunAsync("sql", "SELECT i AS id, i * 1.5 AS soc, 'V' || i AS vin, TIMESTAMP '2026-01-01' + i * INTERVAL 1 MINUTE AS ts FROM range(250000) r(i)",
            "--format", "parquet", "--output", "out.parquet");
        var check = await _cli.RunAsync("sql", $"SELECT count(*) AS n, sum(id) AS s, max(vin) AS v, max(ts) AS t FROM '{Path.Combine(_cli.Root, "out.parquet")}'", "--format", "csv");

        Assert.Equal(0, export.ExitCode);
        Assert.Contains("Wrote 250,000 rows", export.Error, StringComparison.Ordinal);
        Assert.Equal("n,s,v,t\n250000,31249875000,V99999,2026-06-23 14:39:00\n", check.Out);
    }

    [Fact]
    public async Task A_failing_query_exits_one_with_one_line_naming_the_problem_and_writes_no_file()
    {
        var outcome = await _cli.RunAsync("sql", "SELECT *\nFROM missing_orders", "--format", "csv", "--output", "orders.csv");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("missing_orders", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("line 2", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_cli.Root, "*orders*"));
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        var outcome = await _cli.RunAsync("--verbose", "sql", "SELECT * FROM missing_orders");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("   at ", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warehouse_tables_lists_tables_and_views()
    {
        await _cli.RunAsync("sql", "CREATE SCHEMA staging");
        await _cli.RunAsync("sql", "CREATE TABLE staging.stg_orders AS SELECT 1 AS id");
        await _cli.RunAsync("sql", "CREATE VIEW open_orders AS SELECT 1 AS id");

        var all = await _cli.RunAsync("warehouse", "tables");
        var staging = await _cli.RunAsync("warehouse", "tables", "--schema", "staging");

        Assert.Contains("│ staging │ stg_orders  │ table │", all.Out, StringComparison.Ordinal);
        Assert.Contains("│ main    │ open_orders │ view  │", all.Out, StringComparison.Ordinal);
        Assert.Contains("1 relation", staging.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("open_orders", staging.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sql_runs_against_a_postgres_warehouse_chosen_by_environment()
    {
        _cli.Environment["MILLWRIGHT__WAREHOUSE__PROVIDER"] = "postgres";
        _cli.Environment["MILLWRIGHT__WAREHOUSE__CONNECTION"] = TestPostgres.ConnectionString;

        var outcome = await _cli.RunAsync("sql", "SELECT current_setting('server_version_num')::int / 10000 AS major", "--format", "csv");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("major\n15\n", outcome.Out);
    }

    [Fact]
    public async Task An_unreachable_server_is_one_line_naming_it_without_the_password()
    {
        var port = TestPorts.Unused();
        _cli.Environment["PGPASS_FOR_TEST"] = "do-not-print";
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"),
            $"warehouse:\n  provider: postgres\n  connection: Host=127.0.0.1;Port={port};Username=mw;Password=${{PGPASS_FOR_TEST}};Database=w\n");

        var outcome = await _cli.RunAsync("warehouse", "tables");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains($"127.0.0.1:{port}", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-print", outcome.Error + outcome.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_one_line_naming_the_setting()
    {
        var outcome = await _cli.RunAsync("--set", "warehouse.provider=postgres", "--set", "warehouse.connection=Host=x;Password", "sql", "SELECT 1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("warehouse.connection (from the command line, warehouse.connection): malformed connection string", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_on_a_port_in_use_fails_with_one_line_naming_the_address()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var outcome = await _cli.RunAsync("up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}/", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_rejects_a_port_out_of_range_naming_it()
    {
        var outcome = await _cli.RunAsync("up", "--port", "70000");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Single(outcome.ErrorLines);
        Assert.Contains("web.port must be a port number from 0 (any free port) to 65535, not '70000'", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_show_masks_secrets()
    {
        _cli.Environment["MILLWRIGHT__OPERATIONS__PROVIDER"] = "postgres";
        _cli.Environment["MILLWRIGHT__OPERATIONS__CONNECTION"] = "Host=db;Username=ops;Password=hunter2";

        var outcome = await _cli.RunAsync("config", "show");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("Password=***", outcome.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", outcome.Out, StringComparison.Ordinal);
    }
}

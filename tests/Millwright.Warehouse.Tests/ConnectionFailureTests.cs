namespace Millwright.Warehouse.Tests;

public sealed class ConnectionFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_unreachable_postgres_server_is_a_connection_error_naming_the_server()
    {
        var port = TestPorts.Unused();
        await using var warehouse = Warehouses.Open(WarehouseOptions.Postgres($"Host=127.0.0.1;Port={port};Username=nobody;Password=hunter2;Database=w;Timeout=5"));

        var error = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.ExecuteAsync("SELECT 1", Ct));

        Assert.Equal(WarehouseErrorKind.Connection, error.Kind);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", warehouse.Target, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_is_rejected_before_connecting()
    {
        var error = Assert.Throws<WarehouseException>(() => Warehouses.Open(WarehouseOptions.Postgres("Host=localhost;Colour=blue")));

        Assert.Equal(WarehouseErrorKind.Connection, error.Kind);
        Assert.Contains("colour", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_duckdb_file_that_is_not_a_database_is_a_connection_error_naming_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("mw-duck-bad-").FullName;
        try
        {
            var path = Path.Combine(dir, "warehouse.duckdb");
            await File.WriteAllTextAsync(path, "this is not a DuckDB file, just text that is long enough to have a header", Ct);
            await using var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(path));

            var error = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.ExecuteAsync("SELECT 1", Ct));

            Assert.Equal(WarehouseErrorKind.Connection, error.Kind);
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

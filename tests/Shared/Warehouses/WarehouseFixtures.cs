using Millwright.Warehouse;

namespace Millwright.Testing;

/// <summary>A fresh, isolated warehouse per test: a new DuckDB file, a new PostgreSQL database or a new ClickHouse database.</summary>
public abstract class WarehouseFixture : IAsyncLifetime
{
    private IWarehouse? _warehouse;

    public IWarehouse Warehouse => _warehouse ?? throw new InvalidOperationException("not initialized");

    /// <summary>The options that opened <see cref="Warehouse"/>, so a test can open a second handle to the same store.</summary>
    public WarehouseOptions Options { get; private set; } = null!;

    protected abstract Task<WarehouseOptions> CreateAsync();

    protected abstract Task DestroyAsync();

    public async ValueTask InitializeAsync()
    {
        Options = await CreateAsync();
        _warehouse = Warehouses.Open(Options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_warehouse is not null)
        {
            await _warehouse.DisposeAsync();
        }

        await DestroyAsync();
        GC.SuppressFinalize(this);
    }
}

public sealed class DuckDbFixture : WarehouseFixture
{
    private string _dir = "";

    protected override Task<WarehouseOptions> CreateAsync()
    {
        _dir = Directory.CreateTempSubdirectory("mw-duck-").FullName;
        return Task.FromResult(WarehouseOptions.DuckDb(Path.Combine(_dir, "warehouse.duckdb")));
    }

    protected override Task DestroyAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresFixture : WarehouseFixture
{
    private string _database = "";

    protected override async Task<WarehouseOptions> CreateAsync()
    {
        _database = "mw_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = Warehouses.Open(WarehouseOptions.Postgres(TestPostgres.ConnectionString));
        await admin.ExecuteAsync($"CREATE DATABASE {_database}");
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = TestPostgres.ConnectionString };
        builder["Database"] = _database;
        return WarehouseOptions.Postgres(builder.ConnectionString);
    }

    protected override async Task DestroyAsync()
    {
        if (_database.Length == 0)
        {
            return;
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var admin = Warehouses.Open(WarehouseOptions.Postgres(TestPostgres.ConnectionString));
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }
}

public sealed class ClickHouseFixture : WarehouseFixture
{
    private string _database = "";

    protected override async Task<WarehouseOptions> CreateAsync()
    {
        _database = "mw_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = Warehouses.Open(TestClickHouse.Options);
        await admin.CreateSchemaAsync(_database);
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = TestClickHouse.ConnectionString };
        builder["Database"] = _database;
        return TestClickHouse.Options with { ConnectionString = builder.ConnectionString };
    }

    protected override async Task DestroyAsync()
    {
        if (_database.Length == 0)
        {
            return;
        }

        await using var admin = Warehouses.Open(TestClickHouse.Options);
        await admin.DropSchemaAsync(_database, cascade: true);
    }
}

using Millwright.Warehouse;

namespace Millwright.Quality.Tests;

/// <summary>A fresh warehouse per test: a new DuckDB file, or a new database on the throwaway PostgreSQL cluster.</summary>
public abstract class TestWarehouse : IAsyncLifetime
{
    private IWarehouse? _warehouse;

    public IWarehouse Warehouse => _warehouse ?? throw new InvalidOperationException("not initialized");

    protected abstract Task<WarehouseOptions> CreateAsync();

    protected abstract Task DestroyAsync();

    public async ValueTask InitializeAsync() => _warehouse = Warehouses.Open(await CreateAsync());

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

public sealed class DuckDbWarehouse : TestWarehouse
{
    private string _dir = "";

    protected override Task<WarehouseOptions> CreateAsync()
    {
        _dir = Directory.CreateTempSubdirectory("mw-dq-").FullName;
        return Task.FromResult(WarehouseOptions.DuckDb(Path.Combine(_dir, "warehouse.duckdb")));
    }

    protected override Task DestroyAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresWarehouse : TestWarehouse
{
    private string _database = "";

    protected override async Task<WarehouseOptions> CreateAsync()
    {
        _database = "mw_dq_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = Warehouses.Open(WarehouseOptions.Postgres(TestPostgres.ConnectionString));
        await admin.ExecuteAsync($"CREATE DATABASE {_database}");
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = TestPostgres.ConnectionString };
        builder["Database"] = _database;
        return WarehouseOptions.Postgres(builder.ConnectionString);
    }

    protected override async Task DestroyAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var admin = Warehouses.Open(WarehouseOptions.Postgres(TestPostgres.ConnectionString));
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }
}

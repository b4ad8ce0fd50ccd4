using Millwright.Operations.Data;
using Npgsql;

namespace Millwright.Operations.Tests;

/// <summary>Makes a fresh, migrated operational store per test: a new SQLite file, or a new PostgreSQL database.</summary>
public abstract class StoreFactory
{
    public abstract Task<TestStore> CreateAsync();
}

public sealed class TestStore(OperationsStore store, Func<Task> cleanup) : IAsyncDisposable
{
    public OperationsStore Store { get; } = store;

    /// <summary>Runs raw SQL on the store (to break invariants on purpose, or install a failing trigger).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var db = Store.CreateContext();
        await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, sql);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await cleanup();
    }
}

public sealed class SqliteStores : StoreFactory
{
    public override async Task<TestStore> CreateAsync()
    {
        var dir = Directory.CreateTempSubdirectory("mw-ops-").FullName;
        var store = OperationsStore.Sqlite(Path.Combine(dir, "operations.db"));
        await OperationsSetup.MigrateAsync(store);
        return new TestStore(store, () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
            return Task.CompletedTask;
        });
    }
}

public sealed class PostgresStores : StoreFactory
{
    public override async Task<TestStore> CreateAsync()
    {
        var database = "mw_ops_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString))
        {
            await admin.CreateCommand($"CREATE DATABASE {database}").ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = database }.ConnectionString;
        var store = OperationsStore.Postgres(connection);
        await OperationsSetup.MigrateAsync(store);
        return new TestStore(store, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)").ExecuteNonQueryAsync();
        });
    }
}

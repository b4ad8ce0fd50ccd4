using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Millwright.Operations.Data.Tests;

/// <summary>Each provider's migration set builds the whole schema and matches the model.</summary>
public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sqlite_migrations_create_every_table_and_match_the_model()
    {
        var dir = Directory.CreateTempSubdirectory("mw-mig-").FullName;
        try
        {
            await using var store = OperationsStore.Sqlite(Path.Combine(dir, "ops.db"));
            await AssertSchemaAsync(store, "SELECT name FROM sqlite_master WHERE type = 'table'");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_migrations_create_every_table_and_match_the_model()
    {
        var database = "mw_mig_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString))
        {
            await admin.CreateCommand($"CREATE DATABASE {database}").ExecuteNonQueryAsync(Ct);
        }

        try
        {
            await using var store = OperationsStore.Postgres(new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = database }.ConnectionString);
            await AssertSchemaAsync(store, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)").ExecuteNonQueryAsync(Ct);
        }
    }

    private static async Task AssertSchemaAsync(OperationsStore store, string listTables)
    {
        Assert.NotEmpty(await store.PendingMigrationsAsync(Ct));
        await store.MigrateAsync(Ct);

        await using var db = store.CreateContext();
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changed since the last migration: add one with dotnet ef migrations add");
        Assert.Empty(await store.PendingMigrationsAsync(Ct));
        var tables = await db.Database.SqlQueryRaw<string>(listTables).ToListAsync(Ct);
        Assert.Superset(OperationsDbContext.TableNames.ToHashSet(), tables.ToHashSet());
        Assert.True(OperationsDbContext.TableNames.Count >= 30, $"{OperationsDbContext.TableNames.Count} tables");
        await using (var context = store.CreateContext())
        {
            Assert.Equal($"schema current ({context.Database.GetMigrations().Count()} migrations)", await store.CheckAsync(Ct));
        }

    }
}

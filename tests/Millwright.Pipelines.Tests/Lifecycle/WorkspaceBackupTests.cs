using Millwright.Pipelines.Lifecycle;
using Millwright.Warehouse;
using Millwright.Workspace;
using Npgsql;

namespace Millwright.Pipelines.Tests.Lifecycle;

/// <summary>Backups of every store kind: SQLite and DuckDB files, and PostgreSQL databases through pg_dump.</summary>
public sealed class WorkspaceBackupTests : IDisposable
{
    private static readonly string[] Stores = ["ops", "wh", "orch"];

    private readonly string _root = Directory.CreateTempSubdirectory("mw-backup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static MillwrightSettings Settings(string name, StoreSettings operations, WarehouseSettings warehouse, StoreSettings orchestration, string backups, int keep = 7) =>
        new(name, new WebSettings("127.0.0.1", 5000), operations, warehouse, new OrchestrationSettings(orchestration, 4, 30)) { Backup = new BackupSettings(backups, null, keep) };

    [Fact]
    public async Task Only_the_newest_backups_are_kept_and_the_latest_is_found()
    {
        var settings = Settings("w", new StoreSettings(StoreProvider.Sqlite, Path.Combine(_root, "ops.db"), null), new WarehouseSettings(WarehouseEngine.DuckDb, Path.Combine(_root, "w.duckdb"), null),
            new StoreSettings(StoreProvider.Sqlite, Path.Combine(_root, "orch.db"), null), Path.Combine(_root, "backups"), keep: 2);
        await using var warehouse = Warehouses.Open(WarehouseOptions.DuckDb(settings.Warehouse.Path!));
        await warehouse.ExecuteAsync("create table t as select 1 as x", Ct);
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero));
        var backup = new WorkspaceBackup(settings, warehouse, clock);

        foreach (var _ in Enumerable.Range(0, 3))
        {
            await backup.BackupAsync(cancellationToken: Ct);
            clock.Advance(TimeSpan.FromDays(1));
        }

        Assert.Equal(["millwright-20261208-030000", "millwright-20261209-030000"], Directory.GetDirectories(settings.Backup.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(new DateTime(2026, 12, 9, 3, 0, 0), (await WorkspaceBackup.LatestAsync(settings.Backup.Directory, Ct))!.CreatedAt);
    }

    [Fact]
    public async Task Postgres_stores_and_warehouse_are_dumped_and_restored_into_empty_databases()
    {
        var source = await DatabaseAsync("src");
        var target = await DatabaseAsync("dst");
        await using (var connection = new NpgsqlConnection(source.Ops))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand("create table service_orders (id int primary key, status text); insert into service_orders values (1, 'OPEN'), (2, 'CLOSED')", connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var settings = Settings("pg", new StoreSettings(StoreProvider.Postgres, null, source.Ops), new WarehouseSettings(WarehouseEngine.Postgres, null, source.Warehouse),
            new StoreSettings(StoreProvider.Postgres, null, source.Orchestration), Path.Combine(_root, "backups"));
        await using var warehouse = Warehouses.Open(WarehouseOptions.Postgres(source.Warehouse));
        await warehouse.CreateSchemaAsync("marts", Ct);
        await warehouse.ExecuteAsync("create table marts.kpi as select 7 as value", Ct);

        var result = await new WorkspaceBackup(settings, warehouse).BackupAsync(cancellationToken: Ct);

        Assert.Equal(["operations.dump", "orchestration.dump", "warehouse/warehouse.dump"], result.Manifest.Files.Select(f => f.Path));
        var restoredSettings = Settings("pg2", new StoreSettings(StoreProvider.Postgres, null, target.Ops), new WarehouseSettings(WarehouseEngine.Postgres, null, target.Warehouse),
            new StoreSettings(StoreProvider.Postgres, null, target.Orchestration), Path.Combine(_root, "backups"));
        await using var restoredWarehouse = Warehouses.Open(WarehouseOptions.Postgres(target.Warehouse));
        await new WorkspaceBackup(restoredSettings, restoredWarehouse).RestoreAsync(result.Folder, Ct);

        Assert.Equal(7, Convert.ToInt32(await restoredWarehouse.QueryScalarAsync("select value from marts.kpi", Ct), System.Globalization.CultureInfo.InvariantCulture));
        await using var restored = new NpgsqlConnection(target.Ops);
        await restored.OpenAsync(Ct);
        await using var count = new NpgsqlCommand("select count(*) from service_orders", restored);
        Assert.Equal(2L, await count.ExecuteScalarAsync(Ct));

        var twice = await Assert.ThrowsAsync<WarehouseException>(() => new WorkspaceBackup(restoredSettings, restoredWarehouse).RestoreAsync(result.Folder, Ct));
        Assert.Contains("already holds", twice.Message, StringComparison.Ordinal);
    }

    private static async Task<(string Ops, string Warehouse, string Orchestration)> DatabaseAsync(string prefix)
    {
        var names = Stores.Select(n => $"mw_{prefix}_{n}_{Guid.NewGuid():N}"[..30]).ToArray();
        await using var admin = new NpgsqlConnection(TestPostgres.ConnectionString);
        await admin.OpenAsync(Ct);
        foreach (var name in names)
        {
            await using var create = new NpgsqlCommand($"create database {name}", admin);
            await create.ExecuteNonQueryAsync(Ct);
        }

        string Of(string database) => new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = database }.ToString();
        return (Of(names[0]), Of(names[1]), Of(names[2]));
    }
}

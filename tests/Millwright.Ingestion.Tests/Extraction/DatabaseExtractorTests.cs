using Microsoft.Data.Sqlite;
using Millwright.Ingestion.Extraction;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests.Extraction;

/// <summary>A SQLite operational database shaped like Millwright's (tables with ids, a change feed) extracted into a warehouse.</summary>
public abstract class DatabaseExtractorTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-extract-").FullName;
    private SqliteConnection _source = null!;

    protected IWarehouse Warehouse { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SourcePath => Path.Combine(_root, "operations.db");

    protected abstract IWarehouse OpenWarehouse(string root);

    protected virtual Task CleanAsync() => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        Warehouse = OpenWarehouse(_root);
        _source = new SqliteConnection($"Data Source={SourcePath}");
        await _source.OpenAsync(Ct);
        await ExecAsync("""
            CREATE TABLE vehicles (id INTEGER PRIMARY KEY, vin TEXT NOT NULL, model TEXT, odometer_km REAL, version INTEGER NOT NULL);
            CREATE TABLE parts (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, on_hand INTEGER NOT NULL);
            CREATE TABLE change_feed (id INTEGER PRIMARY KEY AUTOINCREMENT, occurred_at TEXT NOT NULL, "table" TEXT NOT NULL, entity_id INTEGER NOT NULL, operation TEXT NOT NULL);
            CREATE TABLE __EFMigrationsHistory (MigrationId TEXT);
            """);
        for (var i = 1; i <= 50; i++)
        {
            await ChangeAsync($"INSERT INTO vehicles VALUES ({i}, 'VIN{i:D5}', 'EV-{i % 3}', {i * 100.5}, 1)", "vehicles", i, "INSERT");
        }

        await ChangeAsync("INSERT INTO parts VALUES (1, 'BRK-PAD', 10)", "parts", 1, "INSERT");
    }

    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync();
        SqliteConnection.ClearAllPools();
        await CleanAsync();
        await Warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        GC.SuppressFinalize(this);
    }

    private async Task ExecAsync(string sql)
    {
        await using var command = _source.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>One write with its change-feed row, as the operational store writes them.</summary>
    private Task ChangeAsync(string sql, string table, long id, string operation) =>
        ExecAsync($"{sql}; INSERT INTO change_feed (occurred_at, \"table\", entity_id, operation) VALUES ('2026-01-01', '{table}', {id}, '{operation}');");

    private Task<IReadOnlyList<TableExtraction>> ExtractAsync(bool full = false, IReadOnlyDictionary<string, LogicalType>? types = null) =>
        new DatabaseExtractor(Warehouse).ExtractAsync(new ExtractionOptions(SourceDatabase.Sqlite, SourcePath) { FullRefresh = full, TargetSchema = Schema, ColumnTypes = types ?? new Dictionary<string, LogicalType>() }, cancellationToken: Ct);

    protected virtual string Schema => "raw";

    private async Task<string> ScalarAsync(string sql) => Convert.ToString(await Warehouse.QueryScalarAsync(sql, Ct), System.Globalization.CultureInfo.InvariantCulture)!;

    [Fact]
    public async Task The_first_run_copies_every_table_and_later_runs_carry_only_the_changes_and_deletes()
    {
        var first = await ExtractAsync();
        Assert.Equal(["parts", "vehicles"], first.Select(t => t.Table));
        Assert.All(first, t => Assert.Equal("full", t.Mode));
        Assert.Equal("50", await ScalarAsync($"SELECT count(*) FROM {Schema}.vehicles"));

        await ChangeAsync("UPDATE vehicles SET odometer_km = 9999, version = 2 WHERE id = 7", "vehicles", 7, "UPDATE");
        await ChangeAsync("INSERT INTO vehicles VALUES (51, 'VIN00051', 'EV-0', 1.5, 1)", "vehicles", 51, "INSERT");
        await ChangeAsync("DELETE FROM vehicles WHERE id = 3", "vehicles", 3, "DELETE");

        var second = await ExtractAsync();
        var vehicles = second.Single(t => t.Table == "vehicles");
        Assert.Equal(("change_feed", 2L, 1L), (vehicles.Mode, vehicles.RowsWritten, vehicles.RowsDeleted));
        Assert.Equal(0L, second.Single(t => t.Table == "parts").RowsWritten);
        Assert.Equal("50", await ScalarAsync($"SELECT count(*) FROM {Schema}.vehicles"));
        Assert.Equal("9999", await ScalarAsync($"SELECT odometer_km FROM {Schema}.vehicles WHERE id = 7"));
        Assert.Equal("0", await ScalarAsync($"SELECT count(*) FROM {Schema}.vehicles WHERE id = 3"));
        Assert.Equal("0", (await ExtractAsync()).Sum(t => t.RowsWritten).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(await Warehouse.GetRelationAsync(RelationName.Of(Schema, "change_feed"), Ct));
    }

    [Fact]
    public async Task Columns_sqlite_keeps_as_text_land_typed_when_their_types_are_named_and_a_retyped_table_is_copied_whole_once()
    {
        await ExecAsync("""
            CREATE TABLE orders (id INTEGER PRIMARY KEY, opened_at TEXT NOT NULL, cost TEXT NOT NULL, urgent INTEGER NOT NULL, status TEXT NOT NULL);
            INSERT INTO orders VALUES (1, '2026-03-01 08:15:00', '120.50', 1, 'OPEN'), (2, '2026-03-02 17:40:12.1234567', '99.99', 0, 'CLOSED');
            """);
        await ExtractAsync();
        Assert.Equal("1", await ScalarAsync($"SELECT count(*) FROM {Schema}.orders WHERE opened_at = '2026-03-01 08:15:00'"));

        var types = new Dictionary<string, LogicalType> { ["orders.opened_at"] = LogicalType.Timestamp, ["orders.cost"] = LogicalType.Decimal, ["orders.urgent"] = LogicalType.Boolean };
        var retyped = (await ExtractAsync(types: types)).Single(t => t.Table == "orders");
        var columns = (await Warehouse.GetColumnsAsync(RelationName.Of(Schema, "orders"), Ct)).ToDictionary(c => c.Name, c => c.Type);

        Assert.Equal("full", retyped.Mode);
        // A boolean lands as the engine keeps booleans (ClickHouse 18.16: UInt8, read as a small integer).
        var boolean = Warehouse.Dialect.ParseType(Warehouse.Dialect.TypeName(LogicalType.Boolean));
        Assert.Equal((LogicalType.Timestamp, LogicalType.Decimal, boolean, LogicalType.Text), (columns["opened_at"], columns["cost"], columns["urgent"], columns["status"]));
        Assert.Equal("1", await ScalarAsync($"SELECT count(*) FROM {Schema}.orders WHERE opened_at > {Warehouse.Dialect.Literal(new DateTime(2026, 3, 2))} AND cost < 100 AND NOT urgent"));
        Assert.Equal(220.49m, Convert.ToDecimal(await Warehouse.QueryScalarAsync($"SELECT sum(cost) FROM {Schema}.orders", Ct), System.Globalization.CultureInfo.InvariantCulture));

        var again = (await ExtractAsync(types: types)).Single(t => t.Table == "orders");
        Assert.NotEqual("full", again.Mode);
        Assert.Equal(0L, again.RowsWritten);
    }

    [Fact]
    public async Task A_new_column_is_added_and_a_dropped_column_stops_with_both_schemas()
    {
        await ExtractAsync();
        await ExecAsync("ALTER TABLE vehicles ADD COLUMN battery_kwh REAL");
        await ChangeAsync("UPDATE vehicles SET battery_kwh = 75.5 WHERE id = 2", "vehicles", 2, "UPDATE");

        var added = (await ExtractAsync()).Single(t => t.Table == "vehicles");
        Assert.Equal(["battery_kwh"], added.AddedColumns);
        Assert.Equal("75.5", await ScalarAsync($"SELECT battery_kwh FROM {Schema}.vehicles WHERE id = 2"));

        await ExecAsync("ALTER TABLE vehicles DROP COLUMN model");
        var e = await Assert.ThrowsAsync<IngestionException>(() => ExtractAsync());
        Assert.Contains("table vehicles changed in a way extraction cannot follow: column model (TEXT) was dropped", e.Message, StringComparison.Ordinal);
        Assert.Contains("Source schema: id INTEGER, vin TEXT, odometer_km REAL, version INTEGER, battery_kwh REAL", e.Message, StringComparison.Ordinal);
        Assert.Contains("Raw schema (as last extracted): id INTEGER, vin TEXT, model TEXT,", e.Message, StringComparison.Ordinal);

        // A full refresh rebuilds the table in the new shape.
        await ExtractAsync(full: true);
        Assert.DoesNotContain((await Warehouse.GetColumnsAsync(RelationName.Of(Schema, "vehicles"), Ct)).Select(c => c.Name), n => n == "model");
    }
}

public sealed class SqliteToDuckDbExtractionTests : DatabaseExtractorTests
{
    protected override IWarehouse OpenWarehouse(string root) => Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(root, "warehouse.duckdb")));
}

public sealed class SqliteToPostgresExtractionTests : DatabaseExtractorTests
{
    private readonly string _schema = "raw_" + Guid.NewGuid().ToString("N")[..10];

    protected override string Schema => _schema;

    protected override IWarehouse OpenWarehouse(string root) => Warehouses.Open(WarehouseOptions.Postgres(Millwright.Testing.TestPostgres.ConnectionString));

    protected override async Task CleanAsync()
    {
        await Warehouse.ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE; DELETE FROM ingest.extract_state WHERE source = 'operations:{_schema}';", CancellationToken.None);
    }
}

/// <summary>
/// The operational store's change feed replayed into ClickHouse, as the EV seed's Dagster job does: each run carries the
/// changed and deleted rows since the last position into the raw tables.
/// </summary>
public sealed class SqliteToClickHouseExtractionTests : DatabaseExtractorTests
{
    private readonly string _schema = "raw_" + Guid.NewGuid().ToString("N")[..10];

    protected override string Schema => _schema;

    protected override IWarehouse OpenWarehouse(string root) => Warehouses.Open(Millwright.Testing.TestClickHouse.Options);

    protected override async Task CleanAsync()
    {
        await Warehouse.DropSchemaAsync(_schema, cascade: true, CancellationToken.None);
        await Warehouse.ExecuteAsync(Warehouse.Dialect.DeleteWhere(RelationName.Of("ingest", "extract_state"), $"source = 'operations:{_schema}'"), CancellationToken.None);
    }
}

public sealed class WatermarkExtractionTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-watermark-").FullName;
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SourcePath => Path.Combine(_root, "legacy.db");

    public ValueTask InitializeAsync()
    {
        _warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task ExecAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={SourcePath}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task Without_a_change_feed_rows_updated_since_the_watermark_are_extracted()
    {
        await ExecAsync("CREATE TABLE work_orders (id INTEGER PRIMARY KEY, status TEXT, updated_at TEXT NOT NULL); INSERT INTO work_orders VALUES (1, 'OPEN', '2026-01-01 08:00:00'), (2, 'OPEN', '2026-01-01 09:00:00');");
        var extractor = new DatabaseExtractor(_warehouse);
        var options = new ExtractionOptions(SourceDatabase.Sqlite, SourcePath) { SourceName = "legacy" };
        Assert.Equal("full", (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single().Mode);

        await ExecAsync("UPDATE work_orders SET status = 'CLOSED', updated_at = '2026-01-02 10:00:00' WHERE id = 2; INSERT INTO work_orders VALUES (3, 'OPEN', '2026-01-02 11:00:00');");
        var second = (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single();
        Assert.Equal(("watermark", 2L), (second.Mode, second.RowsWritten));
        Assert.Equal("CLOSED", await _warehouse.QueryScalarAsync("SELECT status FROM raw.work_orders WHERE id = 2", Ct));
        Assert.Equal(3L, await _warehouse.QueryScalarAsync("SELECT count(*) FROM raw.work_orders", Ct));
        Assert.Equal(0L, (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single().RowsWritten);
    }
}

public sealed class PostgresSourceExtractionTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-pg-source-").FullName;
    private readonly string _schema = "ops_" + Guid.NewGuid().ToString("N")[..10];
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Source => new Npgsql.NpgsqlConnectionStringBuilder(Millwright.Testing.TestPostgres.ConnectionString) { SearchPath = _schema }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        _warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")));
        await ExecAsync($"""
            CREATE SCHEMA {_schema};
            CREATE TABLE {_schema}.work_orders (id bigint PRIMARY KEY, status text NOT NULL, cost numeric(10, 2), opened_at timestamptz NOT NULL, urgent boolean NOT NULL);
            CREATE TABLE {_schema}.change_feed (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, "table" text NOT NULL, entity_id bigint NOT NULL, operation text NOT NULL);
            INSERT INTO {_schema}.work_orders VALUES (1, 'OPEN', 10.50, '2026-01-01 08:00+00', false), (2, 'OPEN', 99.99, '2026-01-01 09:00+00', true);
            INSERT INTO {_schema}.change_feed (occurred_at, "table", entity_id, operation) VALUES (now(), 'work_orders', 1, 'INSERT'), (now(), 'work_orders', 2, 'INSERT');
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await ExecAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static async Task ExecAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Millwright.Testing.TestPostgres.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task A_postgresql_source_keeps_its_types_and_its_changes_and_deletes_follow()
    {
        var extractor = new DatabaseExtractor(_warehouse);
        var options = new ExtractionOptions(SourceDatabase.Postgres, Source);
        Assert.Equal("full", (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single().Mode);
        var types = (await _warehouse.GetColumnsAsync(RelationName.Of("raw", "work_orders"), Ct)).ToDictionary(c => c.Name, c => c.Type);
        Assert.Equal((LogicalType.Int64, LogicalType.Decimal, LogicalType.TimestampTz, LogicalType.Boolean), (types["id"], types["cost"], types["opened_at"], types["urgent"]));

        await ExecAsync($"""
            UPDATE {_schema}.work_orders SET status = 'CLOSED', cost = 12.00 WHERE id = 1;
            DELETE FROM {_schema}.work_orders WHERE id = 2;
            INSERT INTO {_schema}.work_orders VALUES (3, 'OPEN', 5, '2026-01-02 10:00+00', false);
            INSERT INTO {_schema}.change_feed (occurred_at, "table", entity_id, operation) VALUES (now(), 'work_orders', 1, 'UPDATE'), (now(), 'work_orders', 2, 'DELETE'), (now(), 'work_orders', 3, 'INSERT');
            """);
        var second = (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single();
        Assert.Equal(("change_feed", 2L, 1L), (second.Mode, second.RowsWritten, second.RowsDeleted));
        Assert.Equal("1:CLOSED:12.00,3:OPEN:5.00", Convert.ToString(await _warehouse.QueryScalarAsync("SELECT string_agg(id || ':' || status || ':' || printf('%.2f', cost), ',' ORDER BY id) FROM raw.work_orders", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_burst_of_changes_to_most_of_a_table_is_carried_whole_with_its_deletes()
    {
        var extractor = new DatabaseExtractor(_warehouse);
        var options = new ExtractionOptions(SourceDatabase.Postgres, Source);
        await ExecAsync($"""
            INSERT INTO {_schema}.work_orders SELECT i, 'OPEN', i, '2026-01-03 00:00+00', false FROM generate_series(3, 8002) i;
            INSERT INTO {_schema}.change_feed (occurred_at, "table", entity_id, operation) SELECT now(), 'work_orders', i, 'INSERT' FROM generate_series(3, 8002) i;
            """);
        await extractor.ExtractAsync(options, cancellationToken: Ct);

        // 7,000 of 8,002 rows change and 500 go: enough for the hash-join plan on a table whose statistics are stale.
        await ExecAsync($"""
            UPDATE {_schema}.work_orders SET status = 'DONE' WHERE id <= 7000;
            INSERT INTO {_schema}.change_feed (occurred_at, "table", entity_id, operation) SELECT now(), 'work_orders', i, 'UPDATE' FROM generate_series(1, 7000) i;
            DELETE FROM {_schema}.work_orders WHERE id > 7502;
            INSERT INTO {_schema}.change_feed (occurred_at, "table", entity_id, operation) SELECT now(), 'work_orders', i, 'DELETE' FROM generate_series(7503, 8002) i;
            """);
        var second = (await extractor.ExtractAsync(options, cancellationToken: Ct)).Single();

        Assert.Equal(("change_feed", 7000L, 500L), (second.Mode, second.RowsWritten, second.RowsDeleted));
        Assert.Equal("7502:7000:0", Convert.ToString(await _warehouse.QueryScalarAsync(
            "SELECT count(*) || ':' || count(*) FILTER (WHERE status = 'DONE') || ':' || count(*) FILTER (WHERE id > 7502) FROM raw.work_orders", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }
}

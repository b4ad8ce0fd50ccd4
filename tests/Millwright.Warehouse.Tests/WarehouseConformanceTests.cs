using System.Data;

namespace Millwright.Warehouse.Tests;

/// <summary>
/// What every warehouse adapter must do, run against each real engine (DuckDB file, PostgreSQL 15 cluster, ClickHouse
/// server). Where an engine's SQL differs (ClickHouse wants an ENGINE on each table and spells types its own way) the
/// statement is chosen by engine; where an engine lacks a feature (ClickHouse: transactions, unique keys) the test
/// says so as a skip, never as a pass.
/// </summary>
public abstract class WarehouseConformanceTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : WarehouseFixture
{
    protected IWarehouse Warehouse => fixture.Warehouse;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string NewSchema() => "s_" + Guid.NewGuid().ToString("N")[..10];

    private bool ClickHouse => fixture.Options.Engine == WarehouseEngine.ClickHouse;

    /// <summary>What a table needs after its columns on this engine: ClickHouse, an engine.</summary>
    private string TableOptions => ClickHouse ? " ENGINE = MergeTree ORDER BY tuple()" : "";

    /// <summary>A boolean as this engine keeps it: ClickHouse 18.16 has no boolean type and keeps 0 and 1 in UInt8.</summary>
    private object Flag(bool value) => ClickHouse ? (short)(value ? 1 : 0) : value;

    private LogicalType FlagType => Warehouse.Dialect.ParseType(Warehouse.Dialect.TypeName(LogicalType.Boolean));

    private void RequireTransactions()
    {
        if (!fixture.Options.Engine.Capabilities().Transactions)
        {
            Assert.Skip($"{fixture.Options.Engine.DisplayName()} has no transactions and no unique keys");
        }
    }

    private static DataTable Telemetry(params (int Vehicle, string? Name, double Soc, bool Fault, DateTime At)[] rows)
    {
        var table = new DataTable();
        table.Columns.Add("vehicle_id", typeof(int));
        table.Columns.Add("name", typeof(string));
        table.Columns.Add("battery_soc", typeof(double));
        table.Columns.Add("fault", typeof(bool));
        table.Columns.Add("ts", typeof(DateTime));
        foreach (var r in rows)
        {
            table.Rows.Add(r.Vehicle, (object?)r.Name ?? DBNull.Value, r.Soc, r.Fault, r.At);
        }

        return table;
    }

    [Fact]
    public async Task Query_streams_typed_values_and_nulls()
    {
        await using var result = await Warehouse.QueryAsync(ClickHouse
            ? "SELECT CAST(42 AS Int32) AS i, CAST(7 AS Int64) AS b, 'text' AS t, CAST(1.5 AS Float64) AS d, " +
              "CAST(1 AS UInt8) AS flag, toDate('2026-03-01') AS day, toDateTime('2026-03-01 12:30:00', 'UTC') AS at, CAST(NULL AS Nullable(Int32)) AS missing"
            : "SELECT CAST(42 AS INTEGER) AS i, CAST(7 AS BIGINT) AS b, 'text' AS t, CAST(1.5 AS DOUBLE PRECISION) AS d, " +
              "TRUE AS flag, DATE '2026-03-01' AS day, TIMESTAMP '2026-03-01 12:30:00' AS at, CAST(NULL AS INTEGER) AS missing", Ct);

        Assert.Equal(["i", "b", "t", "d", "flag", "day", "at", "missing"], result.Columns.Select(c => c.Name));
        Assert.Equal(
            [LogicalType.Int32, LogicalType.Int64, LogicalType.Text, LogicalType.Float64, FlagType, LogicalType.Date, LogicalType.Timestamp, LogicalType.Int32],
            result.Columns.Select(c => c.Type));
        Assert.True(await result.ReadAsync(Ct));
        Assert.Equal(42, result.GetValue(0));
        Assert.Equal(7L, result.GetValue(1));
        Assert.Equal("text", result.GetValue(2));
        Assert.Equal(1.5, result.GetValue(3));
        Assert.Equal(Flag(true), result.GetValue(4));
        Assert.Equal(new DateOnly(2026, 3, 1), result.GetFieldValue<DateOnly>(5));
        Assert.Equal(new DateTime(2026, 3, 1, 12, 30, 0), result.GetFieldValue<DateTime>(6));
        Assert.Null(result.GetValue(7));
        Assert.False(await result.ReadAsync(Ct));
    }

    [Fact]
    public async Task Query_streams_many_rows_in_order()
    {
        await using var result = await Warehouse.QueryAsync(ClickHouse
            ? "SELECT number + 1 AS n FROM numbers(50000) ORDER BY n"
            : "SELECT g AS n FROM generate_series(1, 50000) AS t(g) ORDER BY g", Ct);
        long expected = 1;
        await foreach (var row in result.ReadAllAsync(Ct))
        {
            Assert.Equal(expected++, Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(50001, expected);
        Assert.Equal(50000, result.RowsRead);
    }

    [Fact]
    public async Task Bulk_load_creates_the_table_from_the_source_and_keeps_types()
    {
        var schema = NewSchema();
        var at = new DateTime(2026, 1, 2, 3, 4, 5);
        using var source = Telemetry((1, "VAN-01", 0.91, false, at), (2, null, 0.15, true, at.AddMinutes(1))).CreateDataReader();

        var loaded = await Warehouse.BulkLoadAsync(RelationName.Of(schema, "telemetry"), source, cancellationToken: Ct);

        Assert.Equal(2, loaded);
        var columns = await Warehouse.GetColumnsAsync(RelationName.Of(schema, "telemetry"), Ct);
        Assert.Equal(
            [("vehicle_id", LogicalType.Int32), ("name", LogicalType.Text), ("battery_soc", LogicalType.Float64), ("fault", FlagType), ("ts", LogicalType.Timestamp)],
            columns.Select(c => (c.Name, c.Type)));
        await using var result = await Warehouse.QueryAsync($"SELECT vehicle_id, name, battery_soc, fault, ts FROM {schema}.telemetry ORDER BY vehicle_id", Ct);
        var rows = await result.ReadAllAsync(Ct).ToListAsync(Ct);
        Assert.Equal([1, "VAN-01", 0.91, Flag(false), at], rows[0]);
        Assert.Equal([2, null, 0.15, Flag(true), at.AddMinutes(1)], rows[1]);
    }

    [Fact]
    public async Task Bulk_load_converts_text_into_typed_columns_and_appends()
    {
        var schema = NewSchema();
        var target = RelationName.Of(schema, "readings");
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.readings (id BIGINT, value DECIMAL(10, 2), day DATE, note VARCHAR){TableOptions}", Ct);
        var text = new DataTable();
        text.Columns.Add("ID", typeof(string));
        text.Columns.Add("value", typeof(string));
        text.Columns.Add("day", typeof(string));
        text.Rows.Add("10", "12.50", "2026-02-28");
        text.Rows.Add("11", "-3", "2026-03-01");

        Assert.Equal(2, await Warehouse.BulkLoadAsync(target, text.CreateDataReader(), cancellationToken: Ct));
        Assert.Equal(2, await Warehouse.BulkLoadAsync(target, text.CreateDataReader(), cancellationToken: Ct));

        Assert.Equal(4L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.readings", Ct), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(19.0m, Convert.ToDecimal(await Warehouse.QueryScalarAsync($"SELECT sum(value) FROM {schema}.readings", Ct), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new DateOnly(2026, 3, 1), await Warehouse.QueryScalarAsync($"SELECT max(day) FROM {schema}.readings", Ct) switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            var other => throw new InvalidOperationException($"unexpected {other}"),
        });
    }

    [Fact]
    public async Task Bulk_load_turns_true_and_false_text_into_the_engines_booleans()
    {
        var target = RelationName.Of(NewSchema(), "flags");
        await Warehouse.CreateSchemaAsync(target.Schema!, Ct);
        await Warehouse.ExecuteAsync(Warehouse.Dialect.CreateTable(target, [new("code", LogicalType.Text), new("counts_as_good", LogicalType.Boolean)]), Ct);
        var text = new DataTable();
        text.Columns.Add("code", typeof(string));
        text.Columns.Add("counts_as_good", typeof(string));
        text.Rows.Add("SCRATCH", "false");
        text.Rows.Add("OK", "true");

        await Warehouse.BulkLoadAsync(target, text.CreateDataReader(), cancellationToken: Ct);

        await using var result = await Warehouse.QueryAsync($"SELECT code, counts_as_good FROM {Warehouse.Dialect.Render(target)} ORDER BY code", Ct);
        Assert.Equal([["OK", Flag(true)], ["SCRATCH", Flag(false)]], await result.ReadAllAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Bulk_load_with_replace_swaps_the_contents()
    {
        var schema = NewSchema();
        var target = RelationName.Of(schema, "t");
        var at = new DateTime(2026, 1, 1);
        await Warehouse.BulkLoadAsync(target, Telemetry((1, "a", 1, false, at), (2, "b", 1, false, at)).CreateDataReader(), cancellationToken: Ct);

        await Warehouse.BulkLoadAsync(target, Telemetry((3, "c", 1, false, at)).CreateDataReader(), new BulkLoadOptions { Replace = true }, Ct);

        await using var result = await Warehouse.QueryAsync($"SELECT vehicle_id FROM {schema}.t", Ct);
        Assert.Equal([3], (await result.ReadAllAsync(Ct).ToListAsync(Ct)).Select(r => Convert.ToInt32(r[0], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Bad_value_in_a_bulk_load_names_row_and_column_and_writes_nothing()
    {
        var schema = NewSchema();
        var target = RelationName.Of(schema, "counts");
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.counts (id INTEGER, qty INTEGER){TableOptions}", Ct);
        var text = new DataTable();
        text.Columns.Add("id", typeof(string));
        text.Columns.Add("qty", typeof(string));
        for (var i = 1; i <= 1000; i++)
        {
            text.Rows.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture), i == 700 ? "seven" : "1");
        }

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.BulkLoadAsync(target, text.CreateDataReader(), cancellationToken: Ct));

        Assert.Contains("row 700", error.Message, StringComparison.Ordinal);
        Assert.Contains("column qty", error.Message, StringComparison.Ordinal);
        Assert.Contains("'seven'", error.Message, StringComparison.Ordinal);
        Assert.Equal(WarehouseErrorKind.Data, error.Kind);
        Assert.Equal(0L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.counts", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task An_unmatched_row_of_a_left_join_holds_nulls_as_sql_says()
    {
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.orders (id INTEGER, customer INTEGER){TableOptions}", Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.customers (id INTEGER, name VARCHAR, visits INTEGER){TableOptions}", Ct);
        await Warehouse.ExecuteAsync($"INSERT INTO {schema}.orders VALUES (1, 10), (2, 20)", Ct);
        await Warehouse.ExecuteAsync($"INSERT INTO {schema}.customers VALUES (10, 'Ana', 3)", Ct);

        // What a model that finds orders without a customer relies on (ClickHouse fills defaults unless told not to).
        var orphans = await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.orders AS o LEFT JOIN {schema}.customers AS c ON o.customer = c.id WHERE c.name IS NULL AND c.visits IS NULL", Ct);

        Assert.Equal(1L, Convert.ToInt64(orphans, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_query_of_a_table_or_schema_that_does_not_exist_says_so_by_its_kind()
    {
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);

        var table = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.not_built", Ct));
        var otherSchema = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.QueryScalarAsync($"SELECT count(*) FROM {NewSchema()}.not_built", Ct));
        var function = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.QueryScalarAsync("SELECT no_such_function(1)", Ct));

        Assert.Equal(WarehouseErrorKind.MissingRelation, table.Kind);
        Assert.Contains("not_built", table.Message, StringComparison.Ordinal);
        // The name alone, as the engine gives it (with or without its schema), so a caller can say which table is missing.
        Assert.Matches(@"^([a-z0-9_]+\.)?not_built$", table.MissingName);
        Assert.Equal(WarehouseErrorKind.MissingRelation, otherSchema.Kind);
        Assert.NotNull(otherSchema.MissingName);
        Assert.Equal(WarehouseErrorKind.Query, function.Kind);
        Assert.Null(function.MissingName);
    }

    [Fact]
    public async Task Failed_bulk_load_into_a_new_table_leaves_no_table()
    {
        var schema = NewSchema();
        var target = RelationName.Of(schema, "fresh");
        var text = new DataTable();
        text.Columns.Add("n", typeof(string));
        text.Rows.Add("1");
        text.Rows.Add("x");

        await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.BulkLoadAsync(
            target, text.CreateDataReader(), new BulkLoadOptions { Columns = [new ColumnDefinition("n", LogicalType.Int32)] }, Ct));

        Assert.Null(await Warehouse.GetRelationAsync(target, Ct));
    }

    [Fact]
    public async Task Bulk_load_rejects_source_fields_the_target_lacks()
    {
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.narrow (vehicle_id INTEGER){TableOptions}", Ct);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.BulkLoadAsync(
            RelationName.Of(schema, "narrow"), Telemetry((1, "a", 1, false, DateTime.UnixEpoch)).CreateDataReader(), cancellationToken: Ct));

        Assert.Contains("battery_soc", error.Message, StringComparison.Ordinal);
        Assert.Contains("no column in the target", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_or_replace_swaps_atomically_and_a_failure_keeps_the_previous_relation()
    {
        var schema = NewSchema();
        var name = RelationName.Of(schema, "fleet");
        await Warehouse.CreateOrReplaceAsync(name, RelationKind.Table, "SELECT 1 AS id UNION ALL SELECT 2", Ct);
        await Warehouse.CreateOrReplaceAsync(name, RelationKind.Table, "SELECT 1 AS id, 'x' AS label", Ct);

        var error = await Assert.ThrowsAsync<WarehouseException>(() =>
            Warehouse.CreateOrReplaceAsync(name, RelationKind.Table, "SELECT id FROM no_such_table", Ct));

        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        var columns = await Warehouse.GetColumnsAsync(name, Ct);
        Assert.Equal(["id", "label"], columns.Select(c => c.Name));
        Assert.Equal(1L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.fleet", Ct), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Single(await Warehouse.ListRelationsAsync(schema, Ct));
    }

    [Fact]
    public async Task Statements_in_one_transaction_all_take_effect_or_none_does()
    {
        RequireTransactions();
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);
        var table = Warehouse.Dialect.Render(new RelationName(schema, "ledger"));
        await Warehouse.ExecuteAsync($"CREATE TABLE {table} (id INTEGER)", Ct);
        await Warehouse.ExecuteInTransactionAsync([$"INSERT INTO {table} VALUES (1)", $"INSERT INTO {table} VALUES (2)"], Ct);
        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.ExecuteInTransactionAsync([$"DELETE FROM {table}", $"INSERT INTO {table} VALUES ('not a number')"], Ct));
        Assert.Contains("not a number", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {table}", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Rows_deleted_or_updated_through_the_dialect_are_gone_or_changed_when_the_call_returns()
    {
        var dialect = Warehouse.Dialect;
        var table = RelationName.Of(NewSchema(), "stock");
        await Warehouse.CreateSchemaAsync(table.Schema!, Ct);
        await Warehouse.ExecuteAsync(dialect.CreateTable(table, [new("sku", LogicalType.Text, Nullable: false), new("qty", LogicalType.Int32), new("note", LogicalType.Text)]), Ct);
        await Warehouse.ExecuteAsync($"INSERT INTO {dialect.Render(table)} (sku, qty, note) VALUES ('a', 1, 'x'), ('b', 2, 'y'), ('c', 3, 'z')", Ct);

        await Warehouse.ExecuteAsync(dialect.DeleteWhere(table, "qty < 2"), Ct);
        await Warehouse.ExecuteAsync(dialect.UpdateWhere(table, "note = NULL", $"sku = {dialect.QuoteLiteral("c")}"), Ct);

        await using var result = await Warehouse.QueryAsync($"SELECT sku, note FROM {dialect.Render(table)} ORDER BY sku", Ct);
        Assert.Equal([["b", "y"], ["c", null]], await result.ReadAllAsync(Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Create_or_replace_can_turn_a_table_into_a_view_and_back()
    {
        var schema = NewSchema();
        var name = RelationName.Of(schema, "m");
        await Warehouse.CreateOrReplaceAsync(name, RelationKind.Table, "SELECT 1 AS id", Ct);
        await Warehouse.CreateOrReplaceAsync(name, RelationKind.View, "SELECT 2 AS id", Ct);
        Assert.Equal(RelationKind.View, (await Warehouse.GetRelationAsync(name, Ct))!.Kind);
        Assert.Equal(2, Convert.ToInt32(await Warehouse.QueryScalarAsync($"SELECT id FROM {schema}.m", Ct), System.Globalization.CultureInfo.InvariantCulture));

        await Warehouse.CreateOrReplaceAsync(name, RelationKind.Table, "SELECT 3 AS id", Ct);
        Assert.Equal(RelationKind.Table, (await Warehouse.GetRelationAsync(name, Ct))!.Kind);
        Assert.Single(await Warehouse.ListRelationsAsync(schema, Ct));
    }

    [Fact]
    public async Task Catalog_lists_schemas_relations_and_columns_and_drops_them()
    {
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync(ClickHouse
            ? $"CREATE TABLE {schema}.parts (sku String, qty Nullable(Int32), cost Nullable(Decimal(12, 2)), seen Nullable(DateTime)) ENGINE = MergeTree ORDER BY sku"
            : $"CREATE TABLE {schema}.parts (sku VARCHAR(20) NOT NULL, qty INTEGER, cost DECIMAL(12, 2), seen TIMESTAMP)", Ct);
        await Warehouse.ExecuteAsync($"CREATE VIEW {schema}.low_stock AS SELECT sku FROM {schema}.parts WHERE qty < 5", Ct);

        Assert.Contains(schema, await Warehouse.ListSchemasAsync(Ct));
        var relations = await Warehouse.ListRelationsAsync(schema, Ct);
        Assert.Equal([("low_stock", RelationKind.View), ("parts", RelationKind.Table)], relations.Select(r => (r.Name, r.Kind)));
        var columns = await Warehouse.GetColumnsAsync(RelationName.Of(schema, "parts"), Ct);
        Assert.Equal([LogicalType.Text, LogicalType.Int32, LogicalType.Decimal, LogicalType.Timestamp], columns.Select(c => c.Type));
        Assert.Equal([false, true, true, true], columns.Select(c => c.Nullable));
        Assert.Equal([1, 2, 3, 4], columns.Select(c => c.Ordinal));
        Assert.Empty(await Warehouse.GetColumnsAsync(RelationName.Of(schema, "nothing"), Ct));
        Assert.Null(await Warehouse.GetRelationAsync(RelationName.Of(schema, "nothing"), Ct));

        Assert.True(await Warehouse.DropRelationAsync(RelationName.Of(schema, "low_stock"), Ct));
        Assert.False(await Warehouse.DropRelationAsync(RelationName.Of(schema, "low_stock"), Ct));
        await Warehouse.DropSchemaAsync(schema, cascade: true, Ct);
        Assert.DoesNotContain(schema, await Warehouse.ListSchemasAsync(Ct));
    }

    [Fact]
    public async Task Quoting_round_trips_awkward_identifiers_and_literals()
    {
        var dialect = Warehouse.Dialect;
        var schema = NewSchema();
        var name = RelationName.Of(schema, "Work \"Orders\" 2026");
        await Warehouse.CreateOrReplaceAsync(name, RelationKind.Table,
            $"SELECT {dialect.QuoteLiteral("O'Brien's van")} AS {dialect.QuoteIdentifier("Mechanic Name")}, {dialect.Literal(3.25)} AS {dialect.QuoteIdentifier("select")}", Ct);

        var columns = await Warehouse.GetColumnsAsync(name, Ct);
        Assert.Equal(["Mechanic Name", "select"], columns.Select(c => c.Name));
        Assert.Equal("O'Brien's van", await Warehouse.QueryScalarAsync($"SELECT {dialect.QuoteIdentifier("Mechanic Name")} FROM {dialect.Render(name)}", Ct));
        Assert.Contains(await Warehouse.ListRelationsAsync(schema, Ct), r => r.Name == "Work \"Orders\" 2026");
    }

    [Fact]
    public async Task Sql_errors_carry_the_engine_message_and_position()
    {
        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.ExecuteAsync("SELECT 1,\n  2 FROM\n  missing_table_xyz", Ct));

        Assert.Equal(fixture.Options.Engine, error.Engine);
        Assert.Contains("missing_table_xyz", error.Message, StringComparison.Ordinal);
        if (!ClickHouse)
        {
            // ClickHouse names the missing table but not where the query names it.
            Assert.Equal(3, error.Line);
            Assert.Equal(3, error.Column);
        }

        var syntax = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.QueryAsync("SELECT 1,\n  2 FROM FROM t", Ct));
        Assert.Contains("syntax error", syntax.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, syntax.Line);
    }

    [Fact]
    public async Task A_key_already_taken_is_a_conflict_and_its_transaction_writes_nothing()
    {
        RequireTransactions();
        var schema = NewSchema();
        await Warehouse.ExecuteAsync($"CREATE SCHEMA {schema}; CREATE TABLE {schema}.claims (k VARCHAR PRIMARY KEY); INSERT INTO {schema}.claims VALUES ('a')", Ct);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.ExecuteInTransactionAsync(
            [$"INSERT INTO {schema}.claims VALUES ('b')", $"INSERT INTO {schema}.claims VALUES ('a')"], Ct));

        Assert.Equal(WarehouseErrorKind.Conflict, error.Kind);
        Assert.Equal(1L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.claims", Ct), System.Globalization.CultureInfo.InvariantCulture));
        var syntax = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.ExecuteAsync("SELEC 1", Ct));
        Assert.Equal(WarehouseErrorKind.Query, syntax.Kind);
    }

    [Fact]
    public async Task Vacuum_gives_back_the_space_of_dropped_data_and_keeps_the_rest()
    {
        var schema = NewSchema();
        var rows = fixture.Options.Engine switch
        {
            WarehouseEngine.DuckDb => "range(2000000) AS r(i)",
            WarehouseEngine.ClickHouse => "(SELECT number AS i FROM numbers(2000000))",
            _ => "generate_series(0, 1999999) AS r(i)",
        };
        var duck = fixture.Options.Engine == WarehouseEngine.DuckDb;

        // The dropped rows sit in the file before rows that stay (each written out by a checkpoint), so closing the
        // file cannot give their space back by cutting its end: only a rewrite can.
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.dropped{TableOptions} AS SELECT i, 'row number ' || CAST(i AS VARCHAR) AS label FROM {rows}", Ct);
        if (duck)
        {
            await Warehouse.ExecuteAsync("CHECKPOINT", Ct);
        }

        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.kept{TableOptions} AS SELECT 1 AS x", Ct);
        if (duck)
        {
            await Warehouse.ExecuteAsync("CHECKPOINT", Ct);
        }

        await Warehouse.ExecuteAsync($"DROP TABLE {schema}.dropped", Ct);

        var result = await Warehouse.VacuumAsync(Ct);

        // PostgreSQL's VACUUM makes the space reusable without shrinking its files; DuckDB's file shrinks.
        Assert.True(result.BytesBefore > 0 && result.BytesAfter > 0, $"{result.BytesBefore} -> {result.BytesAfter}");
        if (fixture.Options.Engine == WarehouseEngine.DuckDb)
        {
            Assert.True(result.BytesAfter < result.BytesBefore / 2, $"the file kept its size: {result.BytesBefore} -> {result.BytesAfter}");
        }

        Assert.Equal(1, Convert.ToInt32(await Warehouse.QueryScalarAsync($"SELECT x FROM {schema}.kept", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_read_only_view_answers_queries_and_refuses_writes_files_attach_and_extensions()
    {
        var schema = NewSchema();
        await Warehouse.CreateSchemaAsync(schema, Ct);
        await Warehouse.ExecuteAsync($"CREATE TABLE {schema}.parts{TableOptions} AS SELECT 1 AS id, 'pad' AS name; CREATE VIEW {schema}.named AS SELECT name FROM {schema}.parts", Ct);
        var work = Directory.CreateTempSubdirectory("mw-readonly-").FullName;
        var written = Path.Combine(work, "out.csv");
        try
        {
            await using (var view = await Warehouse.OpenReadOnlyAsync(work, Ct))
            {
                Assert.Equal("pad", await view.QueryScalarAsync($"SELECT name FROM {schema}.named", Ct));
                Assert.Contains(await view.ListRelationsAsync(schema, Ct), r => r.Name == "parts");

                var duck = fixture.Options.Engine == WarehouseEngine.DuckDb;
                string[] refused = ClickHouse
                    ?
                    [
                        $"INSERT INTO {schema}.parts VALUES (2, 'disc')",
                        $"CREATE TABLE {schema}.mine (x Int32) ENGINE = Memory",
                        $"ALTER TABLE {schema}.parts DELETE WHERE 1",
                        $"DROP TABLE {schema}.parts",
                        "SELECT * FROM file('/etc/passwd', 'TSV', 'x String')",
                        "SELECT * FROM url('http://127.0.0.1:1/', 'TSV', 'x String')",
                        "SELECT * FROM remote('127.0.0.1', system.one)",
                        "SET readonly = 0",
                        $"SELECT count() FROM {schema}.parts SETTINGS readonly = 0",
                    ]
                    :
                [
                    $"INSERT INTO {schema}.parts VALUES (2, 'disc')",
                    $"CREATE TABLE {schema}.mine (x INTEGER)",
                    $"DELETE FROM {schema}.parts",
                    $"COPY {schema}.parts TO '{written}'",
                    duck ? "SELECT * FROM read_csv('/etc/passwd')" : "SELECT pg_read_file('/etc/passwd')",
                    duck ? $"ATTACH '{Path.Combine(work, "other.duckdb")}' AS other" : "SELECT * FROM pg_ls_dir('/')",
                    duck ? "INSTALL httpfs" : "CREATE EXTENSION IF NOT EXISTS dblink",
                    duck ? "SET enable_external_access = true" : "SET ROLE postgres",
                ];
                foreach (var sql in refused)
                {
                    var error = await Assert.ThrowsAsync<WarehouseException>(() => view.ExecuteAsync(sql, Ct));
                    Assert.False(string.IsNullOrEmpty(error.Message), sql);

                    // The SQL explorer sends what a person types as a query: refused the same way.
                    await Assert.ThrowsAsync<WarehouseException>(async () =>
                    {
                        await using var result = await view.QueryAsync(sql, Ct);
                        await result.ReadAllAsync(Ct).ToListAsync(Ct);
                    });
                }

                Assert.False(File.Exists(written));
                Assert.Equal(1L, Convert.ToInt64(await view.QueryScalarAsync($"SELECT count(*) FROM {schema}.parts", Ct), System.Globalization.CultureInfo.InvariantCulture));
            }

            Assert.Equal(1L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count(*) FROM {schema}.parts", Ct), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Empty(Directory.EnumerateDirectories(work));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_long_query_stops_when_cancelled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var sql = fixture.Options.Engine switch
        {
            WarehouseEngine.DuckDb => "SELECT count(*) FROM range(100000000000) a",
            WarehouseEngine.ClickHouse => "SELECT count() FROM numbers(100000000000000)",
            _ => "SELECT pg_sleep(600)",
        };
        var running = Warehouse.QueryScalarAsync(sql, cts.Token);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(1, Convert.ToInt32(await Warehouse.QueryScalarAsync("SELECT 1", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Check_reports_the_engine_version()
    {
        var version = await Warehouse.CheckAsync(Ct);
        Assert.StartsWith(fixture.Options.Engine switch
        {
            WarehouseEngine.DuckDb => "DuckDB v",
            WarehouseEngine.ClickHouse => "ClickHouse ",
            _ => "PostgreSQL 15",
        }, version, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_handles_on_one_warehouse_see_each_others_writes()
    {
        var schema = NewSchema();
        await Warehouse.CreateOrReplaceAsync(RelationName.Of(schema, "shared"), RelationKind.Table, "SELECT 5 AS n", Ct);

        await using var other = Warehouses.Open(fixture.Options);
        Assert.Equal(5, Convert.ToInt32(await other.QueryScalarAsync($"SELECT n FROM {schema}.shared", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class DuckDbConformanceTests(DuckDbFixture fixture) : WarehouseConformanceTests<DuckDbFixture>(fixture);

public sealed class PostgresConformanceTests(PostgresFixture fixture) : WarehouseConformanceTests<PostgresFixture>(fixture);

public sealed class ClickHouseConformanceTests(ClickHouseFixture fixture) : WarehouseConformanceTests<ClickHouseFixture>(fixture);

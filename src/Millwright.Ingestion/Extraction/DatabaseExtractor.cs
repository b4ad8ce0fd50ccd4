using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Millwright.Warehouse;
using Npgsql;

namespace Millwright.Ingestion.Extraction;

public enum SourceDatabase
{
    Sqlite,
    Postgres,
}

/// <summary>Which database to extract from and how.</summary>
public sealed record ExtractionOptions(SourceDatabase Kind, string Connection)
{
    /// <summary>The name the extraction state is kept under (one per source database).</summary>
    public string SourceName { get; init; } = "operations";

    /// <summary>Copy every table whole and reset the positions.</summary>
    public bool FullRefresh { get; init; }

    /// <summary>Only these tables; all when empty.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];

    public string TargetSchema { get; init; } = "raw";

    /// <summary>Tables never extracted besides those whose name starts with "__" (migration history and locks).</summary>
    public IReadOnlyList<string> Skip { get; init; } = ["change_feed", "idempotency_keys"];

    /// <summary>Without a change feed, a table with this column is extracted by watermark (rows updated since the last run).</summary>
    public string WatermarkColumn { get; init; } = "updated_at";

    /// <summary>
    /// The raw type of a source column, keyed <c>table.column</c>, where the source's declared type says too little:
    /// SQLite keeps timestamps and decimals as TEXT and booleans as INTEGER, so the application that owns the
    /// database names them (the operational store's model does). Other columns follow the declared type.
    /// </summary>
    public IReadOnlyDictionary<string, LogicalType> ColumnTypes { get; init; } = new Dictionary<string, LogicalType>(StringComparer.Ordinal);
}

/// <summary>What one table's extraction did.</summary>
public sealed record TableExtraction(string Table, string Mode, long RowsWritten, long RowsDeleted, long? FeedPosition, IReadOnlyList<string> AddedColumns, TimeSpan Duration);

/// <summary>
/// Extracts an operational database (SQLite or PostgreSQL) into raw.* tables of the warehouse (DuckDB or
/// PostgreSQL): the first run (or a full refresh) copies each table; later runs read only the rows the change feed
/// names since the stored position, replace them and carry deletes, in one transaction per table. A new source column
/// is added to the raw table; a dropped or retyped column stops the table with both schemas shown.
/// </summary>
public sealed class DatabaseExtractor(IWarehouse target)
{
    private const string Work = "ingest_work";

    public async Task<IReadOnlyList<TableExtraction>> ExtractAsync(ExtractionOptions options, Action<TableExtraction>? onTable = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var d = target.Dialect;
        await target.ExecuteAsync(
            $"{d.CreateSchemaIfMissing("ingest")}; {d.CreateSchemaIfMissing(Work)}; {d.CreateSchemaIfMissing(options.TargetSchema)}; " +
            d.CreateTable(RelationName.Of("ingest", "extract_state"),
            [
                new("source", LogicalType.Text, false), new("table_name", LogicalType.Text, false), new("feed_position", LogicalType.Int64), new("watermark", LogicalType.Text),
                new("columns", LogicalType.Text, false), new("extracted_at", LogicalType.Timestamp, false),
            ], ifNotExists: true, primaryKey: ["source", "table_name"]),
            cancellationToken).ConfigureAwait(false);

        await using var source = await OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var tables = await TablesAsync(source, options, cancellationToken).ConfigureAwait(false);
        foreach (var wanted in options.Tables.Where(t => !tables.Contains(t)))
        {
            throw new IngestionException($"{Describe(options)}: no table {wanted}");
        }

        var hasFeed = tables.Contains("change_feed") || await HasTableAsync(source, options, "change_feed", cancellationToken).ConfigureAwait(false);
        var upper = hasFeed ? await ScalarLongAsync(source, "SELECT coalesce(max(id), 0) FROM change_feed", cancellationToken).ConfigureAwait(false) : (long?)null;
        var results = new List<TableExtraction>();
        foreach (var table in tables.Where(t => options.Tables.Count == 0 || options.Tables.Contains(t)))
        {
            var result = await ExtractTableAsync(source, options, table, upper, cancellationToken).ConfigureAwait(false);
            results.Add(result);
            onTable?.Invoke(result);
        }

        return results;
    }

    private async Task<TableExtraction> ExtractTableAsync(DbConnection source, ExtractionOptions options, string table, long? upper, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var columns = await ColumnsAsync(source, options, table, cancellationToken).ConfigureAwait(false);
        var key = StateKey(options);
        var state = await StateAsync(key, table, cancellationToken).ConfigureAwait(false);
        var raw = RelationName.Of(options.TargetSchema, table);
        var added = new List<string>();
        var hasId = columns.Any(c => c.Name == "id");
        // A table the change feed never names but that has rows (an append-only log such as audit_log) grows by id.
        var appendOnly = upper is not null && hasId
            && await ScalarLongAsync(source, $"SELECT count(*) FROM (SELECT 1 FROM change_feed WHERE {SourceSql.QuoteIdentifier("table")} = {Literal(table)} LIMIT 1) f", cancellationToken).ConfigureAwait(false) == 0;
        var byFeed = upper is not null && !appendOnly;
        var watermarkColumn = appendOnly ? "id" : options.WatermarkColumn;
        var watermarked = !byFeed && columns.Any(c => c.Name == watermarkColumn);
        // A column whose raw type changed (for example TEXT now landing as TIMESTAMP) is rebuilt by one full copy.
        var stored = state is null ? null : JsonSerializer.Deserialize<List<SourceColumn>>(state.Value.Columns) ?? [];
        var rawRetyped = stored is not null && stored.Any(s => columns.Any(c => c.Name == s.Name && c.Type == s.Type && c.Logical != s.Logical));
        var incremental = !options.FullRefresh && !rawRetyped && state is not null && hasId && (byFeed ? state.Value.Position is not null : watermarked && state.Value.Watermark is not null)
            && await target.GetRelationAsync(raw, cancellationToken).ConfigureAwait(false) is not null;
        var watermarkNow = watermarked ? await WatermarkAsync(source, options, table, watermarkColumn, cancellationToken).ConfigureAwait(false) : null;
        var statements = new List<string>();
        if (incremental)
        {
            stored ??= [];
            var dropped = stored.Where(s => columns.All(c => c.Name != s.Name)).ToList();
            var retyped = stored.Where(s => columns.Any(c => c.Name == s.Name && c.Type != s.Type)).ToList();
            if (dropped.Count > 0 || retyped.Count > 0)
            {
                throw new IngestionException(
                    $"{Describe(options)}: table {table} changed in a way extraction cannot follow: " +
                    string.Join("; ", dropped.Select(d => $"column {d.Name} ({d.Type}) was dropped").Concat(retyped.Select(r => $"column {r.Name} changed from {r.Type} to {columns.First(c => c.Name == r.Name).Type}"))) +
                    $". Source schema: {Schema(columns)}. Raw schema (as last extracted): {Schema(stored)}. Run a full refresh of {table} to rebuild it.");
            }

            foreach (var column in columns.Where(c => stored.All(s => s.Name != c.Name)))
            {
                statements.Add($"ALTER TABLE {target.Dialect.Render(raw)} ADD COLUMN {target.Dialect.QuoteIdentifier(column.Name)} {target.Dialect.ColumnType(new ColumnDefinition(column.Name, column.Logical))}");
                added.Add(column.Name);
            }
        }

        var definitions = columns.Select(c => new ColumnDefinition(c.Name, c.Logical)).ToList();
        var select = $"SELECT {string.Join(", ", columns.Select(c => SourceSql.QuoteIdentifier(c.Name)))} FROM {SourceSql.QuoteIdentifier(table)}";
        long written;
        long deleted = 0;
        string mode;
        if (!incremental)
        {
            // Loaded aside, then swapped in atomically: the raw table takes the source's current shape.
            mode = "full";
            var copy = RelationName.Of(Work, $"f_{table}_{Guid.NewGuid():N}");
            try
            {
                await using (var command = Command(source, select))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    written = await target.BulkLoadAsync(copy, reader, new BulkLoadOptions { Replace = true, Columns = definitions }, cancellationToken).ConfigureAwait(false);
                }

                await target.CreateOrReplaceAsync(raw, RelationKind.Table, $"SELECT * FROM {target.Dialect.Render(copy)}", cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await target.DropRelationAsync(copy, CancellationToken.None).ConfigureAwait(false);
            }
        }
        else
        {
            mode = byFeed ? "change_feed" : appendOnly ? "append" : "watermark";
            var from = state!.Value.Position ?? 0;
            var work = RelationName.Of(Work, $"x_{table}_{Guid.NewGuid():N}");
            var gone = RelationName.Of(Work, $"d_{table}_{Guid.NewGuid():N}");
            var changed = !byFeed
                ? appendOnly
                    ? $"{select} WHERE id > {long.Parse(state.Value.Watermark!, CultureInfo.InvariantCulture)}"
                    : $"{select} WHERE {SourceSql.QuoteIdentifier(watermarkColumn)} > {Literal(state.Value.Watermark!)}"
                : $"{select} WHERE id IN (SELECT entity_id FROM change_feed WHERE {SourceSql.QuoteIdentifier("table")} = {Literal(table)} AND id > {from} AND id <= {upper})";
            var deletes = !byFeed
                ? $"SELECT id FROM {SourceSql.QuoteIdentifier(table)} WHERE 1 = 0"
                : $"SELECT DISTINCT entity_id AS id FROM change_feed WHERE {SourceSql.QuoteIdentifier("table")} = {Literal(table)} AND id > {from} AND id <= {upper} AND operation = 'DELETE' AND entity_id NOT IN (SELECT id FROM {SourceSql.QuoteIdentifier(table)})";
            // PostgreSQL plans "id IN (feed ids)" as one index probe per changed row, from statistics that a burst of
            // changes has made stale (a million probes take seconds). When a large share of the table changed, a hash
            // semi-join over one scan is far faster: nested loops are switched off for that one query.
            var hashJoin = byFeed && options.Kind == SourceDatabase.Postgres && await ManyChangesAsync(source, table, from, upper!.Value, cancellationToken).ConfigureAwait(false);
            try
            {
                if (hashJoin)
                {
                    await ExecuteAsync(source, "SET enable_nestloop = off", cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await using var command = Command(source, changed);
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    written = await target.BulkLoadAsync(work, reader, new BulkLoadOptions { Replace = true, Columns = definitions }, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (hashJoin)
                    {
                        await ExecuteAsync(source, "RESET enable_nestloop", CancellationToken.None).ConfigureAwait(false);
                    }
                }

                await using (var command = Command(source, deletes))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    deleted = await target.BulkLoadAsync(gone, reader, new BulkLoadOptions { Replace = true, Columns = [new ColumnDefinition("id", LogicalType.Int64)] }, cancellationToken).ConfigureAwait(false);
                }

                var rawName = target.Dialect.Render(raw);
                var list = string.Join(", ", columns.Select(c => target.Dialect.QuoteIdentifier(c.Name)));
                if (!target.Engine.Capabilities().Transactions)
                {
                    // No transaction can hold the DELETE and the INSERT together (ClickHouse): the raw table is rebuilt aside
                    // from its unchanged rows and the changed ones and swapped in whole; the position moves after it, so a
                    // crash in between only applies the same changes again, which gives the same table.
                    foreach (var alter in statements)
                    {
                        await target.ExecuteAsync(alter, cancellationToken).ConfigureAwait(false);
                    }

                    await target.CreateOrReplaceAsync(raw, RelationKind.Table,
                        $"SELECT {list} FROM {rawName} WHERE id NOT IN (SELECT id FROM {target.Dialect.Render(work)}) AND id NOT IN (SELECT id FROM {target.Dialect.Render(gone)})\nUNION ALL\nSELECT {list} FROM {target.Dialect.Render(work)}",
                        cancellationToken).ConfigureAwait(false);
                    await target.ExecuteInTransactionAsync(StateSql(key, table, upper, watermarkNow ?? state.Value.Watermark, columns), cancellationToken).ConfigureAwait(false);
                    return new TableExtraction(table, mode, written, deleted, upper, added, clock.Elapsed);
                }

                statements.Add($"DELETE FROM {rawName} WHERE id IN (SELECT id FROM {target.Dialect.Render(work)}) OR id IN (SELECT id FROM {target.Dialect.Render(gone)})");
                statements.Add($"INSERT INTO {rawName} ({list}) SELECT {list} FROM {target.Dialect.Render(work)}");
                statements.AddRange(StateSql(key, table, upper, watermarkNow ?? state.Value.Watermark, columns));
                await target.ExecuteInTransactionAsync(statements, cancellationToken).ConfigureAwait(false);
                return new TableExtraction(table, mode, written, deleted, upper, added, clock.Elapsed);
            }
            finally
            {
                await target.DropRelationAsync(work, CancellationToken.None).ConfigureAwait(false);
                await target.DropRelationAsync(gone, CancellationToken.None).ConfigureAwait(false);
            }
        }

        // A full copy replaced the table in its own transaction; the position moves after it, so a crash in between
        // only makes the next run copy again.
        await target.ExecuteInTransactionAsync(StateSql(key, table, hasId ? upper : null, watermarkNow, columns), cancellationToken).ConfigureAwait(false);
        return new TableExtraction(table, mode, written, deleted, hasId ? upper : null, added, clock.Elapsed);
    }

    /// <summary>Positions are kept per source database and target schema.</summary>
    private static string StateKey(ExtractionOptions options) => $"{options.SourceName}:{options.TargetSchema}";

    /// <summary>A source column: its declared type, and the raw type it lands as (stored with the state, so a change of it is seen).</summary>
    private sealed record SourceColumn(string Name, string Type)
    {
        [System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<LogicalType>))]
        public LogicalType Logical { get; init; }
    }

    private static string Schema(IEnumerable<SourceColumn> columns) => string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"));

    /// <summary>
    /// The new position of a table: an upsert where keys hold; where they refuse nothing (ClickHouse) the old row is
    /// deleted before the new one goes in (a crash between leaves no position, and the next run copies the table whole).
    /// </summary>
    private IReadOnlyList<string> StateSql(string source, string table, long? position, string? watermark, IReadOnlyList<SourceColumn> columns)
    {
        var d = target.Dialect;
        var values = $"{d.QuoteLiteral(source)}, {d.QuoteLiteral(table)}, {(position is { } p ? p.ToString(CultureInfo.InvariantCulture) : "NULL")}, {(watermark is null ? "NULL" : d.QuoteLiteral(watermark))}, {d.QuoteLiteral(JsonSerializer.Serialize(columns))}, {d.Cast("now()", LogicalType.Timestamp)}";
        var insert = $"INSERT INTO ingest.extract_state (source, table_name, feed_position, watermark, columns, extracted_at) VALUES ({values})";
        return target.Engine.Capabilities().UniqueKeys
            ? [insert + " ON CONFLICT (source, table_name) DO UPDATE SET feed_position = excluded.feed_position, watermark = excluded.watermark, columns = excluded.columns, extracted_at = excluded.extracted_at"]
            : [d.DeleteWhere(RelationName.Of("ingest", "extract_state"), $"source = {d.QuoteLiteral(source)} AND table_name = {d.QuoteLiteral(table)}"), insert];
    }

    private async Task<(long? Position, string? Watermark, string Columns)?> StateAsync(string source, string table, CancellationToken cancellationToken)
    {
        var d = target.Dialect;
        await using var result = await target.QueryAsync($"SELECT feed_position, watermark, columns FROM ingest.extract_state WHERE source = {d.QuoteLiteral(source)} AND table_name = {d.QuoteLiteral(table)}", cancellationToken).ConfigureAwait(false);
        if (!await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return (result.GetValue(0) is { } p ? Convert.ToInt64(p, CultureInfo.InvariantCulture) : null, result.GetValue(1) as string, (string)result.GetValue(2)!);
    }

    /// <summary>The latest value of the watermark column, as text, read before the rows (so nothing updated meanwhile is skipped next time).</summary>
    private static async Task<string?> WatermarkAsync(DbConnection source, ExtractionOptions options, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = Command(source, $"SELECT CAST(max({SourceSql.QuoteIdentifier(column)}) AS TEXT) FROM {SourceSql.QuoteIdentifier(table)}");
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task<DbConnection> OpenAsync(ExtractionOptions options, CancellationToken cancellationToken)
    {
        DbConnection connection = options.Kind == SourceDatabase.Sqlite
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File.Exists(options.Connection) ? options.Connection : throw new IngestionException($"{options.Connection}: no such SQLite database"), Mode = SqliteOpenMode.ReadOnly }.ToString())
            : new NpgsqlConnection(options.Connection);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new IngestionException($"{Describe(options)}: cannot connect: {e.Message}", e);
        }

        return connection;
    }

    private static string Describe(ExtractionOptions options) =>
        options.Kind == SourceDatabase.Sqlite ? $"sqlite {options.Connection}" : $"postgres {new NpgsqlConnectionStringBuilder(options.Connection) { Password = null }.Host}/{new NpgsqlConnectionStringBuilder(options.Connection).Database}";

    private static async Task<List<string>> TablesAsync(DbConnection source, ExtractionOptions options, CancellationToken cancellationToken)
    {
        var sql = options.Kind == SourceDatabase.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name";
        var tables = new List<string>();
        await using var command = Command(source, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var name = reader.GetString(0);
            if (!options.Skip.Contains(name, StringComparer.Ordinal) && !name.StartsWith("__", StringComparison.Ordinal))
            {
                tables.Add(name);
            }
        }

        return tables;
    }

    private static async Task<bool> HasTableAsync(DbConnection source, ExtractionOptions options, string table, CancellationToken cancellationToken) =>
        await ScalarLongAsync(source, options.Kind == SourceDatabase.Sqlite
            ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = {Literal(table)}"
            : $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {Literal(table)}", cancellationToken).ConfigureAwait(false) > 0;

    private static async Task<List<SourceColumn>> ColumnsAsync(DbConnection source, ExtractionOptions options, string table, CancellationToken cancellationToken)
    {
        var sql = options.Kind == SourceDatabase.Sqlite
            ? $"SELECT name, upper(type) FROM pragma_table_info({Literal(table)}) ORDER BY cid"
            : $"SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = {Literal(table)} ORDER BY ordinal_position";
        var columns = new List<SourceColumn>();
        await using var command = Command(source, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var type = reader.GetString(1);
            var name = reader.GetString(0);
            columns.Add(new SourceColumn(name, type) { Logical = options.ColumnTypes.TryGetValue($"{table}.{name}", out var given) ? given : Logical(options.Kind, type) });
        }

        return columns;
    }

    /// <summary>The raw column type for a source column type (SQLite's declared affinity, or PostgreSQL's data_type).</summary>
    private static LogicalType Logical(SourceDatabase kind, string type)
    {
        type = type.ToLowerInvariant();
        if (kind == SourceDatabase.Sqlite)
        {
            return type switch
            {
                _ when type.Contains("int", StringComparison.Ordinal) => LogicalType.Int64,
                _ when type.Contains("real", StringComparison.Ordinal) || type.Contains("floa", StringComparison.Ordinal) || type.Contains("doub", StringComparison.Ordinal) => LogicalType.Float64,
                _ when type.Contains("blob", StringComparison.Ordinal) => LogicalType.Binary,
                _ => LogicalType.Text,
            };
        }

        return type switch
        {
            "bigint" or "integer" or "smallint" => LogicalType.Int64,
            "double precision" or "real" => LogicalType.Float64,
            "numeric" => LogicalType.Decimal,
            "boolean" => LogicalType.Boolean,
            "date" => LogicalType.Date,
            "timestamp without time zone" => LogicalType.Timestamp,
            "timestamp with time zone" => LogicalType.TimestampTz,
            "uuid" => LogicalType.Uuid,
            "bytea" => LogicalType.Binary,
            _ => LogicalType.Text,
        };
    }

    /// <summary>Whether the feed names more than 5,000 rows of the table and more than 2 % of it (by the planner's own row estimate).</summary>
    private static async Task<bool> ManyChangesAsync(DbConnection source, string table, long from, long upper, CancellationToken cancellationToken)
    {
        var changed = await ScalarLongAsync(source, $"SELECT count(*) FROM change_feed WHERE {SourceSql.QuoteIdentifier("table")} = {Literal(table)} AND id > {from} AND id <= {upper}", cancellationToken).ConfigureAwait(false);
        if (changed <= 5_000)
        {
            return false;
        }

        var estimate = await ScalarLongAsync(source, $"SELECT coalesce((SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass({Literal(SourceSql.QuoteIdentifier(table))})), 0)", cancellationToken).ConfigureAwait(false);
        return changed * 50 > estimate;
    }

    private static async Task ExecuteAsync(DbConnection source, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(source, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long> ScalarLongAsync(DbConnection source, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(source, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Table and column names come from the source's own catalog and are quoted.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.CommandTimeout = 0;
        return command;
    }

    /// <summary>Quoting for the source's SQL: standard SQL, which SQLite and PostgreSQL both read.</summary>
    private static SqlDialect SourceSql => SqlDialect.Postgres;

    private static string Q(string identifier) => SourceSql.QuoteIdentifier(identifier);

    private static string Literal(string value) => SourceSql.QuoteLiteral(value);
}

using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

namespace Millwright.Warehouse.ClickHouse;

/// <summary>
/// A ClickHouse warehouse over the HTTP interface through the official driver (ClickHouse.Driver), written for the
/// oldest release it is tested on (Debian's 18.16) and the current ones. What ClickHouse does differently, and how
/// the adapter keeps the <see cref="IWarehouse"/> promises anyway:
/// <list type="bullet">
/// <item>No transactions: a bulk load goes into a table built aside and is attached to its target in one
/// ALTER ... ATTACH/REPLACE PARTITION (or renamed into place), so a failed load writes nothing; create-or-replace
/// builds aside and renames. <see cref="ExecuteInTransactionAsync"/> cannot be atomic and says so
/// (<see cref="WarehouseCapabilities.Transactions"/> is false).</item>
/// <item>One statement per request: scripts are split at their semicolons.</item>
/// <item>Rows are read as TabSeparatedWithNamesAndTypes (18.16 lacks the driver's RowBinaryWithNamesAndTypes), and
/// 18.16 binds no query parameters: <c>$n</c> become literals quoted by the dialect.</item>
/// <item>A cancelled query is killed on the server (KILL QUERY by its id), not only abandoned.</item>
/// </list>
/// </summary>
internal sealed partial class ClickHouseWarehouse : AdoWarehouse, IWarehouse
{
    private const int BatchRows = 100_000;

    private const int UnknownTable = 60;

    private readonly ClickHouseClient _client;
    private readonly string _target;
    private readonly string _connectionString;
    private readonly bool _readOnly;

    public ClickHouseWarehouse(string connectionString, bool readOnly = false)
    {
        _readOnly = readOnly;
        ClickHouseConnectionStringBuilder builder;
        try
        {
            builder = new ClickHouseConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                throw new ArgumentException("it has no Host");
            }

            // 18.16 refuses the JSON format settings the driver sends by default; Millwright reads no JSON columns.
            builder.JsonReadMode = JsonReadMode.None;
            builder.JsonWriteMode = JsonWriteMode.None;

            // The driver asks every request for RowBinaryWithNamesAndTypes output, which 18.16 lacks and refuses even
            // for CREATE ... AS SELECT; a format every release has goes in its place.
            builder["set_default_format"] = "TabSeparatedWithNamesAndTypes";

            // An unmatched row of an outer join holds NULLs, as SQL (and every other engine here) says, not the
            // column types' defaults ('' and 0): a model that looks for orphans with IS NULL finds them. The columns
            // of the outer side become Nullable. A connection string that sets join_use_nulls keeps its own.
            if (!builder.ContainsKey("set_join_use_nulls"))
            {
                builder["set_join_use_nulls"] = "1";
            }
        }
        catch (ArgumentException e)
        {
            throw new WarehouseException($"malformed ClickHouse connection string: {e.Message}", e) { Engine = WarehouseEngine.ClickHouse, Kind = WarehouseErrorKind.Connection };
        }

        _target = $"clickhouse://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        _connectionString = builder.ConnectionString;
        _client = new ClickHouseClient(_connectionString);
    }

    public override WarehouseEngine Engine => WarehouseEngine.ClickHouse;

    public override SqlDialect Dialect => ClickHouseDialect.Instance;

    public override string Target => _target;

    protected override string SchemasSql => "SELECT name FROM system.databases WHERE name NOT IN ('system') ORDER BY name";

    protected override string VersionSql => "SELECT concat('ClickHouse ', version())";

    protected override Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<DbConnection>(_client.CreateConnection());

    protected override string RelationsSql(string? schema, string? name)
    {
        var filter = "";
        if (schema is not null)
        {
            filter += $" AND database = {Dialect.QuoteLiteral(schema)}";
        }

        if (name is not null)
        {
            filter += $" AND name = {Dialect.QuoteLiteral(name)}";
        }

        return $"""
            SELECT database, name, if(engine IN ('View', 'MaterializedView'), 'VIEW', 'TABLE')
            FROM system.tables
            WHERE database NOT IN ('system') AND is_temporary = 0 AND NOT startsWith(name, '.inner.'){filter}
            ORDER BY database, name
            """;
    }

    // system.columns lists a table's columns in their order (18.16 has no `position` column).
    protected override string ColumnsSql(string schema, string name) => $"""
        SELECT name, toInt32(rowNumberInAllBlocks() + 1), type, if(startsWith(type, 'Nullable('), 'YES', 'NO')
        FROM system.columns
        WHERE database = {Dialect.QuoteLiteral(schema)} AND table = {Dialect.QuoteLiteral(name)}
        """;

    /// <summary>ClickHouse 18.16 drops views with DROP TABLE too (DROP VIEW came later).</summary>
    protected override string DropSql(RelationInfo relation) => $"DROP TABLE IF EXISTS {Dialect.Render(relation.Relation)}";

    /// <summary>A ClickHouse database always goes with its tables: without <paramref name="cascade"/> a database that holds any is refused.</summary>
    public override async Task DropSchemaAsync(string schema, bool cascade, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        if (!cascade && (await ListRelationsAsync(schema, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            throw new WarehouseException($"database {schema} is not empty; drop it with cascade") { Engine = Engine, Kind = WarehouseErrorKind.Query };
        }

        await ExecuteAsync($"DROP DATABASE IF EXISTS {Dialect.QuoteIdentifier(schema)}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>ClickHouse has no transactions: the statements run in order and the first failure stops them, but those before it stay.</summary>
    public override Task ExecuteInTransactionAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statements);
        return ExecuteAsync(string.Join(";\n", statements), cancellationToken);
    }

    protected override async Task<int> RunNonQueryAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var statement in ClickHouseSql.Split(command.CommandText))
        {
            command.CommandText = statement;
            total += await KillOnCancelAsync((ClickHouseCommand)command, c => c.ExecuteNonQueryAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
            if (Mutation().Match(statement) is { Success: true } mutation)
            {
                var (database, table) = mutation.Groups["second"].Success
                    ? (mutation.Groups["first"].Value, mutation.Groups["second"].Value)
                    : (null, mutation.Groups["first"].Value);
                await AwaitMutationsAsync(command.Connection!, database, table, cancellationToken).ConfigureAwait(false);
            }
        }

        return total;
    }

    /// <summary>
    /// ALTER TABLE ... DELETE/UPDATE only starts a mutation, which rewrites parts in the background (18.16 has no
    /// mutations_sync); the statement returns when the table has no unfinished mutation left, as a DELETE does elsewhere.
    /// </summary>
    private async Task AwaitMutationsAsync(DbConnection connection, string? database, string table, CancellationToken cancellationToken)
    {
        var where = database is null ? "currentDatabase()" : Dialect.QuoteLiteral(Unquote(database));
        var pending = $"SELECT count() FROM system.mutations WHERE database = {where} AND table = {Dialect.QuoteLiteral(Unquote(table))} AND is_done = 0";
        var delay = TimeSpan.FromMilliseconds(5);
        while (Convert.ToInt64((await QueryRowsAsync(connection, pending, cancellationToken).ConfigureAwait(false))[0][0], CultureInfo.InvariantCulture) > 0)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }

        static string Unquote(string part) => part.Length > 1 && part[0] is '`' or '"'
            ? part[1..^1].Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\`", "`", StringComparison.Ordinal)
            : part;
    }

    [GeneratedRegex(@"^\s*ALTER\s+TABLE\s+(?<first>`(?:[^`\\]|\\.)*`|[\w""]+)(?:\.(?<second>`(?:[^`\\]|\\.)*`|[\w""]+))?\s+(?:DELETE|UPDATE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Mutation();

    protected override async Task<DbDataReader> RunReaderAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var parameters = command.Parameters.Cast<DbParameter>().Select(p => p.Value is DBNull ? null : p.Value).ToList();
        command.Parameters.Clear();
        var statements = ClickHouseSql.Split(ClickHouseSql.Bind(command.CommandText, parameters, Dialect));
        if (statements.Count != 1)
        {
            throw new WarehouseException($"a query must be one statement; this text holds {statements.Count}") { Engine = Engine, Kind = WarehouseErrorKind.Query };
        }

        // No FORMAT clause is added: every request asks for TabSeparatedWithNamesAndTypes as its default format (see the
        // connection string), which leaves the text as written, so an INSERT or SET sent as a query fails or runs as itself.
        command.CommandText = statements[0];
        var clickHouse = (ClickHouseCommand)command;
        var catalog = statements[0].Contains("FROM system.", StringComparison.Ordinal);
        ClickHouseRawResult raw;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                raw = await KillOnCancelAsync(clickHouse, c => c.ExecuteRawResultAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (ClickHouseServerException e) when (catalog && e.ErrorCode == UnknownTable && attempt < 10)
            {
                // Before 19.x, reading system.tables or system.columns fails when another request renames or drops a
                // table while the catalog is read ("Table db.x__new_... doesn't exist"); the catalog read is retried.
            }
        }
        try
        {
            return await ClickHouseTsvReader.OpenAsync(raw, await raw.ReadAsStreamAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <summary>Runs a request under a query id of its own, and on cancellation asks the server to kill that query.</summary>
    private async Task<T> KillOnCancelAsync<T>(ClickHouseCommand command, Func<ClickHouseCommand, Task<T>> run, CancellationToken cancellationToken)
    {
        var queryId = "millwright-" + Guid.NewGuid().ToString("N");
        command.QueryId = queryId;
        await using var kill = cancellationToken.Register(() => _ = KillAsync(queryId));
        return await run(command).ConfigureAwait(false);
    }

    private async Task KillAsync(string queryId)
    {
        try
        {
            await _client.ExecuteNonQueryAsync($"KILL QUERY WHERE query_id = {Dialect.QuoteLiteral(queryId)} ASYNC").ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClickHouseServerException or HttpRequestException or TaskCanceledException)
        {
            // The query has ended by itself, or the server is gone: nothing is left to kill.
        }
    }

    protected override WarehouseException? Translate(Exception exception, string? sql)
    {
        switch (exception)
        {
            case ClickHouseServerException server:
                return Describe(server.ErrorCode, server.Message, sql, exception);
            case ClickHouseStreamException stream:
                var code = ErrorCode().Match(stream.Message);
                return Describe(code.Success ? int.Parse(code.Groups[1].Value, CultureInfo.InvariantCulture) : 0, stream.Message, sql, exception);
            case HttpRequestException http:
                return new WarehouseException($"cannot reach ClickHouse warehouse {_target}: {http.Message}", exception)
                {
                    Engine = Engine,
                    EngineMessage = http.Message,
                    Kind = WarehouseErrorKind.Connection,
                };
            default:
                return null;
        }
    }

    private WarehouseException Describe(int code, string message, string? sql, Exception inner)
    {
        // "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist., e.what() = DB::Exception" (18.16), or
        // "Code: 60. DB::Exception: Table x does not exist. (UNKNOWN_TABLE) (version 24.3...)" (current releases).
        var text = message;
        var start = text.IndexOf("DB::Exception: ", StringComparison.Ordinal);
        if (start >= 0)
        {
            text = text[(start + "DB::Exception: ".Length)..];
        }

        var what = text.IndexOf(", e.what() = ", StringComparison.Ordinal);
        if (what >= 0)
        {
            text = text[..what];
        }

        text = text.Trim();
        int? line = null;
        int? column = null;
        var position = Position().Match(text);
        if (position.Success && sql is not null)
        {
            var offset = int.Parse(position.Groups[1].Value, CultureInfo.InvariantCulture);
            (var l, var c) = WarehouseException.LineAndColumn(sql, offset + 1);
            line = l;
            column = c;
        }

        var where = line is null ? "" : $" (line {line}, column {column})";
        return new WarehouseException($"ClickHouse {code}: {text}{where}", inner)
        {
            Engine = Engine,
            EngineMessage = text,
            SqlState = code.ToString(CultureInfo.InvariantCulture),
            Line = line,
            Column = column,
            Kind = code switch
            {
                57 or 82 => WarehouseErrorKind.Conflict, // TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS
                6 or 27 or 38 or 41 or 53 or 69 or 70 or 72 or 117 => WarehouseErrorKind.Data, // values that do not parse or fit
                209 or 210 or 516 => WarehouseErrorKind.Connection, // SOCKET_TIMEOUT, NETWORK_ERROR, AUTHENTICATION_FAILED
                60 or 81 => WarehouseErrorKind.MissingRelation, // UNKNOWN_TABLE, UNKNOWN_DATABASE
                _ => WarehouseErrorKind.Query,
            },
            // "Table marts.sales doesn't exist.", "Database marts doesn't exist" (the wording of 18.16 and of current releases).
            MissingName = code is 60 or 81 && MissingName().Match(text) is { Success: true } missing ? missing.Groups[1].Value : null,
        };
    }

    [GeneratedRegex(@"(?:Table|Database) `?([^\s`]+?)`? (?:doesn't|does not) exist")]
    private static partial Regex MissingName();

    [GeneratedRegex(@"^Code: (\d+)")]
    private static partial Regex ErrorCode();

    [GeneratedRegex(@"failed at position (\d+)")]
    private static partial Regex Position();

    public override Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default) =>
        CreateOrReplaceAsync(name, kind, selectSql, null, cancellationToken);

    /// <summary>
    /// Builds the relation aside (a table stored as <paramref name="layout"/> says: MergeTree in insertion order by default),
    /// then swaps it in with one RENAME of both names; a failing query leaves the previous relation as it was.
    /// </summary>
    public Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, TableLayout? layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(selectSql);
        var qualified = name with { Schema = name.Schema ?? Dialect.DefaultSchema };
        var staging = qualified with { Name = Dialect.WorkName(qualified.Name, "new") };
        return WithConnectionAsync(selectSql, async connection =>
        {
            await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken).ConfigureAwait(false);
            try
            {
                var create = kind == RelationKind.View
                    ? $"CREATE VIEW {Dialect.Render(staging)} AS\n{selectSql}"
                    : Dialect.CreateTableAs(staging, selectSql, layout);
                await ExecAsync(connection, create, cancellationToken).ConfigureAwait(false);
                await SwapInAsync(connection, staging, qualified, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await DropQuietlyAsync(staging).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Puts <paramref name="staging"/> in <paramref name="target"/>'s place in one RENAME and drops what was there.</summary>
    private async Task SwapInAsync(DbConnection connection, RelationName staging, RelationName target, CancellationToken cancellationToken)
    {
        var existing = await GetRelationAsync(connection, target, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            await ExecAsync(connection, $"RENAME TABLE {Dialect.Render(staging)} TO {Dialect.Render(target)}", cancellationToken).ConfigureAwait(false);
            return;
        }

        var backup = target with { Name = Dialect.WorkName(target.Name, "old") };
        await ExecAsync(connection, $"RENAME TABLE {Dialect.Render(target)} TO {Dialect.Render(backup)}, {Dialect.Render(staging)} TO {Dialect.Render(target)}", cancellationToken).ConfigureAwait(false);
        await DropQuietlyAsync(backup).ConfigureAwait(false);
    }

    /// <summary>Drops a work table whatever happened to the request that made it (also after cancellation).</summary>
    private async Task DropQuietlyAsync(RelationName work)
    {
        try
        {
            await _client.ExecuteNonQueryAsync($"DROP TABLE IF EXISTS {Dialect.Render(work)}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClickHouseServerException or HttpRequestException)
        {
            // Left behind with its work name (…__new_xxxxxxxx), which no model or load ever reads.
        }
    }

    /// <summary>
    /// Loads into a table built aside with the target's structure, in batches through the driver's RowBinary insert,
    /// then moves the rows in with one ALTER ... ATTACH PARTITION (REPLACE PARTITION for <see cref="BulkLoadOptions.Replace"/>)
    /// per partition, or renames the new table into place when the target did not exist. A bad value stops the load
    /// before anything reaches the target. A target partitioned by a key takes its partitions one ALTER at a time.
    /// </summary>
    public override Task<long> BulkLoadAsync(RelationName target, DbDataReader source, BulkLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        options ??= new BulkLoadOptions();
        var qualified = target with { Schema = target.Schema ?? Dialect.DefaultSchema };
        var staging = qualified with { Name = Dialect.WorkName(qualified.Name, "load") };
        return WithConnectionAsync(null, async connection =>
        {
            var columns = await GetColumnsAsync(connection, qualified, cancellationToken).ConfigureAwait(false);
            var exists = columns.Count > 0;
            var table = exists ? await DescribeAsync(connection, qualified, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                if (table is not null)
                {
                    // The same columns; a MergeTree target's own engine (so its parts can move over), else a local MergeTree.
                    var engine = table.IsMergeTree ? "" : " " + ClickHouseDialect.DefaultEngine;
                    await ExecAsync(connection, $"CREATE TABLE {Dialect.Render(staging)} AS {Dialect.Render(qualified)}{engine}", cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    if (!options.CreateIfMissing)
                    {
                        throw new WarehouseException($"bulk load target {qualified} does not exist") { Engine = Engine, Kind = WarehouseErrorKind.Data };
                    }

                    var definitions = options.Columns ?? Enumerable.Range(0, source.FieldCount)
                        .Select(i => new ColumnDefinition(source.GetName(i), LogicalTypes.FromClr(source.GetFieldType(i))))
                        .ToList();
                    await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken).ConfigureAwait(false);
                    await ExecAsync(connection, Dialect.CreateTable(staging, definitions), cancellationToken).ConfigureAwait(false);
                    columns = await GetColumnsAsync(connection, staging, cancellationToken).ConfigureAwait(false);
                }

                var plan = Bind(qualified, columns, source);
                var rows = await InsertAsync(plan, staging, source, options, cancellationToken).ConfigureAwait(false);
                if (table is { IsMergeTree: true })
                {
                    await MoveRowsAsync(connection, staging, qualified, table.PartitionKey, options.Replace, cancellationToken).ConfigureAwait(false);
                }
                else if (table is not null)
                {
                    await CopyRowsAsync(connection, staging, qualified, options.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await ExecAsync(connection, $"RENAME TABLE {Dialect.Render(staging)} TO {Dialect.Render(qualified)}", cancellationToken).ConfigureAwait(false);
                }

                options.Progress?.Report(rows);
                return rows;
            }
            finally
            {
                await DropQuietlyAsync(staging).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    private async Task<long> InsertAsync(LoadPlan plan, RelationName staging, DbDataReader source, BulkLoadOptions options, CancellationToken cancellationToken)
    {
        var bindings = plan.Bindings.Where(b => b.Source >= 0).ToArray();
        var insert = new InsertOptions
        {
            // The column types are known: no request to ask the server for them, and no compression 18.16 cannot read.
            ColumnTypes = bindings.ToDictionary(b => b.Column.Name, b => b.Column.EngineType, StringComparer.Ordinal),
            Compressor = null,
            BatchSize = BatchRows,
        };
        var names = bindings.Select(b => b.Column.Name).ToArray();
        var batch = new List<object[]>(Math.Min(BatchRows, 4096));
        long rows = 0;
        while (await source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            var row = new object[bindings.Length];
            for (var i = 0; i < bindings.Length; i++)
            {
                try
                {
                    row[i] = Value(source, bindings[i]);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw ConversionError(plan, bindings[i], rows, e);
                }
            }

            batch.Add(row);
            if (batch.Count == BatchRows)
            {
                await _client.InsertBinaryAsync(Dialect.Render(staging), names, batch, insert, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }

            if (rows % options.ProgressInterval == 0)
            {
                options.Progress?.Report(rows);
            }
        }

        if (batch.Count > 0)
        {
            await _client.InsertBinaryAsync(Dialect.Render(staging), names, batch, insert, cancellationToken).ConfigureAwait(false);
        }

        return rows;
    }

    /// <summary>A source value as the CLR type the driver writes for the column's ClickHouse type.</summary>
    private static object Value(DbDataReader source, ColumnBinding binding)
    {
        if (source.IsDBNull(binding.Source))
        {
            return DBNull.Value;
        }

        if (binding.Column.EngineType.Contains("UInt8", StringComparison.Ordinal))
        {
            // 18.16 keeps booleans in UInt8 (read back as Int16): true/false, as a bool or as text, become 1 and 0.
            return source.GetValue(binding.Source) switch
            {
                bool b => b ? (byte)1 : (byte)0,
                string s when bool.TryParse(s, out var b) => b ? (byte)1 : (byte)0,
                _ => checked((byte)binding.Value<short>(source)),
            };
        }

        return binding.Column.Type switch
        {
            LogicalType.Boolean => binding.Value<bool>(source),
            LogicalType.Int16 => binding.Value<short>(source),
            LogicalType.Int32 => binding.Value<int>(source),
            LogicalType.Int64 => binding.Value<long>(source),
            LogicalType.Float32 => binding.Value<float>(source),
            LogicalType.Float64 => binding.Value<double>(source),
            LogicalType.Decimal => binding.Value<decimal>(source),
            LogicalType.Date => binding.Value<DateOnly>(source).ToDateTime(TimeOnly.MinValue),
            LogicalType.Timestamp or LogicalType.TimestampTz => DateTime.SpecifyKind(binding.Value<DateTime>(source), DateTimeKind.Utc),
            LogicalType.Uuid => binding.Value<Guid>(source),
            _ => Convert.ToString(source.GetValue(binding.Source), CultureInfo.InvariantCulture) ?? "",
        };
    }

    /// <summary>A table's engine (MergeTree, ReplicatedMergeTree, Distributed, ...) and partition key.</summary>
    private sealed record TableEngine(string Engine, string PartitionKey)
    {
        public bool IsMergeTree => Engine.EndsWith("MergeTree", StringComparison.Ordinal);
    }

    private async Task<TableEngine> DescribeAsync(DbConnection connection, RelationName table, CancellationToken cancellationToken)
    {
        var row = (await QueryRowsAsync(connection, $"SELECT engine, partition_key FROM system.tables WHERE database = {Dialect.QuoteLiteral(table.Schema!)} AND name = {Dialect.QuoteLiteral(table.Name)}", cancellationToken).ConfigureAwait(false)).Single();
        return new TableEngine((string)row[0]!, (string?)row[1] ?? "");
    }

    /// <summary>
    /// Into a target whose engine keeps no parts of its own (a Distributed table over shards, a Memory or Log table):
    /// one INSERT ... SELECT from the loaded table, waiting until every shard has its rows. Nothing reaches the target
    /// before every value has converted; a shard that fails mid-insert can leave the others written.
    /// </summary>
    private async Task CopyRowsAsync(DbConnection connection, RelationName staging, RelationName target, bool replace, CancellationToken cancellationToken)
    {
        if (replace)
        {
            throw new WarehouseException($"{target} is not a MergeTree table: a load cannot replace its contents atomically; TRUNCATE its local tables on each shard first") { Engine = Engine, Kind = WarehouseErrorKind.Query };
        }

        // A request setting, not a SETTINGS clause: in INSERT ... SELECT the clause would belong to the SELECT.
        await using var command = (ClickHouseCommand)Command(connection, $"INSERT INTO {Dialect.Render(target)} SELECT * FROM {Dialect.Render(staging)}");
        command.CustomSettings["insert_distributed_sync"] = 1;
        await RunNonQueryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves every partition of <paramref name="staging"/> into <paramref name="target"/>; with <paramref name="replace"/> the target's other partitions go.</summary>
    private async Task MoveRowsAsync(DbConnection connection, RelationName staging, RelationName target, string partitionKey, bool replace, CancellationToken cancellationToken)
    {
        var verb = replace ? "REPLACE" : "ATTACH";
        if (string.IsNullOrEmpty(partitionKey))
        {
            // One partition, tuple(): one ALTER moves the whole load in (or replaces the whole table), atomically.
            await ExecAsync(connection, $"ALTER TABLE {Dialect.Render(target)} {verb} PARTITION tuple() FROM {Dialect.Render(staging)}", cancellationToken).ConfigureAwait(false);
            return;
        }

        var partitionsSql = (RelationName table) =>
            $"SELECT DISTINCT partition_id FROM system.parts WHERE active AND database = {Dialect.QuoteLiteral(table.Schema!)} AND table = {Dialect.QuoteLiteral(table.Name)}";
        var loaded = (await QueryRowsAsync(connection, partitionsSql(staging), cancellationToken).ConfigureAwait(false)).Select(r => (string)r[0]!).ToList();
        if (replace)
        {
            var old = (await QueryRowsAsync(connection, partitionsSql(target), cancellationToken).ConfigureAwait(false)).Select(r => (string)r[0]!).Except(loaded);
            foreach (var id in old)
            {
                await ExecAsync(connection, $"ALTER TABLE {Dialect.Render(target)} DROP PARTITION ID {Dialect.QuoteLiteral(id)}", cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var id in loaded)
        {
            await ExecAsync(connection, $"ALTER TABLE {Dialect.Render(target)} {verb} PARTITION ID {Dialect.QuoteLiteral(id)} FROM {Dialect.Render(staging)}", cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Backups of a ClickHouse warehouse are the server's business (BACKUP/RESTORE, clickhouse-backup); Millwright refuses, naming them.</summary>
    public override Task ExportAsync(string directory, CancellationToken cancellationToken = default) =>
        throw new WarehouseException("export of a ClickHouse warehouse is not supported by Millwright; use clickhouse-backup or BACKUP on the server") { Engine = Engine };

    public override Task ImportAsync(string directory, CancellationToken cancellationToken = default) =>
        throw new WarehouseException("import into a ClickHouse warehouse is not supported by Millwright; use clickhouse-backup or RESTORE on the server") { Engine = Engine };

    /// <summary>OPTIMIZE ... FINAL of every MergeTree table: merges parts and drops what mutations and replacements left; sizes from system.parts.</summary>
    public override async Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default)
    {
        const string size = "SELECT sum(bytes) FROM system.parts WHERE active AND database != 'system'";
        var before = Convert.ToInt64(await QueryScalarAsync(size, cancellationToken).ConfigureAwait(false) ?? 0m, CultureInfo.InvariantCulture);
        await using (var tables = await QueryAsync("SELECT database, name FROM system.tables WHERE database != 'system' AND engine LIKE '%MergeTree'", cancellationToken).ConfigureAwait(false))
        {
            var names = await tables.ReadAllAsync(cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var row in names)
            {
                await ExecuteAsync($"OPTIMIZE TABLE {Dialect.Render(RelationName.Of((string)row[0]!, (string)row[1]!))} FINAL", cancellationToken).ConfigureAwait(false);
            }
        }

        var after = Convert.ToInt64(await QueryScalarAsync(size, cancellationToken).ConfigureAwait(false) ?? 0m, CultureInfo.InvariantCulture);
        return new VacuumResult(before, after);
    }

    /// <summary>
    /// The same server with ClickHouse's <c>readonly = 1</c> on every request: reads only, no SET (so the setting cannot be
    /// lifted from the query text), no DDL, no INSERT and no table functions (no file(), url() or remote()).
    /// </summary>
    public override Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default)
    {
        if (_readOnly)
        {
            throw new WarehouseException("this warehouse is already a read-only view") { Engine = Engine };
        }

        var builder = new ClickHouseConnectionStringBuilder(_connectionString) { ["set_readonly"] = "1" };
        return Task.FromResult<IWarehouse>(new ClickHouseWarehouse(builder.ConnectionString, readOnly: true));
    }
}

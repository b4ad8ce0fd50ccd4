using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Millwright.Warehouse.DuckDb;

/// <summary>
/// The embedded warehouse: one DuckDB file. The database instance is opened at the first call and held until the
/// warehouse is disposed (each call's connection shares it), so a call costs a connection, not a reopen of the file
/// and a checkpoint at its close; the first open checkpoints what a crash left in the write-ahead log. Extensions are
/// never installed from the network.
/// </summary>
internal sealed partial class DuckDbWarehouse : AdoWarehouse
{
    private readonly string _path;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private readonly string? _snapshotFolder;
    private DuckDBConnection? _held;
    private bool _disposed;

    public DuckDbWarehouse(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path == ":memory:" ? path : Path.GetFullPath(path);
        // Set when the database instance opens: extensions are never installed from the network.
        _connectionString = $"Data Source={_path};autoinstall_known_extensions=false";
    }

    /// <summary>A snapshot opened read-only, without external access, its configuration locked; its folder goes with it.</summary>
    private DuckDbWarehouse(string snapshot, string folder)
    {
        _path = snapshot;
        _snapshotFolder = folder;
        _connectionString = $"Data Source={_path};access_mode=READ_ONLY;enable_external_access=false;autoinstall_known_extensions=false;autoload_known_extensions=false;lock_configuration=true";
    }

    public override WarehouseEngine Engine => WarehouseEngine.DuckDb;

    public override SqlDialect Dialect => DuckDbDialect.Instance;

    public override string Target => _path;

    protected override string SchemasSql =>
        "SELECT schema_name FROM information_schema.schemata WHERE catalog_name = current_database() AND schema_name NOT IN ('information_schema', 'pg_catalog') ORDER BY 1";

    protected override string VersionSql => "SELECT 'DuckDB ' || version()";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var held = _held ?? await HoldAsync(cancellationToken).ConfigureAwait(false);
        if (_path == ":memory:")
        {
            return held.Duplicate();
        }

        // Opened while the held connection keeps the instance: the driver hands out a connection to the same instance.
        var connection = new DuckDBConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private async Task<DuckDBConnection> HoldAsync(CancellationToken cancellationToken)
    {
        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_held is { } already)
            {
                return already;
            }

            if (_path != ":memory:")
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            }

            var connection = new DuckDBConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                if (_path != ":memory:")
                {
                    // A crash leaves its work in the write-ahead log and its abandoned blocks in the file: the replayed log
                    // is written back now, and blocks no table holds become free for the next writes.
                    await CheckpointAsync(connection, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (DuckDBException e)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new WarehouseException($"cannot open DuckDB warehouse {_path}: {e.Message}", e)
                {
                    Engine = Engine,
                    EngineMessage = e.Message,
                    Kind = WarehouseErrorKind.Connection,
                };
            }

            _held = connection;
            return connection;
        }
        finally
        {
            _opening.Release();
        }
    }

    protected override Task<int> RunNonQueryAsync(DbCommand command, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var registration = cancellationToken.Register(command.Cancel);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    protected override Task<DbDataReader> RunReaderAsync(DbCommand command, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var registration = cancellationToken.Register(command.Cancel);
            return command.ExecuteReader();
        }, cancellationToken);

    protected override WarehouseException? Translate(Exception exception, string? sql)
    {
        if (exception is not DuckDBException duck)
        {
            return null;
        }

        var message = duck.Message.Trim();
        int? line = null;
        int? column = null;
        var match = LinePointer().Match(message);
        if (match.Success)
        {
            line = int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture);
            var caret = match.Groups["caret"].Value.Length - match.Groups["prefix"].Value.Length + 1;
            column = caret > 0 ? caret : null;
        }

        var firstLine = message.Split('\n', 2)[0].Trim();
        var missing = MissingRelation().Match(firstLine);
        var where = line is null ? "" : column is null ? $" (line {line})" : $" (line {line}, column {column})";
        return new WarehouseException($"DuckDB: {firstLine}{where}", exception)
        {
            Engine = Engine,
            EngineMessage = message,
            Line = line,
            Column = column,
            // A name another transaction took first (DuckDB says it as a catalog error) is a conflict too, as PostgreSQL's 42P07 is.
            Kind = duck.ErrorType is DuckDB.NET.Native.DuckDBErrorType.Constraint or DuckDB.NET.Native.DuckDBErrorType.Transaction
                || (duck.ErrorType == DuckDB.NET.Native.DuckDBErrorType.Catalog && firstLine.Contains("already exists", StringComparison.Ordinal))
                ? WarehouseErrorKind.Conflict
                : missing.Success ? WarehouseErrorKind.MissingRelation : WarehouseErrorKind.Query,
            MissingName = missing.Success ? missing.Groups["name"].Value : null,
        };
    }

    protected override string RelationsSql(string? schema, string? name)
    {
        var filter = "";
        if (schema is not null)
        {
            filter += $" AND lower(table_schema) = lower({Dialect.QuoteLiteral(schema)})";
        }

        if (name is not null)
        {
            filter += $" AND lower(table_name) = lower({Dialect.QuoteLiteral(name)})";
        }

        return $"""
            SELECT table_schema, table_name, CASE WHEN table_type = 'VIEW' THEN 'VIEW' ELSE 'TABLE' END
            FROM information_schema.tables
            WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog'){filter}
            ORDER BY 1, 2
            """;
    }

    protected override string ColumnsSql(string schema, string name) => $"""
        SELECT column_name, ordinal_position, data_type, is_nullable
        FROM information_schema.columns
        WHERE table_catalog = current_database()
          AND lower(table_schema) = lower({Dialect.QuoteLiteral(schema)})
          AND lower(table_name) = lower({Dialect.QuoteLiteral(name)})
        ORDER BY ordinal_position
        """;

    public override Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(selectSql);
        var qualified = name with { Schema = name.Schema ?? Dialect.DefaultSchema };
        return WithConnectionAsync(selectSql, async connection =>
        {
            // Most often the relation is new or of the same kind: one statement replaces it, with no catalog lookup
            // (DuckDB's information_schema costs about a millisecond with a thousand relations). A relation of the other
            // kind makes DuckDB refuse, and nothing has changed: then it is dropped first.
            try
            {
                await using var quick = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken, quick).ConfigureAwait(false);
                await ExecAsync(connection, $"CREATE OR REPLACE {Keyword(kind)} {Dialect.Render(qualified)} AS\n{selectSql}", cancellationToken, quick).ConfigureAwait(false);
                await quick.CommitAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DuckDBException e) when (e.ErrorType == DuckDB.NET.Native.DuckDBErrorType.Catalog && e.Message.Contains("trying to replace with type", StringComparison.Ordinal))
            {
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken, transaction).ConfigureAwait(false);
            var existing = await GetRelationAsync(connection, qualified, cancellationToken, transaction).ConfigureAwait(false);
            if (existing is not null && existing.Kind != kind)
            {
                await ExecAsync(connection, $"DROP {Keyword(existing.Kind)} {Dialect.Render(existing.Relation)}", cancellationToken, transaction).ConfigureAwait(false);
            }

            await ExecAsync(connection, $"CREATE OR REPLACE {Keyword(kind)} {Dialect.Render(qualified)} AS\n{selectSql}", cancellationToken, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public override Task<long> BulkLoadAsync(RelationName target, DbDataReader source, BulkLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        options ??= new BulkLoadOptions();
        return WithConnectionAsync(null, async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var plan = await PlanLoadAsync(connection, transaction, target, source, options, cancellationToken).ConfigureAwait(false);
            var rows = await Task.Run(() => Append((DuckDBConnection)connection, plan, source, options, cancellationToken), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }, cancellationToken);
    }

    private long Append(DuckDBConnection connection, LoadPlan plan, DbDataReader source, BulkLoadOptions options, CancellationToken cancellationToken)
    {
        long rows = 0;
        using var appender = connection.CreateAppender(plan.Target.Schema, plan.Target.Name);
        var bindings = plan.Bindings;
        while (source.Read())
        {
            rows++;
            var row = appender.CreateRow();
            foreach (var binding in bindings)
            {
                try
                {
                    row = AppendValue(row, source, binding);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw ConversionError(plan, binding, rows, e);
                }
            }

            row.EndRow();
            if (rows % options.ProgressInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                options.Progress?.Report(rows);
            }
        }

        appender.Close();
        options.Progress?.Report(rows);
        return rows;
    }

    private static IDuckDBAppenderRow AppendValue(IDuckDBAppenderRow row, DbDataReader source, ColumnBinding binding)
    {
        var ordinal = binding.Source;
        if (ordinal < 0)
        {
            return row.AppendDefault();
        }

        if (source.IsDBNull(ordinal))
        {
            return row.AppendNullValue();
        }

        return binding.Column.Type switch
        {
            LogicalType.Boolean => row.AppendValue(binding.Value<bool>(source)),
            LogicalType.Int16 => row.AppendValue(binding.Value<short>(source)),
            LogicalType.Int32 => row.AppendValue(binding.Value<int>(source)),
            LogicalType.Int64 => row.AppendValue(binding.Value<long>(source)),
            LogicalType.Float32 => row.AppendValue(binding.Value<float>(source)),
            LogicalType.Float64 => row.AppendValue(binding.Value<double>(source)),
            LogicalType.Decimal => row.AppendValue(binding.Value<decimal>(source)),
            LogicalType.Date => row.AppendValue(binding.Value<DateOnly>(source)),
            LogicalType.Time => row.AppendValue(binding.Value<TimeOnly>(source)),
            LogicalType.Timestamp or LogicalType.TimestampTz => row.AppendValue(binding.Value<DateTime>(source)),
            LogicalType.Uuid => row.AppendValue(binding.Value<Guid>(source)),
            LogicalType.Binary => row.AppendValue(binding.Value<byte[]>(source)),
            LogicalType.Interval => row.AppendValue(binding.Value<TimeSpan>(source)),
            _ => row.AppendValue(binding.Value<string>(source)),
        };
    }

    /// <summary>
    /// Writes the log back into the file. When another warehouse of this process already holds the instance and is
    /// writing, DuckDB declines; its own automatic checkpoints then do the work, so that is not an error.
    /// </summary>
    private static async Task CheckpointAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "CHECKPOINT";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DuckDBException)
        {
        }
    }

    /// <summary>Closes the database instance (DuckDB checkpoints it) once no other warehouse of this process holds the file.</summary>
    public override async ValueTask DisposeAsync()
    {
        await _opening.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_held is { } held)
            {
                _held = null;
                await held.DisposeAsync().ConfigureAwait(false);
            }

            if (_snapshotFolder is not null && Directory.Exists(_snapshotFolder))
            {
                Directory.Delete(_snapshotFolder, recursive: true);
            }
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>
    /// Copies the live database (one consistent snapshot, while writers go on) into a file named like it, so views that
    /// name their catalog still resolve, and opens that copy read-only in an instance of its own.
    /// </summary>
    public override async Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workFolder);
        if (_snapshotFolder is not null)
        {
            throw new WarehouseException("this warehouse is already a read-only snapshot") { Engine = Engine };
        }

        var folder = Path.Combine(Path.GetFullPath(workFolder), $"snapshot-{Guid.CreateVersion7():N}");
        Directory.CreateDirectory(folder);
        var catalog = _path == ":memory:" ? "memory" : Path.GetFileNameWithoutExtension(_path);
        var snapshot = Path.Combine(folder, catalog + ".duckdb");
        try
        {
            var live = (string)(await QueryScalarAsync("SELECT current_database()", cancellationToken).ConfigureAwait(false))!;
            await WithConnectionAsync(null, async connection =>
            {
                await ExecAsync(connection, $"ATTACH {Dialect.QuoteLiteral(snapshot)} AS millwright_snapshot", cancellationToken).ConfigureAwait(false);
                try
                {
                    await ExecAsync(connection, $"COPY FROM DATABASE {Dialect.QuoteIdentifier(live)} TO millwright_snapshot", cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await ExecAsync(connection, "DETACH millwright_snapshot", CancellationToken.None).ConfigureAwait(false);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }

        return new DuckDbWarehouse(snapshot, folder);
    }

    /// <summary>
    /// DuckDB keeps a file's size after deletes and rewrites (freed blocks are reused, never given back): the database
    /// is copied into a new file (COPY FROM DATABASE writes only live data) that then replaces it. The file must not be
    /// open elsewhere: this warehouse lets its instance go first, and DuckDB refuses if another holder remains.
    /// </summary>
    public override async Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default)
    {
        if (_path == ":memory:" || _snapshotFolder is not null)
        {
            return new VacuumResult(0, 0);
        }

        await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);

            // What the warehouse takes on disk as the user sees it, measured before closing the instance (whose closing
            // checkpoint may itself give back blocks freed at the end of the file).
            static long SizeOf(string file) => File.Exists(file) ? new FileInfo(file).Length : 0;
            var before = SizeOf(_path) + SizeOf(_path + ".wal");
            if (_held is { } held)
            {
                _held = null;
                await held.DisposeAsync().ConfigureAwait(false);
            }

            var compact = _path + ".vacuum";
            File.Delete(compact);
            await using (var connection = new DuckDBConnection("Data Source=:memory:;autoinstall_known_extensions=false"))
            {
                try
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"""
                        ATTACH {Dialect.QuoteLiteral(_path)} AS live;
                        CHECKPOINT live;
                        ATTACH {Dialect.QuoteLiteral(compact)} AS compact;
                        COPY FROM DATABASE live TO compact;
                        DETACH compact;
                        DETACH live;
                        """;
                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (DuckDBException e)
                {
                    File.Delete(compact);
                    throw new WarehouseException($"cannot vacuum DuckDB warehouse {_path}: {e.Message.Split('\n')[0]} (it must not be open elsewhere: stop `millwright up` or the process that holds it)", e) { Engine = Engine, EngineMessage = e.Message };
                }
            }

            File.Move(compact, _path, overwrite: true);
            File.Delete(_path + ".wal");
            return new VacuumResult(before, new FileInfo(_path).Length);
        }
        finally
        {
            _opening.Release();
        }
    }

    /// <summary>EXPORT DATABASE reads one snapshot, so writers may go on meanwhile; tables go out as Parquet.</summary>
    public override async Task ExportAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(directory))
        {
            throw new WarehouseException($"{directory} already exists; export into a new folder") { Engine = Engine };
        }

        await ExecuteAsync($"EXPORT DATABASE {Dialect.QuoteLiteral(Path.GetFullPath(directory))} (FORMAT PARQUET)", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replays an export: its schema.sql (views last, each retried until the views it reads exist: DuckDB writes them
    /// by schema name, so a view can come before one it selects from), then its load.sql with every file read from
    /// <paramref name="directory"/>, wherever the export was written.
    /// </summary>
    public override async Task ImportAsync(string directory, CancellationToken cancellationToken = default)
    {
        await RequireEmptyAsync(cancellationToken).ConfigureAwait(false);
        var folder = Path.GetFullPath(directory);
        var schema = Statements(await File.ReadAllTextAsync(Path.Combine(folder, "schema.sql"), cancellationToken).ConfigureAwait(false));
        foreach (var statement in schema.Where(s => !IsView(s)))
        {
            await ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
        }

        var views = schema.Where(IsView).ToList();
        while (views.Count > 0)
        {
            var waiting = new List<string>();
            WarehouseException? last = null;
            foreach (var view in views)
            {
                try
                {
                    await ExecuteAsync(view, cancellationToken).ConfigureAwait(false);
                }
                catch (WarehouseException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
                {
                    (waiting, last) = ([.. waiting, view], e);
                }
            }

            if (waiting.Count == views.Count)
            {
                throw last!;
            }

            views = waiting;
        }

        var load = Statements(await File.ReadAllTextAsync(Path.Combine(folder, "load.sql"), cancellationToken).ConfigureAwait(false));
        await ExecuteInTransactionAsync([.. load.Select(l => ExportedFile().Replace(l, m => $"FROM {Dialect.QuoteLiteral(Path.Combine(folder, Path.GetFileName(m.Groups["path"].Value.Replace("''", "'", StringComparison.Ordinal))))}", 1))], cancellationToken).ConfigureAwait(false);

        static bool IsView(string statement) => statement.StartsWith("CREATE VIEW", StringComparison.OrdinalIgnoreCase);
        static List<string> Statements(string script) =>
            [.. script.Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.TrimEnd(';')).Where(s => s.Length > 0)];
    }

    [GeneratedRegex(@"FROM '(?<path>(?:[^']|'')*)'", RegexOptions.CultureInvariant)]
    private static partial Regex ExportedFile();

    [GeneratedRegex(@"(?<prefix>LINE (?<line>\d+): )[^\n]*\n(?<caret> *)\^", RegexOptions.CultureInvariant)]
    private static partial Regex LinePointer();

    // "Table with name x does not exist!", "... because schema \"s\" does not exist", "Schema with name s does not exist!"
    [GeneratedRegex(@"^Catalog Error: (Table|View|Schema) with name (?<name>[^\s!]+) does not exist")]
    private static partial Regex MissingRelation();
}

using System.Data.Common;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Millwright.Warehouse.Postgres;

/// <summary>A PostgreSQL warehouse (PostgreSQL 15 and later), through a pooled Npgsql data source.</summary>
internal sealed partial class PostgresWarehouse : AdoWarehouse
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _target;
    private readonly string _connectionString;

    /// <summary>For a read-only view: the role it connects as, dropped with it through its owner.</summary>
    private readonly (PostgresWarehouse Owner, string Role)? _readOnly;

    public PostgresWarehouse(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new WarehouseException($"malformed PostgreSQL connection string: {e.Message}", e) { Engine = WarehouseEngine.Postgres, Kind = WarehouseErrorKind.Connection };
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            throw new WarehouseException("PostgreSQL connection string has no Host") { Engine = WarehouseEngine.Postgres, Kind = WarehouseErrorKind.Connection };
        }

        _target = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        _connectionString = connectionString;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override WarehouseEngine Engine => WarehouseEngine.Postgres;

    public override SqlDialect Dialect => PostgresDialect.Instance;

    public override string Target => _target;

    protected override string SchemasSql => """
        SELECT nspname FROM pg_namespace
        WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp%'
        ORDER BY 1
        """;

    protected override string VersionSql => "SELECT 'PostgreSQL ' || current_setting('server_version')";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : (e.InnerException ?? e).Message;
            throw new WarehouseException($"cannot connect to PostgreSQL warehouse {_target}: {reason}", e)
            {
                Engine = Engine,
                EngineMessage = e.Message,
                SqlState = (e as PostgresException)?.SqlState,
                Kind = WarehouseErrorKind.Connection,
            };
        }
    }

    protected override WarehouseException? Translate(Exception exception, string? sql)
    {
        switch (exception)
        {
            case PostgresException pg:
                int? line = null;
                int? column = null;
                if (pg.Position > 0 && sql is not null)
                {
                    (var l, var c) = WarehouseException.LineAndColumn(sql, pg.Position);
                    line = l;
                    column = c;
                }

                var where = line is null ? "" : $" (line {line}, column {column})";
                var detail = string.IsNullOrEmpty(pg.Detail) ? "" : $" — {pg.Detail}";
                return new WarehouseException($"PostgreSQL {pg.SqlState}: {pg.MessageText}{where}{detail}", exception)
                {
                    Engine = Engine,
                    EngineMessage = pg.MessageText,
                    SqlState = pg.SqlState,
                    Line = line,
                    Column = column,
                    Kind = pg.SqlState switch
                    {
                        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject => WarehouseErrorKind.Conflict,
                        PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName => WarehouseErrorKind.MissingRelation,
                        _ => WarehouseErrorKind.Query,
                    },
                    // 42P01 'relation "marts.sales" does not exist', 3F000 'schema "marts" does not exist'.
                    MissingName = pg.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName && QuotedName().Match(pg.MessageText) is { Success: true } quoted
                        ? quoted.Groups[1].Value
                        : null,
                };
            case NpgsqlException npgsql:
                return new WarehouseException($"PostgreSQL: {npgsql.Message}", exception)
                {
                    Engine = Engine,
                    EngineMessage = npgsql.Message,
                    Kind = WarehouseErrorKind.Connection,
                };
            default:
                return null;
        }
    }

    protected override string RelationsSql(string? schema, string? name)
    {
        var filter = "";
        if (schema is not null)
        {
            filter += $" AND n.nspname = {Dialect.QuoteLiteral(schema)}";
        }

        if (name is not null)
        {
            filter += $" AND c.relname = {Dialect.QuoteLiteral(name)}";
        }

        return $"""
            SELECT n.nspname, c.relname, CASE WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'TABLE' END
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'{filter}
            ORDER BY 1, 2
            """;
    }

    protected override string ColumnsSql(string schema, string name) => $"""
        SELECT a.attname::text, a.attnum::int, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = {Dialect.QuoteLiteral(schema)} AND c.relname = {Dialect.QuoteLiteral(name)}
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    public override Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(selectSql);
        var qualified = name with { Schema = name.Schema ?? Dialect.DefaultSchema };
        return WithConnectionAsync(selectSql, async connection =>
        {
            // Build under a temporary name, then swap by renames in the same transaction: a failing query
            // leaves the previous relation exactly as it was, and readers never see a missing relation.
            var suffix = Guid.NewGuid().ToString("N")[..10];
            var staging = qualified with { Name = $"mw_new_{suffix}" };
            var backup = $"mw_old_{suffix}";
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken, transaction).ConfigureAwait(false);
            await ExecAsync(connection, $"CREATE {Keyword(kind)} {Dialect.Render(staging)} AS\n{selectSql}", cancellationToken, transaction).ConfigureAwait(false);
            var existing = await GetRelationAsync(connection, qualified, cancellationToken, transaction).ConfigureAwait(false);
            if (existing is not null)
            {
                await ExecAsync(connection, $"ALTER {Keyword(existing.Kind)} {Dialect.Render(qualified)} RENAME TO {Dialect.QuoteIdentifier(backup)}", cancellationToken, transaction).ConfigureAwait(false);
            }

            await ExecAsync(connection, $"ALTER {Keyword(kind)} {Dialect.Render(staging)} RENAME TO {Dialect.QuoteIdentifier(qualified.Name)}", cancellationToken, transaction).ConfigureAwait(false);
            if (existing is not null)
            {
                await ExecAsync(connection, $"DROP {Keyword(existing.Kind)} {Dialect.Render(qualified with { Name = backup })} CASCADE", cancellationToken, transaction).ConfigureAwait(false);
            }

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
            var rows = await Task.Run(() => Copy((NpgsqlConnection)connection, plan, source, options, cancellationToken), cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }, cancellationToken);
    }

    private long Copy(NpgsqlConnection connection, LoadPlan plan, DbDataReader source, BulkLoadOptions options, CancellationToken cancellationToken)
    {
        var bindings = plan.Bindings.Where(b => b.Source >= 0).ToArray();
        var types = bindings.Select(b => DbType(b.Column)).ToArray();
        var columnList = string.Join(", ", bindings.Select(b => Dialect.QuoteIdentifier(b.Column.Name)));
        long rows = 0;
        using var importer = connection.BeginBinaryImport($"COPY {Dialect.Render(plan.Target)} ({columnList}) FROM STDIN (FORMAT BINARY)");
        while (source.Read())
        {
            rows++;
            importer.StartRow();
            for (var i = 0; i < bindings.Length; i++)
            {
                try
                {
                    Write(importer, source, bindings[i], types[i]);
                }
                catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
                {
                    throw ConversionError(plan, bindings[i], rows, e);
                }
            }

            if (rows % options.ProgressInterval == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                options.Progress?.Report(rows);
            }
        }

        importer.Complete();
        options.Progress?.Report(rows);
        return rows;
    }

    private static NpgsqlDbType? DbType(ColumnInfo column) => column.Type switch
    {
        LogicalType.Boolean => NpgsqlDbType.Boolean,
        LogicalType.Int16 => NpgsqlDbType.Smallint,
        LogicalType.Int32 => NpgsqlDbType.Integer,
        LogicalType.Int64 => NpgsqlDbType.Bigint,
        LogicalType.Float32 => NpgsqlDbType.Real,
        LogicalType.Float64 => NpgsqlDbType.Double,
        LogicalType.Decimal => NpgsqlDbType.Numeric,
        LogicalType.Text => NpgsqlDbType.Text,
        LogicalType.Date => NpgsqlDbType.Date,
        LogicalType.Time => NpgsqlDbType.Time,
        LogicalType.Timestamp => NpgsqlDbType.Timestamp,
        LogicalType.TimestampTz => NpgsqlDbType.TimestampTz,
        LogicalType.Uuid => NpgsqlDbType.Uuid,
        LogicalType.Binary => NpgsqlDbType.Bytea,
        LogicalType.Json => column.EngineType == "json" ? NpgsqlDbType.Json : NpgsqlDbType.Jsonb,
        LogicalType.Interval => NpgsqlDbType.Interval,
        _ => null,
    };

    private static void Write(NpgsqlBinaryImporter importer, DbDataReader source, ColumnBinding binding, NpgsqlDbType? type)
    {
        if (source.IsDBNull(binding.Source))
        {
            importer.WriteNull();
            return;
        }

        switch (binding.Column.Type)
        {
            case LogicalType.Boolean: importer.Write(binding.Value<bool>(source), type!.Value); break;
            case LogicalType.Int16: importer.Write(binding.Value<short>(source), type!.Value); break;
            case LogicalType.Int32: importer.Write(binding.Value<int>(source), type!.Value); break;
            case LogicalType.Int64: importer.Write(binding.Value<long>(source), type!.Value); break;
            case LogicalType.Float32: importer.Write(binding.Value<float>(source), type!.Value); break;
            case LogicalType.Float64: importer.Write(binding.Value<double>(source), type!.Value); break;
            case LogicalType.Decimal: importer.Write(binding.Value<decimal>(source), type!.Value); break;
            case LogicalType.Date: importer.Write(binding.Value<DateOnly>(source), type!.Value); break;
            case LogicalType.Time: importer.Write(binding.Value<TimeOnly>(source), type!.Value); break;
            case LogicalType.Timestamp: importer.Write(DateTime.SpecifyKind(binding.Value<DateTime>(source), DateTimeKind.Unspecified), type!.Value); break;
            case LogicalType.TimestampTz: importer.Write((DateTime)ValueConverter.Convert(binding.Value<DateTime>(source), LogicalType.TimestampTz), type!.Value); break;
            case LogicalType.Uuid: importer.Write(binding.Value<Guid>(source), type!.Value); break;
            case LogicalType.Binary: importer.Write(binding.Value<byte[]>(source), type!.Value); break;
            case LogicalType.Interval: importer.Write(binding.Value<TimeSpan>(source), type!.Value); break;
            case LogicalType.Text or LogicalType.Json: importer.Write(binding.Value<string>(source), type!.Value); break;
            default: importer.Write(source.GetValue(binding.Source), binding.Column.EngineType); break;
        }
    }

    private PostgresWarehouse(string connectionString, PostgresWarehouse owner, string role)
        : this(connectionString) => _readOnly = (owner, role);

    public override async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync().ConfigureAwait(false);
        if (_readOnly is { } view)
        {
            // Its sessions have ended with the pool; the role goes, with the grants it held.
            await view.Owner.ExecuteAsync($"DROP OWNED BY {Dialect.QuoteIdentifier(view.Role)}; DROP ROLE IF EXISTS {Dialect.QuoteIdentifier(view.Role)}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A login role of its own (the warehouse's user needs CREATEROLE): no superuser, no inherited rights, read-only
    /// transactions by default, a statement timeout, SELECT on the user schemas' tables and views and nothing else, so
    /// it can read no server file, write nothing and take no other role. Dropped when the view is disposed.
    /// </summary>
    public override async Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default)
    {
        if (_readOnly is not null)
        {
            throw new WarehouseException("this warehouse is already a read-only view") { Engine = Engine };
        }

        var role = $"millwright_reader_{Guid.NewGuid():N}"[..32];
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var database = (string)(await QueryScalarAsync("SELECT current_database()", cancellationToken).ConfigureAwait(false))!;
        var schemas = await ListSchemasAsync(cancellationToken).ConfigureAwait(false);
        var quoted = Dialect.QuoteIdentifier(role);
        var statements = new List<string>
        {
            $"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD {Dialect.QuoteLiteral(password)}",
            $"ALTER ROLE {quoted} SET default_transaction_read_only = on",
            $"ALTER ROLE {quoted} SET statement_timeout = '5min'",
            $"GRANT CONNECT ON DATABASE {Dialect.QuoteIdentifier(database)} TO {quoted}",
        };
        foreach (var schema in schemas)
        {
            statements.Add($"GRANT USAGE ON SCHEMA {Dialect.QuoteIdentifier(schema)} TO {quoted}");
            statements.Add($"GRANT SELECT ON ALL TABLES IN SCHEMA {Dialect.QuoteIdentifier(schema)} TO {quoted}");
        }

        await ExecuteInTransactionAsync(statements, cancellationToken).ConfigureAwait(false);
        var builder = new NpgsqlConnectionStringBuilder(_connectionString) { Username = role, Password = password, Pooling = true, MaxPoolSize = 4 };
        return new PostgresWarehouse(builder.ConnectionString, this, role);
    }

    /// <summary>VACUUM (ANALYZE) of the database (outside a transaction, as PostgreSQL requires); sizes from pg_database_size.</summary>
    public override async Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default)
    {
        const string size = "SELECT pg_database_size(current_database())";
        var before = Convert.ToInt64(await QueryScalarAsync(size, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        await ExecuteAsync("VACUUM (ANALYZE)", cancellationToken).ConfigureAwait(false);
        var after = Convert.ToInt64(await QueryScalarAsync(size, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return new VacuumResult(before, after);
    }

    public override Task ExportAsync(string directory, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(directory))
        {
            throw new WarehouseException($"{directory} already exists; export into a new folder") { Engine = Engine };
        }

        Directory.CreateDirectory(directory);
        return PostgresTools.DumpAsync(_connectionString, Path.Combine(directory, DumpFile), cancellationToken);
    }

    public override async Task ImportAsync(string directory, CancellationToken cancellationToken = default)
    {
        await RequireEmptyAsync(cancellationToken).ConfigureAwait(false);
        await PostgresTools.RestoreAsync(_connectionString, Path.Combine(directory, DumpFile), cancellationToken).ConfigureAwait(false);
    }

    private const string DumpFile = "warehouse.dump";

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex QuotedName();
}

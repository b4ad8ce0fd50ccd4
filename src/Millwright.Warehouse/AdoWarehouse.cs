using System.Data.Common;

namespace Millwright.Warehouse;

/// <summary>What the engines share: one connection per call, error translation, catalog queries, load planning.</summary>
internal abstract class AdoWarehouse : IWarehouse
{
    public abstract WarehouseEngine Engine { get; }

    public abstract SqlDialect Dialect { get; }

    public abstract string Target { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The engine's exception as a <see cref="WarehouseException"/>, or null if it is not the engine's.</summary>
    protected abstract WarehouseException? Translate(Exception exception, string? sql);

    protected abstract string RelationsSql(string? schema, string? name);

    protected abstract string ColumnsSql(string schema, string name);

    protected abstract string SchemasSql { get; }

    protected abstract string VersionSql { get; }

    public abstract Task<long> BulkLoadAsync(RelationName target, DbDataReader source, BulkLoadOptions? options = null, CancellationToken cancellationToken = default);

    public abstract Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default);

    public abstract ValueTask DisposeAsync();

    public abstract Task ExportAsync(string directory, CancellationToken cancellationToken = default);

    public abstract Task ImportAsync(string directory, CancellationToken cancellationToken = default);

    public abstract Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default);

    public abstract Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default);

    /// <summary>Refuses to import over data: the target must hold no user table or view.</summary>
    protected async Task RequireEmptyAsync(CancellationToken cancellationToken)
    {
        var relations = await ListRelationsAsync(null, cancellationToken).ConfigureAwait(false);
        if (relations.Count > 0)
        {
            throw new WarehouseException($"the warehouse {Target} already holds {relations.Count} table(s) or view(s) (such as {relations[0].Name}); restore into an empty one") { Engine = Engine };
        }
    }

    /// <summary>Opens a connection, runs <paramref name="body"/>, translates engine errors, closes the connection.</summary>
    protected async Task<T> WithConnectionAsync<T>(string? sql, Func<DbConnection, Task<T>> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DbConnection? connection = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not WarehouseException && Translate(e, sql) is { } translated)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw translated;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs a command so that cancelling <paramref name="cancellationToken"/> interrupts the engine.</summary>
    protected virtual Task<int> RunNonQueryAsync(DbCommand command, CancellationToken cancellationToken) =>
        command.ExecuteNonQueryAsync(cancellationToken);

    protected virtual Task<DbDataReader> RunReaderAsync(DbCommand command, CancellationToken cancellationToken) =>
        command.ExecuteReaderAsync(cancellationToken);

    protected static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.CommandTimeout = 0;
        return command;
    }

    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return WithConnectionAsync(sql, async connection =>
        {
            await using var command = Command(connection, sql);
            return (long)await RunNonQueryAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public virtual Task ExecuteInTransactionAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(statements);
        return WithConnectionAsync(string.Join(";\n", statements), async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var statement in statements)
            {
                await using var command = Command(connection, statement, transaction);
                await RunNonQueryAsync(command, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default) => QueryAsync(sql, [], cancellationToken);

    public async Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(parameters);
        cancellationToken.ThrowIfCancellationRequested();
        DbConnection? connection = null;
        DbCommand? command = null;
        try
        {
            connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            command = Command(connection, sql);
            foreach (var value in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.Value = value ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }

            var reader = await RunReaderAsync(command, cancellationToken).ConfigureAwait(false);
            return new QueryResult(connection, command, reader, Dialect, e => e is WarehouseException ? null : Translate(e, sql));
        }
        catch (Exception e)
        {
            if (command is not null)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }

            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (e is not WarehouseException && Translate(e, sql) is { } translated)
            {
                throw translated;
            }

            throw;
        }
    }

    public Task<object?> QueryScalarAsync(string sql, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        return WithConnectionAsync(sql, async connection =>
        {
            await using var command = Command(connection, sql);
            await using var reader = await RunReaderAsync(command, cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.FieldCount == 0 || reader.IsDBNull(0))
            {
                return null;
            }

            return reader.GetValue(0);
        }, cancellationToken);
    }

    protected async Task<List<object?[]>> QueryRowsAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = Command(connection, sql, transaction);
        await using var reader = await RunReaderAsync(command, cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    protected async Task ExecAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = Command(connection, sql, transaction);
        await RunNonQueryAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public virtual Task CreateSchemaAsync(string schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return ExecuteAsync(Dialect.CreateSchemaIfMissing(schema), cancellationToken);
    }

    public virtual Task DropSchemaAsync(string schema, bool cascade, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        return ExecuteAsync($"DROP SCHEMA IF EXISTS {Dialect.QuoteIdentifier(schema)}{(cascade ? " CASCADE" : "")}", cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListSchemasAsync(CancellationToken cancellationToken = default) =>
        WithConnectionAsync<IReadOnlyList<string>>(SchemasSql, async connection =>
            (await QueryRowsAsync(connection, SchemasSql, cancellationToken).ConfigureAwait(false))
                .Select(r => (string)r[0]!).ToList(), cancellationToken);

    public Task<IReadOnlyList<RelationInfo>> ListRelationsAsync(string? schema = null, CancellationToken cancellationToken = default)
    {
        var sql = RelationsSql(schema, null);
        return WithConnectionAsync<IReadOnlyList<RelationInfo>>(sql, async connection =>
            (await QueryRowsAsync(connection, sql, cancellationToken).ConfigureAwait(false)).Select(ToRelation).ToList(), cancellationToken);
    }

    public async Task<RelationInfo?> GetRelationAsync(RelationName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sql = RelationsSql(name.Schema ?? Dialect.DefaultSchema, name.Name);
        return await WithConnectionAsync(sql, async connection =>
            (await QueryRowsAsync(connection, sql, cancellationToken).ConfigureAwait(false)).Select(ToRelation).FirstOrDefault(), cancellationToken).ConfigureAwait(false);
    }

    protected async Task<RelationInfo?> GetRelationAsync(DbConnection connection, RelationName name, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        var sql = RelationsSql(name.Schema ?? Dialect.DefaultSchema, name.Name);
        return (await QueryRowsAsync(connection, sql, cancellationToken, transaction).ConfigureAwait(false)).Select(ToRelation).FirstOrDefault();
    }

    public Task<IReadOnlyList<ColumnInfo>> GetColumnsAsync(RelationName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WithConnectionAsync(null, connection => GetColumnsAsync(connection, name, cancellationToken), cancellationToken);
    }

    protected async Task<IReadOnlyList<ColumnInfo>> GetColumnsAsync(DbConnection connection, RelationName name, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        var sql = ColumnsSql(name.Schema ?? Dialect.DefaultSchema, name.Name);
        var rows = await QueryRowsAsync(connection, sql, cancellationToken, transaction).ConfigureAwait(false);
        return rows.Select(r => new ColumnInfo(
            Name: (string)r[0]!,
            Ordinal: Convert.ToInt32(r[1], System.Globalization.CultureInfo.InvariantCulture),
            EngineType: (string)r[2]!,
            Type: Dialect.ParseType((string)r[2]!),
            Nullable: r[3] is true or "YES")).ToList();
    }

    public Task<bool> DropRelationAsync(RelationName name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WithConnectionAsync(null, async connection =>
        {
            var existing = await GetRelationAsync(connection, name, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                return false;
            }

            await ExecAsync(connection, DropSql(existing), cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public async Task<string> CheckAsync(CancellationToken cancellationToken = default) =>
        Convert.ToString(await QueryScalarAsync(VersionSql, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) ?? "";

    /// <summary>The statement that drops an existing relation.</summary>
    protected virtual string DropSql(RelationInfo relation) => $"DROP {Keyword(relation.Kind)} IF EXISTS {Dialect.Render(relation.Relation)}";

    protected static string Keyword(RelationKind kind) => kind == RelationKind.View ? "VIEW" : "TABLE";

    private static RelationInfo ToRelation(object?[] row) =>
        new((string)row[0]!, (string)row[1]!, string.Equals((string?)row[2], "VIEW", StringComparison.OrdinalIgnoreCase) ? RelationKind.View : RelationKind.Table);

    /// <summary>
    /// Works out where each source field goes: the target's columns (created from the source when missing),
    /// matched by name, ignoring case. A source field with no target column is an error.
    /// </summary>
    protected async Task<LoadPlan> PlanLoadAsync(DbConnection connection, DbTransaction transaction, RelationName target, DbDataReader source, BulkLoadOptions options, CancellationToken cancellationToken)
    {
        var qualified = target with { Schema = target.Schema ?? Dialect.DefaultSchema };
        var columns = await GetColumnsAsync(connection, qualified, cancellationToken, transaction).ConfigureAwait(false);
        if (columns.Count == 0)
        {
            if (!options.CreateIfMissing)
            {
                throw new WarehouseException($"bulk load target {qualified} does not exist") { Engine = Engine, Kind = WarehouseErrorKind.Data };
            }

            var definitions = options.Columns ?? Enumerable.Range(0, source.FieldCount)
                .Select(i => new ColumnDefinition(source.GetName(i), LogicalTypes.FromClr(source.GetFieldType(i))))
                .ToList();
            await ExecAsync(connection, Dialect.CreateSchemaIfMissing(qualified.Schema!), cancellationToken, transaction).ConfigureAwait(false);
            await ExecAsync(connection, Dialect.CreateTable(qualified, definitions), cancellationToken, transaction).ConfigureAwait(false);
            columns = await GetColumnsAsync(connection, qualified, cancellationToken, transaction).ConfigureAwait(false);
        }
        else if (options.Replace)
        {
            await ExecAsync(connection, $"DELETE FROM {Dialect.Render(qualified)}", cancellationToken, transaction).ConfigureAwait(false);
        }

        return Bind(qualified, columns, source);
    }

    /// <summary>Which source field feeds each target column, matched by name ignoring case; a source field with no column is an error.</summary>
    protected LoadPlan Bind(RelationName qualified, IReadOnlyList<ColumnInfo> columns, DbDataReader source)
    {
        var bySourceName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < source.FieldCount; i++)
        {
            bySourceName[source.GetName(i)] = i;
        }

        var unknown = bySourceName.Keys.Where(n => !columns.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new WarehouseException($"bulk load into {qualified}: source field(s) {string.Join(", ", unknown)} have no column in the target (columns: {string.Join(", ", columns.Select(c => c.Name))})")
            {
                Engine = Engine,
                Kind = WarehouseErrorKind.Data,
            };
        }

        var bindings = columns.Select(c =>
        {
            var ordinal = bySourceName.TryGetValue(c.Name, out var o) ? o : -1;
            var direct = ordinal >= 0 && source.GetFieldType(ordinal) == c.Type.ClrType();
            return new ColumnBinding(c, ordinal, direct);
        }).ToArray();
        return new LoadPlan(qualified, bindings);
    }

    /// <summary>A value of a source field converted for its target column; errors name the row and column.</summary>
    protected WarehouseException ConversionError(LoadPlan plan, ColumnBinding binding, long row, Exception inner) =>
        new($"bulk load into {plan.Target}, row {row}, column {binding.Column.Name}: {inner.Message}", inner)
        {
            Engine = Engine,
            Kind = WarehouseErrorKind.Data,
        };
}

internal sealed record LoadPlan(RelationName Target, ColumnBinding[] Bindings);

/// <summary>A target column and the source field that feeds it (-1: none, left NULL); direct when types already match.</summary>
internal sealed record ColumnBinding(ColumnInfo Column, int Source, bool Direct)
{
    public T Value<T>(DbDataReader reader) =>
        Direct ? reader.GetFieldValue<T>(Source) : (T)ValueConverter.Convert(reader.GetValue(Source), Column.Type);
}

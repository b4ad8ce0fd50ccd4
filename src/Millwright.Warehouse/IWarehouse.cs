using System.Data.Common;

namespace Millwright.Warehouse;

/// <summary>
/// An analytical warehouse: DuckDB (embedded), PostgreSQL or ClickHouse. Every method is safe to call concurrently;
/// each call uses its own connection. Failures surface as <see cref="WarehouseException"/> carrying the
/// engine's message and, where the engine gives one, the position in the SQL.
/// </summary>
public interface IWarehouse : IAsyncDisposable
{
    WarehouseEngine Engine { get; }

    SqlDialect Dialect { get; }

    /// <summary>Where the warehouse is, with secrets masked.</summary>
    string Target { get; }

    /// <summary>Runs one or more statements; returns the rows affected where the engine reports them.</summary>
    Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs statements in order in one transaction: all of them take effect, or none does; on an engine whose
    /// <see cref="WarehouseCapabilities.Transactions"/> is false (ClickHouse) they run in order and stop at the first failure.
    /// </summary>
    Task ExecuteInTransactionAsync(IReadOnlyList<string> statements, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and streams its rows; dispose the result to release the connection.</summary>
    Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs a query with positional parameters, written <c>$1</c>, <c>$2</c>, ... in <paramref name="sql"/> on every
    /// engine: each value is bound by the driver, never spliced into the text. Dispose the result.
    /// </summary>
    Task<QueryResult> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default);

    /// <summary>The first column of the first row, or null.</summary>
    Task<object?> QueryScalarAsync(string sql, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads every record of <paramref name="source"/> into <paramref name="target"/> through the engine's
    /// bulk path (DuckDB appender, PostgreSQL binary COPY), in one transaction: on failure nothing is written.
    /// </summary>
    Task<long> BulkLoadAsync(RelationName target, DbDataReader source, BulkLoadOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates or replaces <paramref name="name"/> as a table or view defined by <paramref name="selectSql"/>,
    /// atomically: if the query fails, the previous relation is left as it was.
    /// </summary>
    Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="CreateOrReplaceAsync(RelationName, RelationKind, string, CancellationToken)"/> of a table stored as
    /// <paramref name="layout"/> says (ClickHouse's engine, sort and partition keys); engines without layouts ignore it.
    /// </summary>
    Task CreateOrReplaceAsync(RelationName name, RelationKind kind, string selectSql, TableLayout? layout, CancellationToken cancellationToken = default) =>
        CreateOrReplaceAsync(name, kind, selectSql, cancellationToken);

    Task CreateSchemaAsync(string schema, CancellationToken cancellationToken = default);

    Task DropSchemaAsync(string schema, bool cascade, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> ListSchemasAsync(CancellationToken cancellationToken = default);

    /// <summary>Tables and views, in one schema or in all user schemas.</summary>
    Task<IReadOnlyList<RelationInfo>> ListRelationsAsync(string? schema = null, CancellationToken cancellationToken = default);

    /// <summary>The relation, or null when it does not exist.</summary>
    Task<RelationInfo?> GetRelationAsync(RelationName name, CancellationToken cancellationToken = default);

    /// <summary>The columns of a relation in order; empty when it does not exist.</summary>
    Task<IReadOnlyList<ColumnInfo>> GetColumnsAsync(RelationName name, CancellationToken cancellationToken = default);

    /// <summary>Drops a table or view if it exists; returns whether it existed.</summary>
    Task<bool> DropRelationAsync(RelationName name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a consistent copy of the whole warehouse into <paramref name="directory"/> (which must not exist yet) while
    /// it keeps serving: DuckDB's EXPORT DATABASE as Parquet, or pg_dump. <see cref="ImportAsync"/> reads it back.
    /// </summary>
    Task ExportAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>Loads an <see cref="ExportAsync"/> copy into this warehouse, which must hold no user tables yet.</summary>
    Task ImportAsync(string directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back the space dropped and rewritten data hold: DuckDB rewrites its file compactly (which needs the file to
    /// itself: no other warehouse of this process may hold it), PostgreSQL runs VACUUM (ANALYZE). Returns the size before and after.
    /// </summary>
    Task<VacuumResult> VacuumAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A read-only view of the warehouse for queries a person types (the SQL explorer), read-only by construction: DuckDB
    /// copies the database into a snapshot under <paramref name="workFolder"/> and opens it in an instance of its own
    /// with READ_ONLY access, no external access (no files, no ATTACH, no extensions) and its configuration locked;
    /// PostgreSQL connects as a login role of its own that may only SELECT, in read-only transactions. Dispose it to
    /// drop the snapshot or the role.
    /// </summary>
    Task<IWarehouse> OpenReadOnlyAsync(string workFolder, CancellationToken cancellationToken = default);

    /// <summary>Connects and reports the engine's version; throws <see cref="WarehouseException"/> when unreachable.</summary>
    Task<string> CheckAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a vacuum gave back: the warehouse's size in bytes before and after.</summary>
public sealed record VacuumResult(long BytesBefore, long BytesAfter);

public enum WarehouseEngine
{
    DuckDb,
    Postgres,
    ClickHouse,
}

public enum RelationKind
{
    Table,
    View,
}

/// <summary>Options of a bulk load.</summary>
public sealed record BulkLoadOptions
{
    /// <summary>Create the target from the source's columns (or <see cref="Columns"/>) when it does not exist.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Empty the target first, in the same transaction as the load.</summary>
    public bool Replace { get; init; }

    /// <summary>Column types for a new target; by default they follow the source's field types.</summary>
    public IReadOnlyList<ColumnDefinition>? Columns { get; init; }

    /// <summary>Called with the number of rows loaded so far, every <see cref="ProgressInterval"/> rows.</summary>
    public IProgress<long>? Progress { get; init; }

    public int ProgressInterval { get; init; } = 100_000;
}

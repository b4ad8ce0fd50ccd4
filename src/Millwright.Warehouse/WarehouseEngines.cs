using Millwright.Warehouse.ClickHouse;
using Millwright.Warehouse.DuckDb;
using Millwright.Warehouse.Postgres;

namespace Millwright.Warehouse;

/// <summary>Where an engine keeps its data: a file of this machine, or a server reached by a connection string.</summary>
public enum WarehouseLocation
{
    File,
    Server,
}

/// <summary>
/// What an engine can do. The rest of Millwright asks these, never which engine it is, so that a new engine is one folder
/// of this project (its adapter, dialect and these facts) plus a subclass of the conformance suite.
/// </summary>
public sealed record WarehouseCapabilities
{
    /// <summary>How many writers may change the warehouse at once (DuckDB: one writer per file; servers: several).</summary>
    public required int MaxConcurrentWriters { get; init; }

    /// <summary>Whether the engine runs MERGE INTO (a dbt incremental model's merge strategy).</summary>
    public required bool SupportsMerge { get; init; }

    /// <summary>
    /// Whether the warehouse itself runs the file readers ingestion's checks are written in (DuckDB's read_csv,
    /// read_parquet and read_json); when it does not, ingestion reads files in an embedded engine of its own
    /// (<see cref="Warehouses.OpenFileReader"/>) and sends the rows over.
    /// </summary>
    public required bool ReadsFiles { get; init; }

    /// <summary>
    /// Whether <see cref="IWarehouse.ExecuteInTransactionAsync"/> is atomic (ClickHouse has no transactions: there the
    /// statements run in order and those before a failure stay). Bulk loads and create-or-replace are atomic on every engine.
    /// </summary>
    public bool Transactions { get; init; } = true;

    /// <summary>Whether PRIMARY KEY and UNIQUE constraints are enforced (ClickHouse: a primary key only sorts, it refuses nothing).</summary>
    public bool UniqueKeys { get; init; } = true;

    /// <summary>
    /// Whether <see cref="IWarehouse.OpenReadOnlyAsync"/> reads a copy taken when it opened (DuckDB), rather than the
    /// warehouse as it is at each query (the servers).
    /// </summary>
    public bool ReadOnlyViewIsSnapshot { get; init; }
}

/// <summary>Where a dbt profile's target (or a workspace's settings) put a warehouse: the options, and dbt's names for it.</summary>
public sealed record WarehouseProfile(WarehouseOptions Options, string Database, string Schema);

/// <summary>The facts of each engine, by its <see cref="WarehouseEngine"/>.</summary>
public static class WarehouseEngines
{
    private static readonly EngineDescriptor[] Descriptors = [DuckDbEngine.Instance, PostgresEngine.Instance, ClickHouseEngine.Instance];

    /// <summary>The engine a new workspace uses: embedded, no server.</summary>
    public static WarehouseEngine Default => WarehouseEngine.DuckDb;

    public static IReadOnlyList<WarehouseEngine> All { get; } = [.. Descriptors.Select(d => d.Engine)];

    /// <summary>The engine's name in settings and as a dbt adapter type (<c>target.type</c>): duckdb, postgres, clickhouse.</summary>
    public static string Name(this WarehouseEngine engine) => Describe(engine).Name;

    /// <summary>The engine's name for people: DuckDB, PostgreSQL.</summary>
    public static string DisplayName(this WarehouseEngine engine) => Describe(engine).DisplayName;

    public static WarehouseCapabilities Capabilities(this WarehouseEngine engine) => Describe(engine).Capabilities;

    public static SqlDialect Dialect(this WarehouseEngine engine) => Describe(engine).Dialect;

    public static WarehouseLocation Location(this WarehouseEngine engine) => Describe(engine).Location;

    /// <summary>The engine named <paramref name="name"/> (as in settings or a dbt profile's type), case-insensitive.</summary>
    public static bool TryParse(string? name, out WarehouseEngine engine)
    {
        var found = Descriptors.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
        engine = found?.Engine ?? default;
        return found is not null;
    }

    /// <summary>
    /// A warehouse from a dbt profile target's fields (<c>type</c> names the engine): DuckDB's <c>path</c> (relative to
    /// <paramref name="baseDirectory"/>), PostgreSQL's <c>host</c>, <c>port</c>, <c>user</c>, <c>password</c>, <c>dbname</c>
    /// and <c>schema</c>. Throws <see cref="WarehouseException"/> naming the field that is missing or wrong.
    /// </summary>
    public static WarehouseProfile ReadProfile(string type, Func<string, string?> field, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (!TryParse(type, out var engine))
        {
            throw new WarehouseException($"type '{type}' is not an engine Millwright runs ({string.Join(", ", Descriptors.Select(d => d.Name))})") { Kind = WarehouseErrorKind.Connection };
        }

        return Describe(engine).ReadProfile(field, baseDirectory);
    }

    /// <summary>dbt's name for the database <paramref name="options"/> point at (a DuckDB file's stem, a PostgreSQL database).</summary>
    public static string DatabaseName(WarehouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Describe(options.Engine).DatabaseName(options);
    }

    internal static EngineDescriptor Describe(WarehouseEngine engine) =>
        Descriptors.FirstOrDefault(d => d.Engine == engine) ?? throw new ArgumentOutOfRangeException(nameof(engine), engine, "not a warehouse engine");
}

/// <summary>One engine's facts and factories; each engine's folder holds one.</summary>
internal abstract class EngineDescriptor
{
    public abstract WarehouseEngine Engine { get; }

    /// <summary>The engine's name in settings and dbt profiles: its dialect's.</summary>
    public string Name => Dialect.Name;

    public abstract string DisplayName { get; }

    public abstract SqlDialect Dialect { get; }

    public abstract WarehouseCapabilities Capabilities { get; }

    public abstract WarehouseLocation Location { get; }

    public abstract IWarehouse Open(WarehouseOptions options);

    public abstract WarehouseProfile ReadProfile(Func<string, string?> field, string baseDirectory);

    public abstract string DatabaseName(WarehouseOptions options);

    protected static string Require(Func<string, string?> field, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (field(key) is { Length: > 0 } value)
            {
                return value;
            }
        }

        throw new WarehouseException($"needs '{keys[0]}'") { Kind = WarehouseErrorKind.Connection };
    }
}

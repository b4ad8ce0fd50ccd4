namespace Millwright.Warehouse;

/// <summary>Where a warehouse is: an embedded file (<see cref="Path"/>) or a server (<see cref="ConnectionString"/>).</summary>
public sealed record WarehouseOptions(WarehouseEngine Engine, string? Path = null, string? ConnectionString = null)
{
    public static WarehouseOptions DuckDb(string path) => new(WarehouseEngine.DuckDb, Path: path);

    public static WarehouseOptions Postgres(string connectionString) => new(WarehouseEngine.Postgres, ConnectionString: connectionString);

    /// <summary>
    /// <paramref name="engine"/> at <paramref name="location"/>: a file path for an engine that keeps a file, a
    /// connection string for a server.
    /// </summary>
    public static WarehouseOptions For(WarehouseEngine engine, string location) =>
        engine.Location() == WarehouseLocation.File ? new(engine, Path: location) : new(engine, ConnectionString: location);
}

public static class Warehouses
{
    /// <summary>
    /// Opens the warehouse described by <paramref name="options"/>. Nothing is connected until the first call;
    /// a malformed location fails here with a <see cref="WarehouseException"/> of kind <see cref="WarehouseErrorKind.Connection"/>.
    /// </summary>
    public static IWarehouse Open(WarehouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return WarehouseEngines.Describe(options.Engine).Open(options);
    }

    /// <summary>The SQL that the file readers speak: the statements that read and check files are written in it.</summary>
    public static SqlDialect FileReaderDialect => SqlDialect.DuckDb;

    /// <summary>
    /// An embedded engine of its own in <paramref name="folder"/> that runs the file readers (read_csv, read_parquet,
    /// read_json): for reading and checking files on the way to a warehouse whose <see cref="WarehouseCapabilities.ReadsFiles"/>
    /// is false. Its dialect is <see cref="FileReaderDialect"/>.
    /// </summary>
    public static IWarehouse OpenFileReader(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return new DuckDb.DuckDbWarehouse(System.IO.Path.Combine(folder, "files.duckdb"));
    }

    /// <summary><paramref name="owner"/>'s warehouse for a borrower whose dispose must leave it open.</summary>
    public static IWarehouse Borrow(IWarehouse owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new BorrowedWarehouse(owner);
    }
}

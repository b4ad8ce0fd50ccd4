using Millwright.Warehouse.DuckDb;
using Millwright.Warehouse.Postgres;

namespace Millwright.Warehouse;

/// <summary>Where a warehouse is: an embedded DuckDB file, or a PostgreSQL server.</summary>
public sealed record WarehouseOptions(WarehouseEngine Engine, string? Path = null, string? ConnectionString = null)
{
    public static WarehouseOptions DuckDb(string path) => new(WarehouseEngine.DuckDb, Path: path);

    public static WarehouseOptions Postgres(string connectionString) => new(WarehouseEngine.Postgres, ConnectionString: connectionString);
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
        return options.Engine switch
        {
            WarehouseEngine.DuckDb => new DuckDbWarehouse(options.Path ?? throw new WarehouseException("a DuckDB warehouse needs a file path") { Kind = WarehouseErrorKind.Connection }),
            WarehouseEngine.Postgres => new PostgresWarehouse(options.ConnectionString ?? throw new WarehouseException("a PostgreSQL warehouse needs a connection string") { Kind = WarehouseErrorKind.Connection }),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
    }

    /// <summary><paramref name="owner"/>'s warehouse for a borrower whose dispose must leave it open.</summary>
    public static IWarehouse Borrow(IWarehouse owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new BorrowedWarehouse(owner);
    }
}

namespace Millwright.Warehouse.DuckDb;

internal sealed class DuckDbEngine : EngineDescriptor
{
    public static readonly DuckDbEngine Instance = new();

    public override WarehouseEngine Engine => WarehouseEngine.DuckDb;

    public override string DisplayName => "DuckDB";

    public override SqlDialect Dialect => DuckDbDialect.Instance;

    public override WarehouseCapabilities Capabilities { get; } = new()
    {
        MaxConcurrentWriters = 1,
        SupportsMerge = true,
        ReadsFiles = true,
        ReadOnlyViewIsSnapshot = true,
    };

    public override WarehouseLocation Location => WarehouseLocation.File;

    public override IWarehouse Open(WarehouseOptions options) =>
        new DuckDbWarehouse(options.Path ?? throw new WarehouseException("a DuckDB warehouse needs a file path") { Kind = WarehouseErrorKind.Connection });

    public override WarehouseProfile ReadProfile(Func<string, string?> field, string baseDirectory)
    {
        var path = field("path") ?? ":memory:";
        if (path == ":memory:")
        {
            throw new WarehouseException("uses an in-memory DuckDB; give a file 'path' so runs can share the data") { Kind = WarehouseErrorKind.Connection };
        }

        var options = WarehouseOptions.DuckDb(Path.GetFullPath(Path.Combine(baseDirectory, path)));
        return new WarehouseProfile(options, DatabaseName(options), field("schema") ?? Dialect.DefaultSchema);
    }

    public override string DatabaseName(WarehouseOptions options) => Path.GetFileNameWithoutExtension(options.Path!);
}

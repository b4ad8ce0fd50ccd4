using System.Globalization;
using ClickHouse.Driver.ADO;

namespace Millwright.Warehouse.ClickHouse;

internal sealed class ClickHouseEngine : EngineDescriptor
{
    public static readonly ClickHouseEngine Instance = new();

    public override WarehouseEngine Engine => WarehouseEngine.ClickHouse;

    public override string DisplayName => "ClickHouse";

    public override SqlDialect Dialect => ClickHouseDialect.Instance;

    public override WarehouseCapabilities Capabilities { get; } = new()
    {
        MaxConcurrentWriters = 4,
        SupportsMerge = false,
        ReadsFiles = false,
        Transactions = false,
        UniqueKeys = false,
    };

    public override WarehouseLocation Location => WarehouseLocation.Server;

    public override IWarehouse Open(WarehouseOptions options) =>
        new ClickHouseWarehouse(options.ConnectionString ?? throw new WarehouseException("a ClickHouse warehouse needs a connection string") { Kind = WarehouseErrorKind.Connection });

    /// <summary>
    /// dbt-clickhouse's target fields: host, port (the HTTP port, 8123 by default), user, password, and schema: the database
    /// models go to, which the first model creates. The connection itself stays on the user's default database.
    /// </summary>
    public override WarehouseProfile ReadProfile(Func<string, string?> field, string baseDirectory)
    {
        var port = field("port") ?? "8123";
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is <= 0 or >= 65536)
        {
            throw new WarehouseException($"'port' must be a TCP port, not '{port}'") { Kind = WarehouseErrorKind.Connection };
        }

        var schema = field("schema") ?? field("database") ?? Dialect.DefaultSchema;
        var builder = new ClickHouseConnectionStringBuilder
        {
            Host = Require(field, "host"),
            Port = (ushort)number,
            Username = field("user") ?? field("username") ?? "default",
        };
        if ((field("password") ?? field("pass")) is { Length: > 0 } password)
        {
            builder.Password = password;
        }

        return new WarehouseProfile(new WarehouseOptions(WarehouseEngine.ClickHouse, ConnectionString: builder.ConnectionString), builder.Host, schema);
    }

    /// <summary>ClickHouse has one catalog per server: dbt-clickhouse names it by the host.</summary>
    public override string DatabaseName(WarehouseOptions options) =>
        new ClickHouseConnectionStringBuilder(options.ConnectionString).Host ?? "clickhouse";
}

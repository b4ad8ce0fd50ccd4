using System.Globalization;
using Npgsql;

namespace Millwright.Warehouse.Postgres;

internal sealed class PostgresEngine : EngineDescriptor
{
    public static readonly PostgresEngine Instance = new();

    public override WarehouseEngine Engine => WarehouseEngine.Postgres;

    public override string DisplayName => "PostgreSQL";

    public override SqlDialect Dialect => PostgresDialect.Instance;

    public override WarehouseCapabilities Capabilities { get; } = new()
    {
        MaxConcurrentWriters = 4,
        SupportsMerge = true,
        ReadsFiles = false,
    };

    public override WarehouseLocation Location => WarehouseLocation.Server;

    public override IWarehouse Open(WarehouseOptions options) =>
        new PostgresWarehouse(options.ConnectionString ?? throw new WarehouseException("a PostgreSQL warehouse needs a connection string") { Kind = WarehouseErrorKind.Connection });

    public override WarehouseProfile ReadProfile(Func<string, string?> field, string baseDirectory)
    {
        var port = field("port") ?? "5432";
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Require(field, "host"),
            Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and < 65536
                ? number
                : throw new WarehouseException($"'port' must be a TCP port, not '{port}'") { Kind = WarehouseErrorKind.Connection },
            Username = Require(field, "user", "username"),
            Database = Require(field, "dbname", "database"),
            ApplicationName = "millwright-dbt",
        };
        if ((field("password") ?? field("pass")) is { } password)
        {
            builder.Password = password;
        }

        return new WarehouseProfile(WarehouseOptions.Postgres(builder.ConnectionString), builder.Database, Require(field, "schema"));
    }

    public override string DatabaseName(WarehouseOptions options) =>
        new NpgsqlConnectionStringBuilder(options.ConnectionString).Database ?? "postgres";
}

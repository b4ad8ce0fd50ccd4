namespace Millwright.Warehouse.Postgres;

internal sealed class PostgresDialect : SqlDialect
{
    public override int MaxIdentifierLength => 63;

    public static readonly PostgresDialect Instance = new();

    public override string Name => "postgres";

    public override string DefaultSchema => "public";

    public override string RegexFullMatch(string expression, string pattern) =>
        $"(CAST({expression} AS TEXT) ~ {QuoteLiteral("^(?:" + pattern + ")$")})";

    public override string TypeName(LogicalType type) => type switch
    {
        LogicalType.Boolean => "boolean",
        LogicalType.Int16 => "smallint",
        LogicalType.Int32 => "integer",
        LogicalType.Int64 => "bigint",
        LogicalType.Float32 => "real",
        LogicalType.Float64 => "double precision",
        LogicalType.Decimal => "numeric",
        LogicalType.Date => "date",
        LogicalType.Time => "time",
        LogicalType.Timestamp => "timestamp",
        LogicalType.TimestampTz => "timestamptz",
        LogicalType.Uuid => "uuid",
        LogicalType.Binary => "bytea",
        LogicalType.Json => "jsonb",
        LogicalType.Interval => "interval",
        _ => "text",
    };

    /// <summary>dbt-postgres types a seed's decimal numbers numeric, not double precision.</summary>
    public override string SeedTypeName(LogicalType type) => type == LogicalType.Float64 ? "numeric" : TypeName(type);

    public override LogicalType ParseType(string engineType) => BaseType(engineType) switch
    {
        "boolean" or "bool" => LogicalType.Boolean,
        "smallint" or "int2" => LogicalType.Int16,
        "integer" or "int" or "int4" => LogicalType.Int32,
        "bigint" or "int8" => LogicalType.Int64,
        "real" or "float4" => LogicalType.Float32,
        "double precision" or "float8" => LogicalType.Float64,
        "numeric" or "decimal" => LogicalType.Decimal,
        "text" or "character varying" or "varchar" or "character" or "char" or "bpchar" or "name" or "citext" => LogicalType.Text,
        "date" => LogicalType.Date,
        "time" or "time without time zone" => LogicalType.Time,
        "timestamp" or "timestamp without time zone" => LogicalType.Timestamp,
        "timestamptz" or "timestamp with time zone" => LogicalType.TimestampTz,
        "uuid" => LogicalType.Uuid,
        "bytea" => LogicalType.Binary,
        "json" or "jsonb" => LogicalType.Json,
        "interval" => LogicalType.Interval,
        _ => LogicalType.Other,
    };
}

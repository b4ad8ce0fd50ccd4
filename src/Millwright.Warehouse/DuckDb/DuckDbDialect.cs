namespace Millwright.Warehouse.DuckDb;

internal sealed class DuckDbDialect : SqlDialect
{
    public static readonly DuckDbDialect Instance = new();

    public override string Name => "duckdb";

    public override string DefaultSchema => "main";

    public override string RegexFullMatch(string expression, string pattern) =>
        $"regexp_full_match(CAST({expression} AS VARCHAR), {QuoteLiteral(pattern)})";

    public override string TypeName(LogicalType type) => type switch
    {
        LogicalType.Boolean => "BOOLEAN",
        LogicalType.Int16 => "SMALLINT",
        LogicalType.Int32 => "INTEGER",
        LogicalType.Int64 => "BIGINT",
        LogicalType.Float32 => "REAL",
        LogicalType.Float64 => "DOUBLE",
        LogicalType.Decimal => "DECIMAL(38, 10)",
        LogicalType.Date => "DATE",
        LogicalType.Time => "TIME",
        LogicalType.Timestamp => "TIMESTAMP",
        LogicalType.TimestampTz => "TIMESTAMPTZ",
        LogicalType.Uuid => "UUID",
        LogicalType.Binary => "BLOB",
        LogicalType.Json => "JSON",
        LogicalType.Interval => "INTERVAL",
        _ => "VARCHAR",
    };

    public override LogicalType ParseType(string engineType) => BaseType(engineType) switch
    {
        "boolean" or "bool" => LogicalType.Boolean,
        "tinyint" or "smallint" or "utinyint" => LogicalType.Int16,
        "integer" or "int" or "usmallint" => LogicalType.Int32,
        "bigint" or "uinteger" => LogicalType.Int64,
        "float" or "real" => LogicalType.Float32,
        "double" => LogicalType.Float64,
        "decimal" or "numeric" or "hugeint" or "ubigint" or "uhugeint" => LogicalType.Decimal,
        "varchar" or "text" or "string" => LogicalType.Text,
        "date" => LogicalType.Date,
        "time" => LogicalType.Time,
        "timestamp" or "timestamp_ns" or "timestamp_ms" or "timestamp_s" or "datetime" => LogicalType.Timestamp,
        "timestamp with time zone" or "timestamptz" => LogicalType.TimestampTz,
        "uuid" => LogicalType.Uuid,
        "blob" or "bytea" => LogicalType.Binary,
        "json" => LogicalType.Json,
        "interval" => LogicalType.Interval,
        _ => LogicalType.Other,
    };
}


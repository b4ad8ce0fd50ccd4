namespace Millwright.Warehouse;

/// <summary>A table or view name, optionally qualified by a schema.</summary>
public sealed record RelationName(string? Schema, string Name)
{
    public static RelationName Of(string name) => new(null, name);

    public static RelationName Of(string schema, string name) => new(schema, name);

    public override string ToString() => Schema is null ? Name : $"{Schema}.{Name}";
}

public sealed record RelationInfo(string Schema, string Name, RelationKind Kind)
{
    public RelationName Relation => new(Schema, Name);
}

/// <summary>A column as the catalog describes it.</summary>
public sealed record ColumnInfo(string Name, int Ordinal, string EngineType, LogicalType Type, bool Nullable);

/// <summary>
/// How a table is stored, as dbt-clickhouse's model configs spell it (<c>engine</c>, <c>order_by</c>, <c>partition_by</c>,
/// <c>primary_key</c>): the engine with its arguments (default MergeTree()), the sort key, the partition key and a primary
/// key that is a prefix of the sort key. Engines without table engines (DuckDB, PostgreSQL) have nothing to apply it to.
/// </summary>
public sealed record TableLayout(string? Engine = null, IReadOnlyList<string>? OrderBy = null, IReadOnlyList<string>? PartitionBy = null, IReadOnlyList<string>? PrimaryKey = null);

/// <summary>A column of a table to create.</summary>
public sealed record ColumnDefinition(string Name, LogicalType Type, bool Nullable = true);

/// <summary>The engine-neutral type of a column; each dialect maps its own types onto these.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name SQL column types on purpose.")]
public enum LogicalType
{
    Other,
    Boolean,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    Decimal,
    Text,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Uuid,
    Binary,
    Json,
    Interval,
}

public static class LogicalTypes
{
    /// <summary>The CLR type values of this logical type are read and written as.</summary>
    public static Type ClrType(this LogicalType type) => type switch
    {
        LogicalType.Boolean => typeof(bool),
        LogicalType.Int16 => typeof(short),
        LogicalType.Int32 => typeof(int),
        LogicalType.Int64 => typeof(long),
        LogicalType.Float32 => typeof(float),
        LogicalType.Float64 => typeof(double),
        LogicalType.Decimal => typeof(decimal),
        LogicalType.Date => typeof(DateOnly),
        LogicalType.Time => typeof(TimeOnly),
        LogicalType.Timestamp or LogicalType.TimestampTz => typeof(DateTime),
        LogicalType.Uuid => typeof(Guid),
        LogicalType.Binary => typeof(byte[]),
        LogicalType.Interval => typeof(TimeSpan),
        _ => typeof(string),
    };

    /// <summary>The logical type for a CLR field type, as reported by a data reader.</summary>
    public static LogicalType FromClr(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(bool) => LogicalType.Boolean,
            _ when type == typeof(byte) || type == typeof(sbyte) || type == typeof(short) => LogicalType.Int16,
            _ when type == typeof(int) || type == typeof(ushort) => LogicalType.Int32,
            _ when type == typeof(long) || type == typeof(uint) => LogicalType.Int64,
            _ when type == typeof(float) => LogicalType.Float32,
            _ when type == typeof(double) => LogicalType.Float64,
            _ when type == typeof(decimal) || type == typeof(ulong) || type == typeof(System.Numerics.BigInteger) => LogicalType.Decimal,
            _ when type == typeof(DateOnly) => LogicalType.Date,
            _ when type == typeof(TimeOnly) => LogicalType.Time,
            _ when type == typeof(DateTime) => LogicalType.Timestamp,
            _ when type == typeof(DateTimeOffset) => LogicalType.TimestampTz,
            _ when type == typeof(Guid) => LogicalType.Uuid,
            _ when type == typeof(byte[]) => LogicalType.Binary,
            _ when type == typeof(TimeSpan) => LogicalType.Interval,
            _ => LogicalType.Text,
        };
    }
}

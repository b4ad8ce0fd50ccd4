using System.Globalization;
using System.Text;

namespace Millwright.Warehouse.ClickHouse;

/// <summary>
/// ClickHouse's SQL (18.16 and later): backquoted identifiers and literals with backslash escapes, a schema is a
/// database, NULL only in Nullable(T) columns, and a table needs an engine (MergeTree unless a model says otherwise).
/// </summary>
internal sealed class ClickHouseDialect : SqlDialect
{
    public static readonly ClickHouseDialect Instance = new();

    public override string Name => "clickhouse";

    public override string DefaultSchema => "default";

    public override bool HasDatabaseLevel => false;

    protected override bool DeclaresPrimaryKeys => false;

    /// <summary>18.16 has none; the subqueries written in their place run on every release.</summary>
    public override bool CommonTableExpressions => false;

    /// <summary>A table is a folder of files named after it: its name stays well inside a file name's 255 bytes.</summary>
    public override int MaxIdentifierLength => 200;

    /// <summary>The engine clause of a table created without one: MergeTree, in insertion order.</summary>
    public const string DefaultEngine = "ENGINE = MergeTree ORDER BY tuple()";

    /// <summary>
    /// ENGINE = engine (MergeTree() by default) [PARTITION BY (...)] ORDER BY (... | tuple()) [PRIMARY KEY (...)]; the keys
    /// are SQL expressions as a model's config writes them. Engines outside the MergeTree family take no keys.
    /// </summary>
    public override string TableClause(TableLayout? layout)
    {
        if (layout is null)
        {
            return DefaultEngine;
        }

        var engine = string.IsNullOrWhiteSpace(layout.Engine) ? "MergeTree()" : layout.Engine.Trim();
        if (!engine.Contains("MergeTree", StringComparison.Ordinal))
        {
            return $"ENGINE = {engine}";
        }

        var clause = new StringBuilder("ENGINE = ").Append(engine);
        if (layout.PartitionBy is { Count: > 0 } partition)
        {
            clause.Append(" PARTITION BY (").Append(string.Join(", ", partition)).Append(')');
        }

        clause.Append(" ORDER BY ").Append(layout.OrderBy is { Count: > 0 } order ? "(" + string.Join(", ", order) + ")" : "tuple()");
        if (layout.PrimaryKey is { Count: > 0 } key)
        {
            clause.Append(" PRIMARY KEY (").Append(string.Join(", ", key)).Append(')');
        }

        return clause.ToString();
    }

    public override string QuoteIdentifier(string identifier)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (identifier.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("an identifier cannot contain a NUL character", nameof(identifier));
        }

        return "`" + Escape(identifier, '`') + "`";
    }

    public override string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("a string literal cannot contain a NUL character", nameof(value));
        }

        return "'" + Escape(value, '\'') + "'";
    }

    /// <summary>Dates and times through toDate/toDateTime (18.16 has no DATE '...' literal) and booleans as 1 and 0.</summary>
    public override string Literal(object? value) => value switch
    {
        bool b => b ? "1" : "0",
        DateTime dt => $"toDateTime({QuoteLiteral(dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))}, 'UTC')",
        DateOnly d => $"toDate({QuoteLiteral(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))})",
        DateTimeOffset at => Literal(at.UtcDateTime),
        _ => base.Literal(value),
    };

    /// <summary>ClickHouse's CAST refuses NULL unless the target type is Nullable; a SQL cast accepts it.</summary>
    public override string Cast(string expression, LogicalType type) => $"CAST({expression} AS Nullable({TypeName(type)}))";

    public override string RegexFullMatch(string expression, string pattern) =>
        $"match(toString({expression}), {QuoteLiteral("^(?:" + pattern + ")$")})";

    /// <summary>
    /// 18.16 has no Bool, DateTime64, Time, JSON or Interval column types: booleans are UInt8 (0/1), timestamps whole
    /// seconds in UTC, and the rest text.
    /// </summary>
    public override string TypeName(LogicalType type) => type switch
    {
        LogicalType.Boolean => "UInt8",
        LogicalType.Int16 => "Int16",
        LogicalType.Int32 => "Int32",
        LogicalType.Int64 => "Int64",
        LogicalType.Float32 => "Float32",
        LogicalType.Float64 => "Float64",
        LogicalType.Decimal => "Decimal(38, 10)",
        LogicalType.Date => "Date",
        LogicalType.Timestamp or LogicalType.TimestampTz => "DateTime",
        LogicalType.Uuid => "UUID",
        _ => "String",
    };

    public override string CreateSchemaIfMissing(string schema) => $"CREATE DATABASE IF NOT EXISTS {QuoteIdentifier(schema)}";

    /// <summary>A mutation: ClickHouse rewrites the parts it touches in the background; the warehouse waits for it to finish.</summary>
    public override string DeleteWhere(RelationName relation, string condition) => $"ALTER TABLE {Render(relation)} DELETE WHERE {condition}";

    public override string UpdateWhere(RelationName relation, string assignments, string condition) => $"ALTER TABLE {Render(relation)} UPDATE {assignments} WHERE {condition}";

    /// <summary>Only a Nullable(T) column holds NULL.</summary>
    public override string ColumnType(ColumnDefinition column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.Nullable ? $"Nullable({TypeName(column.Type)})" : TypeName(column.Type);
    }

    /// <summary>A seed's cells may be empty, and only a Nullable column holds NULL.</summary>
    public override string SeedTypeName(LogicalType type) => $"Nullable({TypeName(type)})";

    public override LogicalType ParseType(string engineType)
    {
        ArgumentNullException.ThrowIfNull(engineType);
        var type = Unwrap(Unwrap(engineType.Trim(), "LowCardinality"), "Nullable");
        var paren = type.IndexOf('(', StringComparison.Ordinal);
        return (paren < 0 ? type : type[..paren]) switch
        {
            "Bool" => LogicalType.Boolean,
            "Int8" or "Int16" or "UInt8" => LogicalType.Int16,
            "Int32" or "UInt16" => LogicalType.Int32,
            "Int64" or "UInt32" => LogicalType.Int64,
            "UInt64" or "Int128" or "UInt128" or "Int256" or "UInt256" => LogicalType.Decimal,
            "Float32" => LogicalType.Float32,
            "Float64" => LogicalType.Float64,
            "Decimal" or "Decimal32" or "Decimal64" or "Decimal128" or "Decimal256" => LogicalType.Decimal,
            "String" or "FixedString" or "Enum8" or "Enum16" or "IPv4" or "IPv6" => LogicalType.Text,
            "Date" or "Date32" => LogicalType.Date,
            "DateTime" or "DateTime64" => LogicalType.Timestamp,
            "UUID" => LogicalType.Uuid,
            "JSON" or "Object" => LogicalType.Json,
            _ => LogicalType.Other,
        };
    }

    /// <summary>Whether the engine type is Nullable(...) (also inside LowCardinality).</summary>
    public static bool IsNullable(string engineType) =>
        Unwrap(engineType.Trim(), "LowCardinality").StartsWith("Nullable(", StringComparison.Ordinal);

    private static string Unwrap(string type, string wrapper) =>
        type.StartsWith(wrapper + "(", StringComparison.Ordinal) && type.EndsWith(')') ? type[(wrapper.Length + 1)..^1].Trim() : type;

    private static string Escape(string text, char quote)
    {
        var builder = new StringBuilder(text.Length + 2);
        foreach (var c in text)
        {
            if (c == '\\' || c == quote)
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}

using System.Globalization;

namespace Millwright.Warehouse;

/// <summary>Converts a source value to the CLR type of a target column's logical type (invariant culture, ISO dates).</summary>
internal static class ValueConverter
{
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd",
    ];

    public static object Convert(object value, LogicalType type)
    {
        if (value is string text)
        {
            return Parse(text, type);
        }

        return type switch
        {
            LogicalType.Boolean => System.Convert.ToBoolean(value, CultureInfo.InvariantCulture),
            LogicalType.Int16 => System.Convert.ToInt16(value, CultureInfo.InvariantCulture),
            LogicalType.Int32 => System.Convert.ToInt32(value, CultureInfo.InvariantCulture),
            LogicalType.Int64 => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
            LogicalType.Float32 => System.Convert.ToSingle(value, CultureInfo.InvariantCulture),
            LogicalType.Float64 => System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
            LogicalType.Decimal => System.Convert.ToDecimal(value, CultureInfo.InvariantCulture),
            LogicalType.Date => value switch
            {
                DateOnly d => d,
                DateTime dt => DateOnly.FromDateTime(dt),
                DateTimeOffset dto => DateOnly.FromDateTime(dto.UtcDateTime),
                _ => throw Unsupported(value, type),
            },
            LogicalType.Time => value switch
            {
                TimeOnly t => t,
                TimeSpan ts => TimeOnly.FromTimeSpan(ts),
                DateTime dt => TimeOnly.FromDateTime(dt),
                _ => throw Unsupported(value, type),
            },
            LogicalType.Timestamp => value switch
            {
                DateTime dt => dt,
                DateTimeOffset dto => dto.UtcDateTime,
                DateOnly d => d.ToDateTime(TimeOnly.MinValue),
                _ => throw Unsupported(value, type),
            },
            LogicalType.TimestampTz => value switch
            {
                DateTime dt => dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime(),
                DateTimeOffset dto => dto.UtcDateTime,
                DateOnly d => DateTime.SpecifyKind(d.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc),
                _ => throw Unsupported(value, type),
            },
            LogicalType.Uuid => value is Guid g ? g : throw Unsupported(value, type),
            LogicalType.Binary => value switch
            {
                byte[] b => b,
                Stream blob => ReadAll(blob),
                _ => throw Unsupported(value, type),
            },
            LogicalType.Interval => value is TimeSpan span ? span : throw Unsupported(value, type),
            _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };
    }

    private static object Parse(string text, LogicalType type)
    {
        var invariant = CultureInfo.InvariantCulture;
        var trimmed = text.Trim();
        object? result = type switch
        {
            LogicalType.Boolean => trimmed.ToUpperInvariant() switch
            {
                "TRUE" or "T" or "1" or "YES" or "Y" => true,
                "FALSE" or "F" or "0" or "NO" or "N" => false,
                _ => null,
            },
            LogicalType.Int16 => short.TryParse(trimmed, NumberStyles.Integer, invariant, out var s) ? s : null,
            LogicalType.Int32 => int.TryParse(trimmed, NumberStyles.Integer, invariant, out var i) ? i : null,
            LogicalType.Int64 => long.TryParse(trimmed, NumberStyles.Integer, invariant, out var l) ? l : null,
            LogicalType.Float32 => float.TryParse(trimmed, NumberStyles.Float, invariant, out var f) ? f : null,
            LogicalType.Float64 => double.TryParse(trimmed, NumberStyles.Float, invariant, out var d) ? d : null,
            LogicalType.Decimal => decimal.TryParse(trimmed, NumberStyles.Float, invariant, out var m) ? m : null,
            LogicalType.Date => DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", invariant, DateTimeStyles.None, out var date) ? date : null,
            LogicalType.Time => TimeOnly.TryParse(trimmed, invariant, DateTimeStyles.None, out var time) ? time : null,
            LogicalType.Timestamp => DateTime.TryParseExact(trimmed, TimestampFormats, invariant, DateTimeStyles.None, out var ts) ? ts : null,
            LogicalType.TimestampTz => DateTimeOffset.TryParse(trimmed, invariant, DateTimeStyles.AssumeUniversal, out var tz) ? tz.UtcDateTime : null,
            LogicalType.Uuid => Guid.TryParse(trimmed, out var g) ? g : null,
            LogicalType.Interval => TimeSpan.TryParse(trimmed, invariant, out var span) ? span : null,
            LogicalType.Binary => System.Text.Encoding.UTF8.GetBytes(text),
            _ => text,
        };
        return result ?? throw new FormatException($"'{Truncate(text)}' is not a valid {Describe(type)}");
    }

    private static FormatException Unsupported(object value, LogicalType type) =>
        new($"a {value.GetType().Name} value cannot be stored as {Describe(type)}");

    private static string Describe(LogicalType type) => type switch
    {
        LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 => "integer",
        LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal => "number",
        LogicalType.TimestampTz => "timestamp with time zone",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>A BLOB as DuckDB hands it over (a stream over the result's memory), copied out while the row is current.</summary>
    public static byte[] ReadAll(Stream blob)
    {
        using var copy = new MemoryStream();
        blob.CopyTo(copy);
        return copy.ToArray();
    }
}

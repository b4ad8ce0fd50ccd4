using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Millwright.Warehouse.ClickHouse;

/// <summary>
/// The rows of a ClickHouse query read as they arrive in the TabSeparatedWithNamesAndTypes format: a line of names,
/// a line of types, then one line per row. The driver's own reader asks for RowBinaryWithNamesAndTypes, which 18.16
/// does not have; this format is in every release. Values are typed by their column's ClickHouse type.
/// </summary>
internal sealed class ClickHouseTsvReader : DbDataReader
{
    private readonly IDisposable _response;
    private readonly StreamReader _text;
    private readonly string[] _names;
    private readonly string[] _engineTypes;
    private readonly LogicalType[] _types;
    private readonly object?[] _values;
    private bool _closed;

    private ClickHouseTsvReader(IDisposable response, StreamReader text, string[] names, string[] engineTypes)
    {
        _response = response;
        _text = text;
        _names = names;
        _engineTypes = engineTypes;
        _types = [.. engineTypes.Select(ClickHouseDialect.Instance.ParseType)];
        _values = new object?[names.Length];
    }

    /// <summary>Reads the two header lines of <paramref name="body"/>; the reader then owns <paramref name="response"/>.</summary>
    public static async Task<ClickHouseTsvReader> OpenAsync(IDisposable response, Stream body, CancellationToken cancellationToken)
    {
        var text = new StreamReader(body, new UTF8Encoding(false), false, 1 << 16);
        try
        {
            var names = await text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            var types = await text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (names is null || types is null)
            {
                // A statement that returns no rows at all (DDL) sends no header.
                return new ClickHouseTsvReader(response, text, [], []);
            }

            var nameFields = names.Split('\t').Select(Unescape).ToArray();
            var typeFields = types.Split('\t').Select(Unescape).ToArray();
            if (nameFields.Length != typeFields.Length)
            {
                throw Failure(types);
            }

            return new ClickHouseTsvReader(response, text, nameFields, typeFields);
        }
        catch
        {
            text.Dispose();
            response.Dispose();
            throw;
        }
    }

    public override int FieldCount => _names.Length;

    public override bool HasRows => true;

    public override bool IsClosed => _closed;

    public override int RecordsAffected => -1;

    public override int Depth => 0;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        var line = await _text.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line is null)
        {
            return false;
        }

        var fields = line.Split('\t');
        if (fields.Length != _names.Length)
        {
            // An error that happens while rows stream is written into the body after the rows already sent.
            throw Failure(line + await _text.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
        }

        for (var i = 0; i < fields.Length; i++)
        {
            _values[i] = fields[i] == "\\N" ? null : Parse(Unescape(fields[i]), _types[i], _engineTypes[i]);
        }

        return true;
    }

    public override bool NextResult() => false;

    public override string GetName(int ordinal) => _names[ordinal];

    public override int GetOrdinal(string name)
    {
        var index = Array.FindIndex(_names, n => string.Equals(n, name, StringComparison.Ordinal));
        if (index < 0)
        {
            index = Array.FindIndex(_names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        }

        return index >= 0 ? index : throw new ArgumentOutOfRangeException(nameof(name), name, "no such column");
    }

    public override string GetDataTypeName(int ordinal) => _engineTypes[ordinal];

    public override Type GetFieldType(int ordinal) => _types[ordinal] == LogicalType.Other ? typeof(string) : _types[ordinal].ClrType();

    public override object GetValue(int ordinal) => _values[ordinal] ?? DBNull.Value;

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, _values.Length);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override bool IsDBNull(int ordinal) => _values[ordinal] is null;

    public override T GetFieldValue<T>(int ordinal) => _values[ordinal] switch
    {
        T value => value,
        null => throw new InvalidCastException($"column {_names[ordinal]} is NULL"),
        var other => (T)System.Convert.ChangeType(other, typeof(T), CultureInfo.InvariantCulture),
    };

    public override bool GetBoolean(int ordinal) => GetFieldValue<bool>(ordinal);

    public override byte GetByte(int ordinal) => GetFieldValue<byte>(ordinal);

    public override char GetChar(int ordinal) => GetFieldValue<char>(ordinal);

    public override DateTime GetDateTime(int ordinal) => GetFieldValue<DateTime>(ordinal);

    public override decimal GetDecimal(int ordinal) => GetFieldValue<decimal>(ordinal);

    public override double GetDouble(int ordinal) => GetFieldValue<double>(ordinal);

    public override float GetFloat(int ordinal) => GetFieldValue<float>(ordinal);

    public override Guid GetGuid(int ordinal) => GetFieldValue<Guid>(ordinal);

    public override short GetInt16(int ordinal) => GetFieldValue<short>(ordinal);

    public override int GetInt32(int ordinal) => GetFieldValue<int>(ordinal);

    public override long GetInt64(int ordinal) => GetFieldValue<long>(ordinal);

    public override string GetString(int ordinal) => GetFieldValue<string>(ordinal);

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("ClickHouse values are read whole");

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        throw new NotSupportedException("ClickHouse values are read whole");

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    public override void Close()
    {
        if (!_closed)
        {
            _closed = true;
            _text.Dispose();
            _response.Dispose();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    private static object Parse(string text, LogicalType type, string engineType) => type switch
    {
        LogicalType.Boolean => text is "1" or "true",
        LogicalType.Float32 or LogicalType.Float64 when text is "inf" or "+inf" or "-inf" or "nan" or "-nan" => type == LogicalType.Float32 ? (float)Special(text) : Special(text),
        LogicalType.Date when text == "0000-00-00" => DateOnly.MinValue,
        LogicalType.Timestamp when text.StartsWith("0000-00-00", StringComparison.Ordinal) => DateTime.MinValue,
        LogicalType.Other or LogicalType.Text or LogicalType.Json => text,
        _ => ValueConverter.Convert(text, type) ?? throw new FormatException($"'{text}' is not a {engineType}"),
    };

    private static double Special(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.NaN,
    };

    private static ClickHouseStreamException Failure(string text) =>
        new ClickHouseStreamException(text.Trim());

    /// <summary>A field's text with ClickHouse's TabSeparated escapes undone.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c != '\\' || i + 1 == field.Length)
            {
                builder.Append(c);
                continue;
            }

            var next = field[++i];
            builder.Append(next switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\b',
                'f' => '\f',
                '0' => '\0',
                'a' => '\a',
                'v' => '\v',
                _ => next,
            });
        }

        return builder.ToString();
    }
}

/// <summary>An error ClickHouse wrote into a response body after it had begun to send rows.</summary>
internal sealed class ClickHouseStreamException(string message) : Exception(message);

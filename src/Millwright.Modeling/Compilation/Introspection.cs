using System.Globalization;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// A query result as dbt's macros see it (an agate table): <c>rows</c> and <c>columns</c> as mapped sequences (by
/// position and by name, with keys/values/items), <c>column_names</c>, <c>column_types</c>, <c>select</c>,
/// <c>print_table</c>, and iteration by row.
/// </summary>
internal sealed class ResultTable : IPyObject, IReadOnlyList<object?>
{
    private readonly List<string> _names;
    private readonly List<LogicalType> _types;
    private readonly List<object?[]> _rows;

    private ResultTable(List<string> names, List<LogicalType> types, List<object?[]> rows)
    {
        _names = names;
        _types = types;
        _rows = rows;
    }

    public static async Task<ResultTable> ReadAsync(IWarehouse warehouse, string sql, CancellationToken cancellationToken)
    {
        await using var result = await warehouse.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        var names = result.Columns.Select(c => c.Name).ToList();
        var rows = new List<object?[]>();
        while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[names.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = Value(result.GetValue(i));
            }

            rows.Add(row);
        }

        return new ResultTable(names, result.Columns.Select(c => c.Type).ToList(), rows);
    }

    private static object? Value(object? value) => value switch
    {
        null or DBNull => null,
        int or short or long or double or float or decimal => Py.Normalize(value),
        System.Numerics.BigInteger big => big >= long.MinValue && big <= long.MaxValue ? (object)(long)big : (double)big,
        DateTime dt => new PyDateTime(dt, true, false),
        DateOnly d => new PyDateTime(d.ToDateTime(TimeOnly.MinValue), false, false),
        Guid g => g.ToString(),
        _ => value,
    };

    public int Count => _rows.Count;

    public object? this[int index] => new MappedSequence(_names, _rows[index], "Row");

    /// <summary>The rows as tuples (load_result(...)['data']).</summary>
    public List<object?> Data => _rows.Select(r => (object?)new PyTuple(r)).ToList();

    public object? GetAttribute(string name) => name switch
    {
        "rows" => new MappedSequence(null, [.. _rows.Select(r => (object?)new MappedSequence(_names, r, "Row"))], "MappedSequence"),
        "columns" => new MappedSequence(_names, [.. _names.Select((_, i) => (object?)Column(i))], "MappedSequence"),
        "column_names" => new PyTuple(_names.Cast<object?>().ToArray()),
        "column_types" => new PyTuple(_types.Select(t => (object?)DataType(t)).ToArray()),
        "print_table" => new PyFunction("print_table", _ => ""),
        "select" => new PyFunction("select", a => Select(a.Required(0, "key", "select"))),
        _ => new Undefined(name, $"a query result has no attribute '{name}'"),
    };

    private MappedSequence Column(int i)
    {
        var values = _rows.Select(r => r[i]).ToArray();
        return new MappedSequence(null, values, "Column", new Dictionary<string, object?>
        {
            ["name"] = _names[i],
            ["data_type"] = DataType(_types[i]),
            ["index"] = (long)i,
        });
    }

    /// <summary>agate's table.select: the named columns (one name or a list), in the order given.</summary>
    private ResultTable Select(object? key)
    {
        var wanted = key is string one ? [one] : Py.ToList(key).Select(Py.Str).ToList();
        var indexes = wanted.Select(w => _names.IndexOf(w) is var i and >= 0 ? i : throw new TemplateRaisedException($"select: the result has no column '{w}'")).ToList();
        return new ResultTable(
            [.. indexes.Select(i => _names[i])],
            [.. indexes.Select(i => _types[i])],
            [.. _rows.Select(r => indexes.Select(i => r[i]).ToArray())]);
    }

    /// <summary>agate's data type of a column, by its class name (Number, Text, Boolean, Date, DateTime).</summary>
    private static AttributeBag DataType(LogicalType type)
    {
        var name = type switch
        {
            LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 or LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal => "Number",
            LogicalType.Boolean => "Boolean",
            LogicalType.Date => "Date",
            LogicalType.Timestamp or LogicalType.TimestampTz => "DateTime",
            _ => "Text",
        };
        return new AttributeBag(new Dictionary<string, object?> { ["__class__"] = new AttributeBag(new Dictionary<string, object?> { ["__name__"] = name }), ["name"] = name }, name);
    }

    public IEnumerator<object?> GetEnumerator()
    {
        for (var i = 0; i < _rows.Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"<agate.Table: {_rows.Count} rows, columns ({string.Join(", ", _names)})>";
}

/// <summary>
/// agate's MappedSequence: values by position (and iteration), and by key when it has keys (a row by column name,
/// columns by name), with keys(), values(), items(), get() and dict(); a column also has name and data_type.
/// </summary>
internal sealed class MappedSequence(IReadOnlyList<string>? keys, IReadOnlyList<object?> values, string typeName, IReadOnlyDictionary<string, object?>? attributes = null)
    : IPyObject, IReadOnlyList<object?>
{
    public int Count => values.Count;

    public object? this[int index] => values[index];

    public object? GetAttribute(string name)
    {
        if (attributes is not null && attributes.TryGetValue(name, out var attribute))
        {
            return attribute;
        }

        switch (name)
        {
            case "keys":
                return new PyFunction("keys", _ => new PyTuple(keys?.Cast<object?>().ToArray() ?? []));
            case "values":
                return new PyFunction("values", _ => new PyTuple(values.ToArray()));
            case "items":
                return new PyFunction("items", _ => (keys ?? throw new TemplateRaisedException($"this {typeName} has no keys"))
                    .Select((k, i) => (object?)new PyTuple([k, values[i]])).ToList());
            case "get":
                return new PyFunction("get", a => Find(Py.Str(a.Required(0, "key", "get"))) is { } i ? values[i] : a.Get(1, "default"));
            case "dict":
                return new PyFunction("dict", _ => new PyDict((keys ?? []).Select((k, i) => new KeyValuePair<string, object?>(k, values[i]))));
        }

        return Find(name) is { } index ? values[index] : new Undefined(name, $"'{typeName}' has no key or attribute '{name}'");
    }

    private int? Find(string key)
    {
        if (keys is null)
        {
            return null;
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Equals(key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i].Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return null;
    }

    public IEnumerator<object?> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => "(" + string.Join(", ", values.Select(Py.Repr)) + ")";
}

/// <summary>A column as adapter.get_columns_in_relation returns it.</summary>
internal sealed class ColumnValue(ColumnInfo column, SqlDialect dialect) : IPyObject
{
    public object? GetAttribute(string name) => name switch
    {
        "name" or "column" => column.Name,
        "quoted" => dialect.QuoteIdentifier(column.Name),
        "data_type" or "dtype" => column.EngineType,
        "is_string" => new PyFunction("is_string", _ => column.Type == LogicalType.Text),
        "is_number" => new PyFunction("is_number", _ => column.Type is LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 or LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal),
        "is_integer" => new PyFunction("is_integer", _ => column.Type is LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64),
        "is_float" => new PyFunction("is_float", _ => column.Type is LogicalType.Float32 or LogicalType.Float64),
        "is_numeric" => new PyFunction("is_numeric", _ => column.Type == LogicalType.Decimal),
        "string_size" => new PyFunction("string_size", _ => column.Type == LogicalType.Text ? (object)StringSize() : throw new TemplateRaisedException($"column {column.Name} is not a string")),
        "char_size" => column.Type == LogicalType.Text ? StringSize() : null,
        _ => new Undefined(name, $"a column has no attribute '{name}'"),
    };

    /// <summary>The declared length of a varchar(n), or 256 when it has none (as dbt assumes).</summary>
    private long StringSize()
    {
        var open = column.EngineType.IndexOf('(', StringComparison.Ordinal);
        var close = column.EngineType.IndexOf(')', StringComparison.Ordinal);
        return open > 0 && close > open && long.TryParse(column.EngineType.AsSpan(open + 1, close - open - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var size) ? size : 256;
    }

    public override string ToString() => column.Name;
}

internal static class Sync
{
    /// <summary>Templates are synchronous; warehouse calls from a template wait here (no synchronization context to deadlock on).</summary>
    public static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}

using System.Globalization;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Compilation;

/// <summary>A query result as dbt's macros see it (an agate table): rows, columns, column_names.</summary>
internal sealed class ResultTable : IPyObject, System.Collections.Generic.IEnumerable<object?>
{
    private readonly List<string> _names;
    private readonly List<object?[]> _rows;

    private ResultTable(List<string> names, List<object?[]> rows)
    {
        _names = names;
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

        return new ResultTable(names, rows);
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

    public List<object?> Rows => _rows.Select(r => (object?)new Row(_names, r)).ToList();

    /// <summary>The rows as tuples (load_result(...)['data']).</summary>
    public List<object?> Data => _rows.Select(r => (object?)new PyTuple(r)).ToList();

    public object? GetAttribute(string name) => name switch
    {
        "rows" => Rows,
        "columns" => _names.Select((n, i) => (object?)new AttributeBag(new Dictionary<string, object?>
        {
            ["name"] = n,
            ["values"] = new PyFunction("values", _ => new PyTuple(_rows.Select(r => r[i]).ToArray())),
        }, "Column")).ToList(),
        "column_names" => new PyTuple(_names.Cast<object?>().ToArray()),
        "print_table" => new PyFunction("print_table", _ => ""),
        _ => new Undefined(name, $"a query result has no attribute '{name}'"),
    };

    public IEnumerator<object?> GetEnumerator() => Rows.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A row: indexable by position and by column name.</summary>
    private sealed class Row(List<string> names, object?[] values) : IPyObject, IReadOnlyList<object?>
    {
        public int Count => values.Length;

        public object? this[int index] => values[index];

        public object? GetAttribute(string name)
        {
            var i = names.FindIndex(n => n.Equals(name, StringComparison.OrdinalIgnoreCase));
            return i >= 0 ? values[i] : new Undefined(name, $"a row has no column '{name}'");
        }

        public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)values).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "(" + string.Join(", ", values.Select(Py.Repr)) + ")";
    }
}

/// <summary>A column as adapter.get_columns_in_relation returns it.</summary>
internal sealed class ColumnValue(ColumnInfo column) : IPyObject
{
    public object? GetAttribute(string name) => name switch
    {
        "name" or "column" => column.Name,
        "quoted" => "\"" + column.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
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

using System.Collections;

namespace Millwright.Modeling.Templating;

/// <summary>
/// Template values are plain CLR values: null is None, bool, long (int), double (float), string,
/// <see cref="List{T}"/> of object (list), <see cref="PyTuple"/>, <see cref="PyDict"/>, <see cref="Undefined"/>,
/// callables (<see cref="IPyCallable"/>) and objects with attributes (<see cref="IPyObject"/>).
/// </summary>
public interface IPyObject
{
    /// <summary>The attribute's value, or <see cref="Undefined"/> when there is none.</summary>
    object? GetAttribute(string name);
}

/// <summary>Something a template can call: a macro, a context function, a bound method.</summary>
public interface IPyCallable
{
    object? Invoke(Arguments arguments);
}

/// <summary>A value with its own arithmetic and ordering (dates, durations).</summary>
public interface IPyOperand
{
    /// <summary>The result of <c>this op other</c> (or <c>other op this</c> when <paramref name="reversed"/>), or false when unsupported.</summary>
    bool TryOperate(string op, object? other, bool reversed, out object? result);
}

/// <summary>An object that also counts as a mapping for 'is mapping' (dbt's relations are).</summary>
public interface IPyMapping : IPyObject
{
}

/// <summary>A callable from a delegate.</summary>
public sealed class PyFunction(string name, Func<Arguments, object?> body) : IPyCallable
{
    public string Name { get; } = name;

    public object? Invoke(Arguments arguments) => body(arguments);

    public override string ToString() => $"<function {Name}>";
}

/// <summary>A missing value: renders as nothing, is false, iterates as empty; using it further is an error.</summary>
public sealed class Undefined(string? name, string? hint = null) : IPyObject
{
    public string? Name { get; } = name;

    public string Explain => hint ?? (Name is null ? "a value is undefined" : $"'{Name}' is undefined");

    public object? GetAttribute(string name) => throw new RenderError(Explain);

    public override string ToString() => "";
}

/// <summary>An immutable tuple.</summary>
public sealed class PyTuple(IReadOnlyList<object?> items) : IReadOnlyList<object?>
{
    public IReadOnlyList<object?> Items { get; } = items;

    public int Count => Items.Count;

    public object? this[int index] => Items[index];

    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A dict that keeps insertion order and compares keys as Python does (1 == 1.0 == True).</summary>
public sealed class PyDict : IEnumerable<KeyValuePair<object, object?>>
{
    private readonly OrderedDictionary<object, object?> _items = new(KeyComparer.Instance);

    public PyDict()
    {
    }

    public PyDict(IEnumerable<KeyValuePair<string, object?>> items)
    {
        foreach (var (key, value) in items)
        {
            _items[key] = value;
        }
    }

    public int Count => _items.Count;

    public IEnumerable<object> Keys => _items.Keys;

    public IEnumerable<object?> Values => _items.Values;

    public object? this[object key]
    {
        get => _items[key];
        set => _items[key] = value;
    }

    public bool TryGetValue(object key, out object? value) => _items.TryGetValue(key, out value);

    public bool ContainsKey(object key) => _items.ContainsKey(key);

    public bool Remove(object key) => _items.Remove(key);

    public void Clear() => _items.Clear();

    public IEnumerator<KeyValuePair<object, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value under a string key, or null.</summary>
    public object? Get(string key) => _items.TryGetValue(key, out var value) ? value : null;

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) => Py.Equal(x, y);

        public int GetHashCode(object obj) => obj switch
        {
            bool b => b ? 1 : 0,
            long l => l.GetHashCode(),
            int i => ((long)i).GetHashCode(),
            double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
            string s => StringComparer.Ordinal.GetHashCode(s),
            PyTuple t => t.Items.Aggregate(17, (h, item) => (h * 31) + (item is null ? 0 : GetHashCode(item))),
            _ => obj.GetHashCode(),
        };
    }
}

/// <summary>The positional and keyword arguments of a call.</summary>
public sealed class Arguments
{
    public static readonly Arguments None = new([], System.Collections.Frozen.FrozenDictionary<string, object?>.Empty);

    public Arguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> keywords)
    {
        Positional = positional;
        Keywords = keywords;
    }

    public IReadOnlyList<object?> Positional { get; }

    public IReadOnlyDictionary<string, object?> Keywords { get; }

    public static Arguments Of(params object?[] positional) => new(positional, new Dictionary<string, object?>());

    /// <summary>The argument at <paramref name="index"/> or named <paramref name="name"/>, else <paramref name="fallback"/>.</summary>
    public object? Get(int index, string name, object? fallback = null)
    {
        if (index >= 0 && index < Positional.Count)
        {
            return Positional[index];
        }

        return Keywords.TryGetValue(name, out var value) ? value : fallback;
    }

    public bool Has(int index, string name) => (index >= 0 && index < Positional.Count) || Keywords.ContainsKey(name);

    /// <summary>The argument, which must be given.</summary>
    public object? Required(int index, string name, string function)
    {
        if (!Has(index, name))
        {
            throw new RenderError($"{function}() missing required argument '{name}'");
        }

        return Get(index, name);
    }
}

using System.Collections;

namespace Millwright.Modeling.Templating;

/// <summary>
/// Python's set: unique items (by Python equality), equal to another set with the same items in any order, with its
/// methods (union, intersection, difference, symmetric_difference, issubset, issuperset, isdisjoint, add, discard,
/// remove, copy). Iterates in the order items were first added.
/// </summary>
public sealed class PySet : IReadOnlyCollection<object?>, IPyObject
{
    private readonly List<object?> _items = [];

    public PySet(IEnumerable<object?> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (var item in items)
        {
            Add(item);
        }
    }

    public int Count => _items.Count;

    public bool Contains(object? item) => _items.Any(x => Py.Equal(x, item));

    /// <summary>Same items, whatever their order.</summary>
    public bool SetEquals(PySet other) => other is not null && other.Count == Count && _items.All(other.Contains);

    public object? GetAttribute(string name) => name switch
    {
        "union" => new PyFunction("union", a => new PySet(_items.Concat(a.Positional.SelectMany(Py.Iterate)))),
        "intersection" => new PyFunction("intersection", a => new PySet(_items.Where(x => a.Positional.All(o => Py.Contains(Others(o), x))))),
        "difference" => new PyFunction("difference", a => new PySet(_items.Where(x => !a.Positional.Any(o => Py.Contains(Others(o), x))))),
        "symmetric_difference" => new PyFunction("symmetric_difference", a =>
        {
            var other = Others(a.Get(0, "other"));
            return new PySet(_items.Where(x => !other.Contains(x)).Concat(other.Where(x => !Contains(x))));
        }),
        "issubset" => new PyFunction("issubset", a => _items.All(x => Others(a.Get(0, "other")).Contains(x))),
        "issuperset" => new PyFunction("issuperset", a => Others(a.Get(0, "other")).All(Contains)),
        "isdisjoint" => new PyFunction("isdisjoint", a => !Others(a.Get(0, "other")).Any(Contains)),
        "add" => new PyFunction("add", a =>
        {
            Add(a.Get(0, "elem"));
            return null;
        }),
        "discard" => new PyFunction("discard", a =>
        {
            _items.RemoveAll(x => Py.Equal(x, a.Get(0, "elem")));
            return null;
        }),
        "remove" => new PyFunction("remove", a =>
        {
            var item = a.Get(0, "elem");
            if (_items.RemoveAll(x => Py.Equal(x, item)) == 0)
            {
                throw new RenderError($"KeyError: {Py.Repr(item)}");
            }

            return null;
        }),
        "copy" => new PyFunction("copy", _ => new PySet(_items)),
        _ => new Undefined(name, $"'set' object has no attribute '{name}'"),
    };

    public IEnumerator<object?> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => _items.Count == 0 ? "set()" : "{" + string.Join(", ", _items.Select(Py.Repr)) + "}";

    private void Add(object? item)
    {
        if (!Contains(item))
        {
            _items.Add(item);
        }
    }

    private static PySet Others(object? value) => value as PySet ?? new PySet(Py.Iterate(value));
}

using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Execution;

/// <summary>Template values in the plain form other projects read: mappings, lists, strings, numbers, booleans and null.</summary>
internal static class PlainValues
{
    public static IReadOnlyDictionary<string, object?> Of(PyDict? dict) =>
        dict is null ? new Dictionary<string, object?>() : (Dictionary<string, object?>)Plain(dict)!;

    private static object? Plain(object? value) => value switch
    {
        null => null,
        PyDict d => d.ToDictionary(kv => Py.Str(kv.Key), kv => Plain(kv.Value), StringComparer.Ordinal),
        string or bool or long or double => value,
        int i => (long)i,
        decimal m => (double)m,
        System.Collections.IEnumerable items => items.Cast<object?>().Select(Plain).ToList(),
        _ => Py.Str(value),
    };
}

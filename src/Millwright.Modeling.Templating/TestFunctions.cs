namespace Millwright.Modeling.Templating;

/// <summary>Jinja2's built-in tests ('is defined', 'is number', ...).</summary>
internal static class TestFunctions
{
    public static Dictionary<string, TestFunction> Create()
    {
        TestFunction eq = (_, v, a) => Py.Equal(v, a.Get(0, "other"));
        TestFunction ne = (_, v, a) => !Py.Equal(v, a.Get(0, "other"));
        TestFunction lt = (_, v, a) => Py.Compare(v, a.Get(0, "other"), "<") < 0;
        TestFunction le = (_, v, a) => Py.Compare(v, a.Get(0, "other"), "<=") <= 0;
        TestFunction gt = (_, v, a) => Py.Compare(v, a.Get(0, "other"), ">") > 0;
        TestFunction ge = (_, v, a) => Py.Compare(v, a.Get(0, "other"), ">=") >= 0;
        return new Dictionary<string, TestFunction>(StringComparer.Ordinal)
        {
            ["defined"] = (_, v, _) => v is not Undefined,
            ["undefined"] = (_, v, _) => v is Undefined,
            ["none"] = (_, v, _) => v is null,
            ["boolean"] = (_, v, _) => v is bool,
            ["true"] = (_, v, _) => v is true,
            ["false"] = (_, v, _) => v is false,
            ["integer"] = (_, v, _) => v is long or int or short,
            ["float"] = (_, v, _) => v is double or float or decimal,
            ["number"] = (_, v, _) => Py.IsNumber(v),
            ["string"] = (_, v, _) => v is string,
            ["mapping"] = (_, v, _) => v is PyDict or IPyMapping,
            ["iterable"] = (_, v, _) => v is string or PyDict or List<object?> or PyTuple || (v is System.Collections.IEnumerable && v is not IPyObject),
            ["sequence"] = (_, v, _) => v is string or PyDict or List<object?> or PyTuple,
            ["callable"] = (_, v, _) => v is IPyCallable,
            ["sameas"] = (_, v, a) => ReferenceEquals(v, a.Get(0, "other")) || (v is null && a.Get(0, "other") is null) || (v is bool && Equals(v, a.Get(0, "other"))),
            ["escaped"] = (_, _, _) => false,
            ["in"] = (_, v, a) => Py.Contains(a.Get(0, "seq"), v),
            ["lower"] = (_, v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsUpper),
            ["upper"] = (_, v, _) => v is string s && s.Any(char.IsLetter) && !s.Any(char.IsLower),
            ["odd"] = (_, v, _) => Py.ToLong(v) % 2 != 0,
            ["even"] = (_, v, _) => Py.ToLong(v) % 2 == 0,
            ["divisibleby"] = (_, v, a) => Py.Truthy(Py.Equal(Py.Modulo(v, a.Get(0, "num")), 0L)),
            ["eq"] = eq,
            ["equalto"] = eq,
            ["=="] = eq,
            ["ne"] = ne,
            ["!="] = ne,
            ["lt"] = lt,
            ["lessthan"] = lt,
            ["<"] = lt,
            ["le"] = le,
            ["<="] = le,
            ["gt"] = gt,
            ["greaterthan"] = gt,
            [">"] = gt,
            ["ge"] = ge,
            [">="] = ge,
            ["filter"] = (e, v, _) => v is string s && e.Filters.ContainsKey(s),
            ["test"] = (e, v, _) => v is string s && e.Tests.ContainsKey(s),
        };
    }
}

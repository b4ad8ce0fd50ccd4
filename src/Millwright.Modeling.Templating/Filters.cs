using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Millwright.Modeling.Templating;

/// <summary>A filter: '{{ value | name(args) }}'.</summary>
public delegate object? Filter(TemplateEngine engine, object? value, Arguments arguments);

/// <summary>A test: '{% if value is name(args) %}'.</summary>
public delegate bool TestFunction(TemplateEngine engine, object? value, Arguments arguments);

/// <summary>Jinja2's built-in filters, with its argument names and defaults.</summary>
internal static partial class Filters
{
    public static Dictionary<string, Filter> Create()
    {
        var filters = new Dictionary<string, Filter>(StringComparer.Ordinal)
        {
            ["default"] = Default,
            ["d"] = Default,
            ["join"] = Join,
            ["lower"] = (_, v, _) => Str(v).ToLowerInvariant(),
            ["upper"] = (_, v, _) => Str(v).ToUpperInvariant(),
            ["title"] = (_, v, _) => Title(Str(v)),
            ["capitalize"] = (_, v, _) => Str(v) is { Length: > 0 } s ? char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant() : "",
            ["trim"] = (_, v, a) => a.Get(0, "chars") is string chars ? Str(v).Trim(chars.ToCharArray()) : Str(v).Trim(),
            ["replace"] = (_, v, a) => Replace(Str(v), Str(a.Required(0, "old", "replace")), Str(a.Required(1, "new", "replace")), a.Get(2, "count") is { } c ? (int)Py.ToLong(c) : -1),
            ["length"] = (_, v, _) => (long)Py.Length(v),
            ["count"] = (_, v, _) => (long)Py.Length(v),
            ["list"] = (_, v, _) => Py.ToList(v),
            ["string"] = (_, v, _) => Py.Str(v),
            ["int"] = Int,
            ["float"] = Float,
            ["abs"] = (_, v, _) => v switch
            {
                long l => (object)Math.Abs(l),
                double d => Math.Abs(d),
                bool b => b ? 1L : 0L,
                _ => throw new RenderError($"bad operand type for abs(): '{Py.TypeName(v)}'"),
            },
            ["round"] = Round,
            ["first"] = (_, v, _) => Py.Iterate(v).Take(1).ToList() is [var f] ? f : new Undefined(null, "No first item, sequence was empty."),
            ["last"] = (_, v, _) => Py.ToList(v) is { Count: > 0 } l ? l[^1] : new Undefined(null, "No last item, sequence was empty."),
            ["unique"] = Unique,
            ["sort"] = (_, v, a) => Sort(Py.ToList(v), Py.Truthy(a.Get(0, "reverse", false)), Py.Truthy(a.Get(1, "case_sensitive", false)), a.Get(2, "attribute") as string),
            ["reverse"] = (_, v, _) => v is string s ? new string(s.Reverse().ToArray()) : Enumerable.Reverse(Py.ToList(v)).ToList(),
            ["sum"] = Sum,
            ["min"] = (_, v, a) => MinMax(v, a, min: true),
            ["max"] = (_, v, a) => MinMax(v, a, min: false),
            ["map"] = Map,
            ["select"] = (e, v, a) => Select(e, v, a, keep: true, byAttribute: false),
            ["reject"] = (e, v, a) => Select(e, v, a, keep: false, byAttribute: false),
            ["selectattr"] = (e, v, a) => Select(e, v, a, keep: true, byAttribute: true),
            ["rejectattr"] = (e, v, a) => Select(e, v, a, keep: false, byAttribute: true),
            ["tojson"] = (_, v, a) => Json.Serialize(v, a.Get(0, "indent") is { } i and not null ? (int)Py.ToLong(i) : null, sortKeys: true, htmlSafe: true),
            ["indent"] = Indent,
            ["batch"] = Batch,
            ["items"] = (_, v, _) => v switch
            {
                PyDict d => d.Select(kv => (object?)new PyTuple([kv.Key, kv.Value])).ToList(),
                Undefined => new List<object?>(),
                _ => throw new RenderError($"Can only get item pairs from a mapping, not {Py.TypeName(v)}"),
            },
            ["dictsort"] = DictSort,
            ["wordcount"] = (_, v, _) => (long)WordRegex().Count(Str(v)),
            ["center"] = (_, v, a) => Methods.Bind(Str(v), "center").Invoke(Arguments.Of(a.Get(0, "width", 80L))),
            ["format"] = (_, v, a) => Py.PercentFormat(Str(v), a.Keywords.Count > 0 ? new PyDict(a.Keywords) : new PyTuple(a.Positional)),
            ["safe"] = (_, v, _) => v,
            ["escape"] = (_, v, _) => Escape(Py.Str(v)),
            ["e"] = (_, v, _) => Escape(Py.Str(v)),
            ["attr"] = (_, v, a) => v is IPyObject o ? o.GetAttribute(Str(a.Get(0, "name"))) : Py.GetAttr(v, Str(a.Get(0, "name"))),
        };
        return filters;
    }

    private static string Str(object? value) => value is Undefined ? "" : Py.Str(value);

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordRegex();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex TitleSplitRegex();

    /// <summary>Jinja's title filter: each word after a space, dash or bracket capitalised.</summary>
    public static string Title(string s) =>
        string.Concat(TitleSplitRegex().Split(s).Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));

    public static string Replace(string s, string old, string replacement, int count)
    {
        if (count < 0)
        {
            if (old.Length == 0)
            {
                return replacement + string.Join(replacement, s.Select(c => c.ToString())) + (s.Length > 0 ? replacement : "");
            }

            return s.Replace(old, replacement, StringComparison.Ordinal);
        }

        var sb = new StringBuilder();
        var pos = 0;
        for (var n = 0; n < count; n++)
        {
            var i = old.Length == 0 ? (pos <= s.Length ? pos : -1) : s.IndexOf(old, pos, StringComparison.Ordinal);
            if (i < 0)
            {
                break;
            }

            sb.Append(s, pos, i - pos).Append(replacement);
            pos = i + old.Length;
            if (old.Length == 0)
            {
                if (pos < s.Length)
                {
                    sb.Append(s[pos]);
                }

                pos++;
            }
        }

        if (pos < s.Length)
        {
            sb.Append(s, pos, s.Length - pos);
        }

        return sb.ToString();
    }

    private static object? Default(TemplateEngine engine, object? value, Arguments a)
    {
        var fallback = a.Get(0, "default_value", "");
        var boolean = Py.Truthy(a.Get(1, "boolean", false));
        return value is Undefined || (boolean && !Py.Truthy(value)) ? fallback : value;
    }

    private static object? Join(TemplateEngine engine, object? value, Arguments a)
    {
        var separator = Str(a.Get(0, "d", ""));
        var attribute = a.Get(1, "attribute") as string;
        var items = Py.Iterate(value);
        if (attribute is not null)
        {
            items = items.Select(i => Attribute(i, attribute));
        }

        return string.Join(separator, items.Select(Py.Str));
    }

    private static object? Int(TemplateEngine engine, object? value, Arguments a)
    {
        var fallback = a.Get(0, "default", 0L);
        var numberBase = (int)Py.ToLong(a.Get(1, "base", 10L));
        switch (value)
        {
            case long or int or bool:
                return Py.ToLong(value);
            case double d:
                return double.IsFinite(d) ? (long)Math.Truncate(d) : fallback;
            case string s:
                var text = s.Trim().Replace("_", "", StringComparison.Ordinal);
                try
                {
                    if (numberBase != 10)
                    {
                        var digits = text.ToLowerInvariant();
                        if (numberBase == 16 && digits.StartsWith("0x", StringComparison.Ordinal))
                        {
                            digits = digits[2..];
                        }
                        else if (numberBase == 8 && digits.StartsWith("0o", StringComparison.Ordinal))
                        {
                            digits = digits[2..];
                        }
                        else if (numberBase == 2 && digits.StartsWith("0b", StringComparison.Ordinal))
                        {
                            digits = digits[2..];
                        }

                        return Convert.ToInt64(digits, numberBase);
                    }
                }
                catch (FormatException)
                {
                    return fallback;
                }
                catch (ArgumentException)
                {
                    return fallback;
                }

                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    return l;
                }

                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f) ? (long)Math.Truncate(f) : fallback;
            default:
                return fallback;
        }
    }

    private static object? Float(TemplateEngine engine, object? value, Arguments a)
    {
        var fallback = a.Get(0, "default", 0.0);
        return value switch
        {
            long or int or bool or double => Py.ToDouble(value),
            string s when s.Trim().ToLowerInvariant() is "inf" or "+inf" or "infinity" => double.PositiveInfinity,
            string s when s.Trim().ToLowerInvariant() is "-inf" or "-infinity" => double.NegativeInfinity,
            string s when s.Trim().ToLowerInvariant() is "nan" => double.NaN,
            string s when double.TryParse(s.Trim().Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => fallback,
        };
    }

    private static object? Round(TemplateEngine engine, object? value, Arguments a)
    {
        var precision = (int)Py.ToLong(a.Get(0, "precision", 0L));
        var method = Str(a.Get(1, "method", "common"));
        if (method == "common" && Py.IsInteger(value) && precision >= 0)
        {
            return Py.ToLong(value);
        }

        var x = Py.ToDouble(value);
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => PythonRound(x, precision),
            "ceil" => Math.Ceiling(x * scale) / scale,
            "floor" => Math.Floor(x * scale) / scale,
            _ => throw new RenderError("method must be common, ceil or floor"),
        };
    }

    /// <summary>Python's round(): ties to even on the exact binary value (round(2.675, 2) is 2.67).</summary>
    private static double PythonRound(double x, int precision)
    {
        if (!double.IsFinite(x) || Math.Abs(x) >= 1e15 || precision > 15 || precision < -15)
        {
            return x;
        }

        var exact = decimal.Parse(x.ToString("G17", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (precision >= 0)
        {
            return (double)Math.Round(exact, precision, MidpointRounding.ToEven);
        }

        var scale = (decimal)Math.Pow(10, -precision);
        return (double)(Math.Round(exact / scale, MidpointRounding.ToEven) * scale);
    }

    private static object? Attribute(object? item, string attribute)
    {
        foreach (var part in attribute.Split('.'))
        {
            item = long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? Py.GetItem(item, index) : Py.GetItem(item, part);
        }

        return item;
    }

    private static object? SortKey(object? item, bool caseSensitive, string? attribute)
    {
        if (attribute is not null)
        {
            item = Attribute(item, attribute);
        }

        return !caseSensitive && item is string s ? s.ToLowerInvariant() : item;
    }

    public static List<object?> Sort(List<object?> items, bool reverse, bool caseSensitive, string? attribute)
    {
        var keyed = items.Select((item, index) => (Key: SortKey(item, caseSensitive, attribute), Item: item, Index: index)).ToList();
        keyed.Sort((x, y) =>
        {
            var c = Py.Compare(x.Key, y.Key);
            if (reverse)
            {
                c = -c;
            }

            return c != 0 ? c : x.Index.CompareTo(y.Index);
        });
        return keyed.Select(k => k.Item).ToList();
    }

    private static object? Unique(TemplateEngine engine, object? value, Arguments a)
    {
        var caseSensitive = Py.Truthy(a.Get(0, "case_sensitive", false));
        var attribute = a.Get(1, "attribute") as string;
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in Py.Iterate(value))
        {
            var key = SortKey(item, caseSensitive, attribute);
            if (!seen.Any(s => Py.Equal(s, key)))
            {
                seen.Add(key);
                result.Add(item);
            }
        }

        return result;
    }

    private static object? Sum(TemplateEngine engine, object? value, Arguments a)
    {
        var attribute = a.Get(0, "attribute") as string;
        var total = a.Get(1, "start", 0L);
        foreach (var item in Py.Iterate(value))
        {
            total = Py.Add(total, attribute is null ? item : Attribute(item, attribute));
        }

        return total;
    }

    private static object? MinMax(object? value, Arguments a, bool min)
    {
        var caseSensitive = Py.Truthy(a.Get(0, "case_sensitive", false));
        var attribute = a.Get(1, "attribute") as string;
        var items = Py.ToList(value);
        if (items.Count == 0)
        {
            return new Undefined(null, $"No aggregated item, sequence was empty.");
        }

        var best = items[0];
        var bestKey = SortKey(best, caseSensitive, attribute);
        foreach (var item in items.Skip(1))
        {
            var key = SortKey(item, caseSensitive, attribute);
            var c = Py.Compare(key, bestKey);
            if (min ? c < 0 : c > 0)
            {
                best = item;
                bestKey = key;
            }
        }

        return best;
    }

    private static object? Map(TemplateEngine engine, object? value, Arguments a)
    {
        if (a.Keywords.TryGetValue("attribute", out var attribute))
        {
            if (!Py.Truthy(value))
            {
                return new List<object?>();
            }

            var name = Str(attribute);
            var hasDefault = a.Keywords.TryGetValue("default", out var fallback);
            return Py.Iterate(value).Select(item =>
            {
                var v = Attribute(item, name);
                return hasDefault && v is Undefined ? fallback : v;
            }).ToList();
        }

        if (a.Positional.Count == 0)
        {
            throw new RenderError("map requires a filter argument");
        }

        if (!Py.Truthy(value))
        {
            return new List<object?>();
        }

        var filterName = Str(a.Positional[0]);
        if (!engine.Filters.TryGetValue(filterName, out var filter))
        {
            throw new RenderError($"no filter named '{filterName}'");
        }

        var rest = new Arguments(a.Positional.Skip(1).ToList(), a.Keywords);
        return Py.Iterate(value).Select(item => filter(engine, item, rest)).ToList();
    }

    private static object? Select(TemplateEngine engine, object? value, Arguments a, bool keep, bool byAttribute)
    {
        var offset = 0;
        string? attribute = null;
        if (byAttribute)
        {
            attribute = Str(a.Required(0, "attribute", keep ? "selectattr" : "rejectattr"));
            offset = 1;
        }

        if (!Py.Truthy(value))
        {
            return new List<object?>();
        }

        Func<object?, bool> predicate;
        if (a.Positional.Count > offset)
        {
            var testName = Str(a.Positional[offset]);
            if (!engine.Tests.TryGetValue(testName, out var test))
            {
                throw new RenderError($"no test named '{testName}'");
            }

            var rest = new Arguments(a.Positional.Skip(offset + 1).ToList(), a.Keywords);
            predicate = item => test(engine, item, rest);
        }
        else
        {
            predicate = Py.Truthy;
        }

        return Py.Iterate(value).Where(item => predicate(attribute is null ? item : Attribute(item, attribute)) == keep).ToList();
    }

    private static object? Indent(TemplateEngine engine, object? value, Arguments a)
    {
        var width = a.Get(0, "width", 4L);
        var indention = width is string w ? w : new string(' ', (int)Py.ToLong(width));
        var first = Py.Truthy(a.Get(1, "first", false));
        var blank = Py.Truthy(a.Get(2, "blank", false));
        var s = Str(value) + "\n";
        var lines = SplitLines(s);
        string result;
        if (blank)
        {
            result = string.Join("\n" + indention, lines);
        }
        else
        {
            result = lines[0];
            if (lines.Count > 1)
            {
                result += "\n" + string.Join("\n", lines.Skip(1).Select(line => line.Length > 0 ? indention + line : line));
            }
        }

        return first ? indention + result : result;
    }

    private static List<string> SplitLines(string s)
    {
        var lines = s.Split('\n').ToList();
        if (s.EndsWith('\n'))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static object? Batch(TemplateEngine engine, object? value, Arguments a)
    {
        var size = (int)Py.ToLong(a.Required(0, "linecount", "batch"));
        if (size <= 0)
        {
            throw new RenderError("batch size must be positive");
        }

        var hasFill = a.Has(1, "fill_with") && a.Get(1, "fill_with") is not null;
        var fill = a.Get(1, "fill_with");
        var result = new List<object?>();
        List<object?>? current = null;
        foreach (var item in Py.Iterate(value))
        {
            current ??= [];
            current.Add(item);
            if (current.Count == size)
            {
                result.Add(current);
                current = null;
            }
        }

        if (current is not null)
        {
            while (hasFill && current.Count < size)
            {
                current.Add(fill);
            }

            result.Add(current);
        }

        return result;
    }

    private static object? DictSort(TemplateEngine engine, object? value, Arguments a)
    {
        if (value is not PyDict d)
        {
            throw new RenderError("dictsort expects a mapping");
        }

        var caseSensitive = Py.Truthy(a.Get(0, "case_sensitive", false));
        var by = Str(a.Get(1, "by", "key"));
        var reverse = Py.Truthy(a.Get(2, "reverse", false));
        var pairs = d.Select(kv => (object?)new PyTuple([kv.Key, kv.Value])).ToList();
        return Sort(pairs, reverse, caseSensitive, by == "value" ? "1" : "0");
    }

    private static string Escape(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&#34;", StringComparison.Ordinal)
        .Replace("'", "&#39;", StringComparison.Ordinal);
}

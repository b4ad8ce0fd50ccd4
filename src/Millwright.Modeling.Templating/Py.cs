using System.Collections;
using System.Globalization;
using System.Text;

namespace Millwright.Modeling.Templating;

/// <summary>Python's semantics for the operations templates apply to values.</summary>
public static class Py
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static bool IsNumber(object? value) => value is long or int or double or bool or decimal or float or short;

    public static bool IsInteger(object? value) => value is long or int or bool or short;

    public static bool Truthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        int i => i != 0,
        double d => d != 0,
        decimal m => m != 0,
        string s => s.Length > 0,
        PyDict d => d.Count > 0,
        ICollection c => c.Count > 0,
        PyTuple t => t.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        Undefined => "Undefined",
        bool => "bool",
        long or int or short => "int",
        double or float or decimal => "float",
        string => "str",
        List<object?> => "list",
        PyTuple => "tuple",
        PyDict => "dict",
        IPyCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Python's str().</summary>
    public static string Str(object? value) => value switch
    {
        null => "None",
        string s => s,
        Undefined => "",
        bool b => b ? "True" : "False",
        long l => l.ToString(Invariant),
        int i => i.ToString(Invariant),
        double d => FormatFloat(d),
        float f => FormatFloat(f),
        decimal m => m.ToString(Invariant),
        List<object?> or PyTuple or PyDict => Repr(value),
        DateTime dt => dt.ToString(dt.TimeOfDay == TimeSpan.Zero && dt.Kind == DateTimeKind.Unspecified ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", Invariant).TrimEnd('0').TrimEnd('.'),
        DateOnly d => d.ToString("yyyy-MM-dd", Invariant),
        IFormattable f => f.ToString(null, Invariant),
        _ => value.ToString() ?? "",
    };

    /// <summary>Python's repr().</summary>
    public static string Repr(object? value)
    {
        switch (value)
        {
            case string s:
                return ReprString(s);
            case List<object?> list:
                return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case PyTuple t:
                return t.Count == 1 ? "(" + Repr(t[0]) + ",)" : "(" + string.Join(", ", t.Select(Repr)) + ")";
            case PyDict d:
                return "{" + string.Join(", ", d.Select(kv => Repr(kv.Key) + ": " + Repr(kv.Value))) + "}";
            case Undefined:
                return "Undefined";
            default:
                return Str(value);
        }
    }

    private static string ReprString(string s)
    {
        var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        sb.Append('\\').Append(c);
                    }
                    else if (c < ' ' || c == '\x7f')
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", Invariant));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append(quote).ToString();
    }

    /// <summary>Python's repr of a float: shortest round-trip digits, scientific below 1e-4 and from 1e16.</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "nan";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "inf" : "-inf";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }

        var shortest = d.ToString("R", Invariant);

        // Digits and exponent of the shortest round-trip form.
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], NumberStyles.AllowLeadingSign, Invariant);
            body = body[..e];
        }

        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? body : body[..dot];
        var fracPart = dot < 0 ? "" : body[(dot + 1)..];
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // Position of the decimal point relative to the first significant digit.
        var pointPos = intPart.Length + exponent - leadingZeros;
        var sciExp = pointPos - 1;
        string result;
        if (sciExp < -4 || sciExp >= 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            result = mantissa + "e" + (sciExp < 0 ? "-" : "+") + Math.Abs(sciExp).ToString("00", Invariant);
        }
        else if (pointPos <= 0)
        {
            result = "0." + new string('0', -pointPos) + digits;
        }
        else if (pointPos >= digits.Length)
        {
            result = digits + new string('0', pointPos - digits.Length) + ".0";
        }
        else
        {
            result = digits[..pointPos] + "." + digits[pointPos..];
        }

        return negative ? "-" + result : result;
    }

    public static bool Equal(object? a, object? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            if (IsInteger(a) && IsInteger(b))
            {
                return ToLong(a) == ToLong(b);
            }

            return ToDouble(a) == ToDouble(b);
        }

        switch (a)
        {
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case List<object?> la:
                return b is List<object?> lb && SequenceEqual(la, lb);
            case PySet setA:
                return b is PySet setB && setA.SetEquals(setB);
            case PyTuple ta:
                return b is PyTuple tb && SequenceEqual(ta.Items, tb.Items);
            case PyDict da:
                if (b is not PyDict db || da.Count != db.Count)
                {
                    return false;
                }

                foreach (var (key, value) in da)
                {
                    if (!db.TryGetValue(key, out var other) || !Equal(value, other))
                    {
                        return false;
                    }
                }

                return true;
            case Undefined:
                return b is Undefined;
            default:
                return a.Equals(b);
        }
    }

    private static bool SequenceEqual(IReadOnlyList<object?> a, IReadOnlyList<object?> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!Equal(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Python ordering: numbers, strings (by code point), sequences lexicographically.</summary>
    public static int Compare(object? a, object? b, string op = "<")
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? ToLong(a).CompareTo(ToLong(b)) : ToDouble(a).CompareTo(ToDouble(b));
        }

        if (a is string sa && b is string sb)
        {
            return Math.Sign(string.CompareOrdinal(sa, sb));
        }

        if (a is IReadOnlyList<object?> la && b is IReadOnlyList<object?> lb && a.GetType() == b.GetType() && a is not string)
        {
            for (var i = 0; i < Math.Min(la.Count, lb.Count); i++)
            {
                if (!Equal(la[i], lb[i]))
                {
                    return Compare(la[i], lb[i], op);
                }
            }

            return la.Count.CompareTo(lb.Count);
        }

        if (TryOperand("cmp", a, b, out var custom) && custom is long order)
        {
            return (int)order;
        }

        if (a is IComparable ca && b is not null && a.GetType() == b.GetType())
        {
            return ca.CompareTo(b);
        }

        throw new RenderError($"'{op}' not supported between instances of '{TypeName(a)}' and '{TypeName(b)}'");
    }

    public static long ToLong(object? value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        bool b => b ? 1 : 0,
        double d => (long)d,
        decimal m => (long)m,
        _ => throw new RenderError($"expected an integer, got {TypeName(value)}"),
    };

    public static double ToDouble(object? value) => value switch
    {
        double d => d,
        long l => l,
        int i => i,
        short s => s,
        float f => f,
        decimal m => (double)m,
        bool b => b ? 1 : 0,
        _ => throw new RenderError($"expected a number, got {TypeName(value)}"),
    };

    /// <summary>A CLR number normalised to long or double.</summary>
    public static object? Normalize(object? value) => value switch
    {
        int i => (object)(long)i,
        short s => (long)s,
        float f => (double)f,
        decimal m => (double)m,
        _ => value,
    };

    public static object? Add(object? a, object? b)
    {
        if (TryOperand("+", a, b, out var custom))
        {
            return custom;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)(ToLong(a) + ToLong(b)) : ToDouble(a) + ToDouble(b);
        }

        return (a, b) switch
        {
            (string sa, string sb) => sa + sb,
            (List<object?> la, List<object?> lb) => new List<object?>([.. la, .. lb]),
            (PyTuple ta, PyTuple tb) => new PyTuple([.. ta.Items, .. tb.Items]),
            _ => throw Unsupported("+", a, b),
        };
    }

    public static object? Subtract(object? a, object? b)
    {
        if (TryOperand("-", a, b, out var custom))
        {
            return custom;
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)(ToLong(a) - ToLong(b)) : ToDouble(a) - ToDouble(b);
        }

        throw Unsupported("-", a, b);
    }

    public static object? Multiply(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b))
        {
            return IsInteger(a) && IsInteger(b) ? (object)(ToLong(a) * ToLong(b)) : ToDouble(a) * ToDouble(b);
        }

        return (a, b) switch
        {
            (string s, _) when IsInteger(b) => string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, ToLong(b)))),
            (_, string s) when IsInteger(a) => string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, ToLong(a)))),
            (List<object?> l, _) when IsInteger(b) => Enumerable.Repeat(l, (int)Math.Max(0, ToLong(b))).SelectMany(x => x).ToList(),
            _ => throw Unsupported("*", a, b),
        };
    }

    public static object? Divide(object? a, object? b)
    {
        if (!IsNumber(a) || !IsNumber(b))
        {
            throw Unsupported("/", a, b);
        }

        var divisor = ToDouble(b);
        if (divisor == 0)
        {
            throw new RenderError("division by zero");
        }

        return ToDouble(a) / divisor;
    }

    public static object? FloorDivide(object? a, object? b)
    {
        if (!IsNumber(a) || !IsNumber(b))
        {
            throw Unsupported("//", a, b);
        }

        if (IsInteger(a) && IsInteger(b))
        {
            var x = ToLong(a);
            var y = ToLong(b);
            if (y == 0)
            {
                throw new RenderError("integer division or modulo by zero");
            }

            var q = x / y;
            return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
        }

        var divisor = ToDouble(b);
        if (divisor == 0)
        {
            throw new RenderError("float floor division by zero");
        }

        return Math.Floor(ToDouble(a) / divisor);
    }

    public static object? Modulo(object? a, object? b)
    {
        if (a is string format)
        {
            return PercentFormat(format, b);
        }

        if (!IsNumber(a) || !IsNumber(b))
        {
            throw Unsupported("%", a, b);
        }

        if (IsInteger(a) && IsInteger(b))
        {
            var x = ToLong(a);
            var y = ToLong(b);
            if (y == 0)
            {
                throw new RenderError("integer division or modulo by zero");
            }

            var m = x % y;
            return m != 0 && ((m < 0) != (y < 0)) ? m + y : m;
        }

        var dx = ToDouble(a);
        var dy = ToDouble(b);
        if (dy == 0)
        {
            throw new RenderError("float modulo");
        }

        var r = dx % dy;
        return r != 0 && ((r < 0) != (dy < 0)) ? r + dy : r;
    }

    public static object? Power(object? a, object? b)
    {
        if (!IsNumber(a) || !IsNumber(b))
        {
            throw Unsupported("**", a, b);
        }

        if (IsInteger(a) && IsInteger(b) && ToLong(b) >= 0)
        {
            var result = System.Numerics.BigInteger.Pow(ToLong(a), (int)Math.Min(ToLong(b), 100_000));
            return result >= long.MinValue && result <= long.MaxValue ? (object)(long)result : result;
        }

        return Math.Pow(ToDouble(a), ToDouble(b));
    }

    public static object? Negate(object? value) => value switch
    {
        long l => (object)(-l),
        int i => -(long)i,
        bool b => b ? -1L : 0L,
        double d => -d,
        decimal m => -(double)m,
        _ => throw new RenderError($"bad operand type for unary -: '{TypeName(value)}'"),
    };

    private static bool TryOperand(string op, object? a, object? b, out object? result)
    {
        result = null;
        return (a is IPyOperand x && x.TryOperate(op, b, false, out result)) || (b is IPyOperand y && y.TryOperate(op, a, true, out result));
    }

    private static RenderError Unsupported(string op, object? a, object? b) =>
        new($"unsupported operand type(s) for {op}: '{TypeName(a)}' and '{TypeName(b)}'");

    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new RenderError($"'in <string>' requires string as left operand, not {TypeName(item)}"),
        PyDict d => item is not null && d.ContainsKey(item),
        IEnumerable<object?> e => e.Any(x => Equal(x, item)),
        Undefined u => throw new RenderError(u.Explain),
        null => throw new RenderError("argument of type 'NoneType' is not iterable"),
        _ => throw new RenderError($"argument of type '{TypeName(container)}' is not iterable"),
    };

    /// <summary>The items iterating the value yields (a dict yields its keys; undefined yields nothing).</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        Undefined => [],
        string s => s.Select(c => (object?)c.ToString()),
        PyDict d => d.Keys,
        IEnumerable<object?> e => e,
        IEnumerable e when value is not string => e.Cast<object?>().Select(Normalize),
        null => throw new RenderError("'NoneType' object is not iterable"),
        _ => throw new RenderError($"'{TypeName(value)}' object is not iterable"),
    };

    public static bool IsIterable(object? value) => value is string or PyDict or IEnumerable or Undefined;

    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    public static int Length(object? value) => value switch
    {
        string s => s.Length,
        PyDict d => d.Count,
        ICollection c => c.Count,
        PyTuple t => t.Count,
        Undefined => 0,
        IEnumerable<object?> e => e.Count(),
        _ => throw new RenderError($"object of type '{TypeName(value)}' has no len()"),
    };

    /// <summary>Attribute access as Jinja does it: an attribute or method first, then an item.</summary>
    public static object? GetAttr(object? obj, string name)
    {
        switch (obj)
        {
            case Undefined u:
                throw new RenderError(u.Explain);
            case null:
                return new Undefined(null, $"'None' has no attribute '{name}'");
            case IPyObject o:
                return o.GetAttribute(name);
            case PyDict d:
                if (Methods.Has(d, name))
                {
                    return Methods.Bind(d, name);
                }

                return d.TryGetValue(name, out var value) ? value : new Undefined(name, $"'dict object' has no attribute '{name}'");
            default:
                if (Methods.Has(obj, name))
                {
                    return Methods.Bind(obj, name);
                }

                return new Undefined(name, $"'{TypeName(obj)} object' has no attribute '{name}'");
        }
    }

    /// <summary>Item access as Jinja does it: an item first, then an attribute for a string key.</summary>
    public static object? GetItem(object? obj, object? key)
    {
        switch (obj)
        {
            case Undefined u:
                throw new RenderError(u.Explain);
            case PyDict d:
                if (key is not null && d.TryGetValue(key, out var value))
                {
                    return value;
                }

                return new Undefined(key as string, $"'dict object' has no attribute {Repr(key)}");
            case string s when IsInteger(key):
                var si = Index(ToLong(key), s.Length);
                return si < 0 ? new Undefined(null, "string index out of range") : s[si].ToString();
            case IReadOnlyList<object?> list when IsInteger(key):
                var li = Index(ToLong(key), list.Count);
                return li < 0 ? new Undefined(null, $"{TypeName(obj)} object has no element {Str(key)}") : list[li];
            case IPyObject o when key is string name:
                return o.GetAttribute(name);
            default:
                if (key is string attr)
                {
                    return GetAttr(obj, attr);
                }

                return new Undefined(null, $"'{TypeName(obj)} object' has no attribute {Repr(key)}");
        }
    }

    private static int Index(long index, int count)
    {
        if (index < 0)
        {
            index += count;
        }

        return index >= 0 && index < count ? (int)index : -1;
    }

    /// <summary>Python slicing of strings, lists and tuples.</summary>
    public static object? Slice(object? obj, object? start, object? stop, object? step)
    {
        var stepValue = step is null ? 1 : ToLong(step);
        if (stepValue == 0)
        {
            throw new RenderError("slice step cannot be zero");
        }

        var items = obj switch
        {
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            IReadOnlyList<object?> l => l.ToList(),
            _ => throw new RenderError($"'{TypeName(obj)}' object is not subscriptable"),
        };
        var n = items.Count;
        long Clamp(object? v, long whenNull)
        {
            if (v is null)
            {
                return whenNull;
            }

            var x = ToLong(v);
            if (x < 0)
            {
                x += n;
            }

            return stepValue > 0 ? Math.Clamp(x, 0, n) : Math.Clamp(x, -1, n - 1);
        }

        var from = Clamp(start, stepValue > 0 ? 0 : n - 1);
        var to = Clamp(stop, stepValue > 0 ? n : -1);
        var result = new List<object?>();
        for (var i = from; stepValue > 0 ? i < to : i > to; i += stepValue)
        {
            result.Add(items[(int)i]);
        }

        return obj switch
        {
            string => string.Concat(result.Select(x => (string)x!)),
            PyTuple => new PyTuple(result),
            _ => result,
        };
    }

    /// <summary>printf-style formatting: "%s %d %.2f %r" % values.</summary>
    public static string PercentFormat(string format, object? args)
    {
        IReadOnlyList<object?> values = args is PyTuple t ? t.Items : [args];
        var sb = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 < format.Length && format[i + 1] == '%')
            {
                sb.Append('%');
                i++;
                continue;
            }

            var j = i + 1;
            while (j < format.Length && "-+ 0#.0123456789".Contains(format[j], StringComparison.Ordinal))
            {
                j++;
            }

            if (j >= format.Length)
            {
                throw new RenderError("incomplete format");
            }

            var spec = format[(i + 1)..j];
            var conversion = format[j];
            if (next >= values.Count)
            {
                throw new RenderError("not enough arguments for format string");
            }

            var value = values[next++];
            sb.Append(FormatOne(value, spec, conversion));
            i = j;
        }

        if (next < values.Count && args is PyTuple)
        {
            throw new RenderError("not all arguments converted during string formatting");
        }

        return sb.ToString();
    }

    private static string FormatOne(object? value, string spec, char conversion)
    {
        var precision = -1;
        var width = 0;
        var leftAlign = spec.Contains('-', StringComparison.Ordinal);
        var zeroPad = spec.StartsWith('0');
        var dot = spec.IndexOf('.', StringComparison.Ordinal);
        var widthText = (dot < 0 ? spec : spec[..dot]).TrimStart('-', '+', ' ', '0', '#');
        if (widthText.Length > 0)
        {
            width = int.Parse(widthText, Invariant);
        }

        if (dot >= 0)
        {
            precision = dot + 1 < spec.Length ? int.Parse(spec[(dot + 1)..], Invariant) : 0;
        }

        var text = conversion switch
        {
            's' => Str(value),
            'r' => Repr(value),
            'd' or 'i' => ToLong(value is double d ? Math.Truncate(d) : value).ToString(Invariant),
            'f' or 'F' => ToDouble(value).ToString("F" + (precision < 0 ? 6 : precision), Invariant),
            'e' => ToDouble(value).ToString((precision < 0 ? "0.000000" : "0." + new string('0', precision)) + "e+00", Invariant),
            'x' => ToLong(value).ToString("x", Invariant),
            'X' => ToLong(value).ToString("X", Invariant),
            _ => throw new RenderError($"unsupported format character '{conversion}'"),
        };
        if (conversion == 's' && precision >= 0 && text.Length > precision)
        {
            text = text[..precision];
        }

        if (text.Length < width)
        {
            text = leftAlign ? text.PadRight(width) : (zeroPad && conversion != 's' ? PadNumber(text, width) : text.PadLeft(width));
        }

        return text;
    }

    private static string PadNumber(string text, int width) =>
        text.StartsWith('-') ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0');

    /// <summary>str.format with {} / {0} / {name} fields and a small format-spec subset.</summary>
    public static string Format(string format, Arguments args)
    {
        var sb = new StringBuilder();
        var auto = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{')
            {
                if (i + 1 < format.Length && format[i + 1] == '{')
                {
                    sb.Append('{');
                    i++;
                    continue;
                }

                var close = format.IndexOf('}', i);
                if (close < 0)
                {
                    throw new RenderError("Single '{' encountered in format string");
                }

                var field = format[(i + 1)..close];
                var colon = field.IndexOf(':', StringComparison.Ordinal);
                var name = colon < 0 ? field : field[..colon];
                var spec = colon < 0 ? "" : field[(colon + 1)..];
                object? value;
                if (name.Length == 0)
                {
                    value = args.Get(auto++, "\0");
                }
                else if (int.TryParse(name, NumberStyles.None, Invariant, out var index))
                {
                    value = args.Get(index, "\0");
                }
                else
                {
                    var dotted = name.Split('.');
                    value = args.Keywords.TryGetValue(dotted[0], out var v) ? v : throw new RenderError($"KeyError: '{dotted[0]}'");
                    foreach (var part in dotted.Skip(1))
                    {
                        value = GetAttr(value, part);
                    }
                }

                sb.Append(ApplySpec(value, spec));
                i = close;
            }
            else if (c == '}' && i + 1 < format.Length && format[i + 1] == '}')
            {
                sb.Append('}');
                i++;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string ApplySpec(object? value, string spec)
    {
        if (spec.Length == 0)
        {
            return Str(value);
        }

        var type = char.IsLetter(spec[^1]) ? spec[^1] : '\0';
        var body = type == '\0' ? spec : spec[..^1];
        var dot = body.IndexOf('.', StringComparison.Ordinal);
        var precision = dot >= 0 ? int.Parse(body[(dot + 1)..], Invariant) : -1;
        var widthPart = dot >= 0 ? body[..dot] : body;
        var align = widthPart.Length > 0 && widthPart[0] is '<' or '>' or '^' ? widthPart[0] : '\0';
        if (align != '\0')
        {
            widthPart = widthPart[1..];
        }

        var zero = widthPart.StartsWith('0');
        widthPart = widthPart.Replace(",", "", StringComparison.Ordinal);
        var width = widthPart.Length > 0 ? int.Parse(widthPart, Invariant) : 0;
        var text = type switch
        {
            'f' or 'F' => ToDouble(value).ToString("F" + (precision < 0 ? 6 : precision), Invariant),
            'd' => ToLong(value).ToString(Invariant),
            's' => Str(value),
            '\0' when precision >= 0 && IsNumber(value) => ToDouble(value).ToString("G" + precision, Invariant),
            _ => Str(value),
        };
        if (spec.Contains(',', StringComparison.Ordinal) && IsNumber(value))
        {
            text = type is 'f' or 'F'
                ? ToDouble(value).ToString("N" + (precision < 0 ? 6 : precision), Invariant)
                : ToLong(value).ToString("N0", Invariant);
        }

        if (text.Length < width)
        {
            var numeric = IsNumber(value);
            text = (align == '\0' ? (numeric ? '>' : '<') : align) switch
            {
                '<' => text.PadRight(width),
                '^' => text.PadLeft(((width - text.Length) / 2) + text.Length).PadRight(width),
                _ => zero ? PadNumber(text, width) : text.PadLeft(width),
            };
        }

        return text;
    }
}

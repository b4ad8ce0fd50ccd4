using System.Globalization;
using System.Text;

namespace Millwright.Modeling.Templating;

/// <summary>Python's json.dumps for template values: ", " and ": " separators, ASCII escapes, optional indent.</summary>
public static class Json
{
    public static string Serialize(object? value, int? indent = null, bool sortKeys = false, bool htmlSafe = false)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, sortKeys, 0);
        var text = sb.ToString();
        if (htmlSafe)
        {
            text = text.Replace("<", "\\u003c", StringComparison.Ordinal)
                .Replace(">", "\\u003e", StringComparison.Ordinal)
                .Replace("&", "\\u0026", StringComparison.Ordinal)
                .Replace("'", "\\u0027", StringComparison.Ordinal);
        }

        return text;
    }

    private static void Write(StringBuilder sb, object? value, int? indent, bool sortKeys, int depth)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                return;
            case bool b:
                sb.Append(b ? "true" : "false");
                return;
            case long or int or short:
                sb.Append(Py.ToLong(value).ToString(CultureInfo.InvariantCulture));
                return;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : Py.FormatFloat(d));
                return;
            case decimal m:
                sb.Append(m.ToString(CultureInfo.InvariantCulture));
                return;
            case string s:
                WriteString(sb, s);
                return;
            case PyDict dict:
                {
                    if (dict.Count == 0)
                    {
                        sb.Append("{}");
                        return;
                    }

                    IEnumerable<KeyValuePair<object, object?>> pairs = dict;
                    if (sortKeys)
                    {
                        pairs = pairs.OrderBy(kv => Py.Str(kv.Key), StringComparer.Ordinal);
                    }

                    sb.Append('{');
                    var first = true;
                    foreach (var (key, item) in pairs)
                    {
                        sb.Append(first ? "" : ",");
                        NewLine(sb, indent, depth + 1, first);
                        first = false;
                        WriteString(sb, key is string ks ? ks : key is bool kb ? (kb ? "true" : "false") : key is null ? "null" : Py.Str(key));
                        sb.Append(": ");
                        Write(sb, item, indent, sortKeys, depth + 1);
                    }

                    NewLine(sb, indent, depth, false, closing: true);
                    sb.Append('}');
                    return;
                }

            case Undefined:
                throw new RenderError("Object of type Undefined is not JSON serializable");
            case IEnumerable<object?> items:
                {
                    var list = items.ToList();
                    if (list.Count == 0)
                    {
                        sb.Append("[]");
                        return;
                    }

                    sb.Append('[');
                    var first = true;
                    foreach (var item in list)
                    {
                        sb.Append(first ? "" : ",");
                        NewLine(sb, indent, depth + 1, first);
                        first = false;
                        Write(sb, item, indent, sortKeys, depth + 1);
                    }

                    NewLine(sb, indent, depth, false, closing: true);
                    sb.Append(']');
                    return;
                }

            default:
                WriteString(sb, Py.Str(value));
                return;
        }
    }

    private static void NewLine(StringBuilder sb, int? indent, int depth, bool first, bool closing = false)
    {
        if (indent is null)
        {
            if (!first && !closing)
            {
                sb.Append(' ');
            }

            return;
        }

        sb.Append('\n').Append(' ', indent.Value * depth);
    }

    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}

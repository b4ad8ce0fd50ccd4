using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// dbt's toyaml and fromyaml: values written as PyYAML's safe_dump writes them (block style, list items at the key's
/// indent, strings quoted only when they would read back as something else, a bare scalar ended by "...") and read
/// back as template values.
/// </summary>
internal static partial class PyYaml
{
    public static string Dump(object? value, bool sortKeys)
    {
        var text = new StringBuilder();
        if (value is PyDict or List<object?> or PyTuple or PySet)
        {
            Block(text, value, 0, sortKeys);
        }
        else
        {
            text.Append(Scalar(value)).Append("\n...\n");
        }

        return text.ToString();
    }

    public static object? Load(string text, object? fallback)
    {
        try
        {
            return Project.Yaml.ToValue(Project.Yaml.Parse(text, "fromyaml"));
        }
        catch (ModelingException)
        {
            return fallback;
        }
    }

    private static void Block(StringBuilder text, object? value, int indent, bool sortKeys)
    {
        var pad = new string(' ', indent);
        switch (value)
        {
            case PyDict dict when dict.Count == 0:
                text.Append(pad).Append("{}\n");
                break;
            case PyDict dict:
                foreach (var (key, item) in sortKeys ? dict.OrderBy(p => Py.Str(p.Key), StringComparer.Ordinal) : dict.AsEnumerable())
                {
                    text.Append(pad).Append(Scalar(key)).Append(':');
                    if (item is PyDict { Count: > 0 })
                    {
                        text.Append('\n');
                        Block(text, item, indent + 2, sortKeys);
                    }
                    else if (item is List<object?> or PyTuple or PySet && Py.Length(item) > 0)
                    {
                        text.Append('\n');
                        Block(text, item, indent, sortKeys);
                    }
                    else
                    {
                        text.Append(' ').Append(Inline(item)).Append('\n');
                    }
                }

                break;
            default:
                var items = Py.ToList(value);
                if (items.Count == 0)
                {
                    text.Append(pad).Append("[]\n");
                    break;
                }

                foreach (var item in items)
                {
                    text.Append(pad).Append('-');
                    if (item is PyDict { Count: > 0 } or List<object?> { Count: > 0 } or PyTuple { Count: > 0 })
                    {
                        // The first line of a nested block follows the dash; the rest align under it.
                        var nested = new StringBuilder();
                        Block(nested, item, indent + 2, sortKeys);
                        text.Append(' ').Append(nested.ToString().AsSpan(indent + 2));
                    }
                    else
                    {
                        text.Append(' ').Append(Inline(item)).Append('\n');
                    }
                }

                break;
        }
    }

    private static string Inline(object? value) => value switch
    {
        PyDict { Count: 0 } => "{}",
        List<object?> { Count: 0 } or PyTuple { Count: 0 } => "[]",
        _ => Scalar(value),
    };

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long or int or short => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d when double.IsNaN(d) => ".nan",
        double d when double.IsPositiveInfinity(d) => ".inf",
        double d when double.IsNegativeInfinity(d) => "-.inf",
        double d => Py.Str(d),
        _ => Text(Py.Str(value)),
    };

    /// <summary>A string plain when it reads back as itself, else single-quoted.</summary>
    private static string Text(string s) =>
        s.Length == 0 || Special().IsMatch(s) || s != s.Trim() || Reserved().IsMatch(s) || double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal) || s.EndsWith(':')
            ? "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'"
            : s;

    [GeneratedRegex(@"^[\-?:,\[\]{}#&*!|>'""%@`~]|[\n\r\t]")]
    private static partial Regex Special();

    [GeneratedRegex(@"^(?:null|Null|NULL|~|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|\.inf|\.nan|[-+]?0x[0-9a-fA-F]+|[-+]?0o?[0-7]+|\d{4}-\d\d?-\d\d?.*)$")]
    private static partial Regex Reserved();
}

using System.Globalization;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// dbt's native rendering of YAML values (dbt_project.yml configs and vars, properties configs, profiles): the
/// rendered text is read as a Python literal when it is one ("False" is false, "5" is 5, "['a', 'b']" a list),
/// and stays text otherwise.
/// </summary>
internal static class NativeValues
{
    /// <summary>Whether a YAML value carries Jinja (an expression or a statement): only such values are rendered.</summary>
    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal) || text.Contains("{%", StringComparison.Ordinal);

    /// <summary>The text as Python reads an integer literal: "0123" is none (it stays text, as a password of digits must), "0" and "-7" are.</summary>
    public static long? Integer(string text)
    {
        var trimmed = text.Trim();
        return !IsDigitsWithLeadingZero(trimmed) && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) ? integer : null;
    }

    private static bool IsDigitsWithLeadingZero(string trimmed)
    {
        var digits = trimmed.TrimStart('+', '-');
        return digits.Length > 1 && digits[0] == '0' && digits.All(char.IsDigit);
    }

    public static object? Read(string text, TemplateEngine engine)
    {
        var trimmed = text.Trim();
        switch (trimmed)
        {
            case "True":
                return true;
            case "False":
                return false;
            case "None":
                return null;
        }

        if (Integer(trimmed) is { } integer)
        {
            return integer;
        }

        if (IsDigitsWithLeadingZero(trimmed))
        {
            return text;
        }

        if (trimmed.Length > 0 && (char.IsDigit(trimmed[0]) || trimmed[0] is '-' or '+' or '.')
            && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        if (trimmed.Length >= 2 && trimmed[0] is '[' or '{' or '(' or '\'' or '"')
        {
            try
            {
                var value = engine.ParseExpression(trimmed, "literal").Evaluate(engine.CreateScope(resolve: _ => new Undefined(null)));
                if (IsLiteral(value))
                {
                    return value;
                }
            }
            catch (TemplateException)
            {
                // not a literal: it stays text, as Python's literal_eval failing leaves it in dbt
            }
        }

        return text;
    }

    private static bool IsLiteral(object? value) => value switch
    {
        null or bool or long or double or string => true,
        PyDict d => d.All(kv => IsLiteral(kv.Key) && IsLiteral(kv.Value)),
        PyTuple t => t.All(IsLiteral),
        List<object?> l => l.All(IsLiteral),
        _ => false,
    };
}

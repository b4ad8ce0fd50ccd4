using System.Globalization;
using System.Text.RegularExpressions;
using Millwright.Modeling.Templating;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Millwright.Shared;

namespace Millwright.Modeling.Project;

/// <summary>YAML files as template values (mappings as dicts, sequences as lists, typed plain scalars).</summary>
internal static partial class Yaml
{
    /// <summary>The document's root node, or null for an empty file; malformed YAML fails naming the file, line and column.</summary>
    public static YamlNode? Load(string path, string displayPath) => Parse(File.ReadAllText(path), displayPath);

    /// <summary>YAML text (for example --vars) parsed; errors name <paramref name="displayPath"/>, line and column.</summary>
    public static YamlNode? Parse(string text, string displayPath)
    {
        YamlStream stream;
        try
        {
            using var reader = new StringReader(text);
            stream = YamlDocuments.Load(reader);
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            var colon = reason.IndexOf("): ", StringComparison.Ordinal);
            if (reason.StartsWith('(') && colon > 0)
            {
                reason = reason[(colon + 3)..];
            }

            throw new ModelingException($"{displayPath}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {reason}", e);
        }

        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    public static object? ToValue(YamlNode? node) => node switch
    {
        null => null,
        YamlMappingNode map => new PyDict(map.Children.Select(kv => new KeyValuePair<string, object?>(((YamlScalarNode)kv.Key).Value ?? "", ToValue(kv.Value)))),
        YamlSequenceNode seq => seq.Children.Select(ToValue).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return text;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
        }

        if (IntRegex().IsMatch(text) && long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (FloatRegex().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        return text;
    }

    [GeneratedRegex(@"^[-+]?[0-9][0-9_]*$")]
    private static partial Regex IntRegex();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();

    /// <summary>The line of a mapping key, for warnings.</summary>
    public static int LineOf(YamlMappingNode map, string key)
    {
        foreach (var child in map.Children.Keys)
        {
            if (child is YamlScalarNode s && s.Value == key)
            {
                return (int)s.Start.Line;
            }
        }

        return (int)map.Start.Line;
    }
}

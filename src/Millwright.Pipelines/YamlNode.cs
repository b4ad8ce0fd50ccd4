using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Millwright.Shared;

namespace Millwright.Pipelines;

/// <summary>Reads pipeline.yml with positions, so every error names file, line and column.</summary>
internal sealed class YamlNode
{
    private readonly YamlDotNet.RepresentationModel.YamlNode _node;

    private YamlNode(string file, YamlDotNet.RepresentationModel.YamlNode node, string path)
    {
        File = file;
        _node = node;
        Path = path;
    }

    public string File { get; }

    public string Path { get; }

    public string Where => $"{File}:{_node.Start.Line}:{_node.Start.Column}";

    public static YamlNode? Load(string file)
    {
        YamlStream stream;
        try
        {
            using var reader = new StreamReader(file);
            stream = YamlDocuments.Load(reader);
        }
        catch (YamlException e)
        {
            throw new PipelineException($"{file}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return null;
        }

        var root = new YamlNode(file, stream.Documents[0].RootNode, "");
        root.RequireMapping();
        return root;
    }

    public PipelineException Error(string message) => new($"{Where}: {(Path.Length > 0 ? Path + ": " : "")}{message}");

    public bool IsMapping => _node is YamlMappingNode;

    public bool IsSequence => _node is YamlSequenceNode;

    public bool IsScalar => _node is YamlScalarNode;

    private YamlMappingNode RequireMapping() => _node as YamlMappingNode ?? throw Error("expected a mapping");

    public IEnumerable<string> Keys => RequireMapping().Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "");

    public YamlNode? Get(string key)
    {
        var mapping = RequireMapping();
        return mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? new YamlNode(File, value, Path.Length == 0 ? key : $"{Path}.{key}") : null;
    }

    public void OnlyKeys(params string[] allowed)
    {
        foreach (var (key, value) in RequireMapping().Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw new YamlNode(File, key, Path).Error($"unknown key '{name}' (expected one of: {string.Join(", ", allowed)})");
            }
        }
    }

    public IReadOnlyList<YamlNode> Items() => _node switch
    {
        YamlSequenceNode sequence => sequence.Children.Select((c, i) => new YamlNode(File, c, $"{Path}[{i.ToString(CultureInfo.InvariantCulture)}]")).ToList(),
        _ => throw Error("expected a list"),
    };

    public string Scalar() => _node is YamlScalarNode s ? s.Value ?? "" : throw Error("expected a single value");

    public string? String(string key) => Get(key)?.Scalar();

    public string RequiredString(string key) => String(key) is { Length: > 0 } value ? value : throw Error($"'{key}' is required");

    public IReadOnlyList<string> Strings(string key)
    {
        var node = Get(key);
        return node is null ? [] : node.IsScalar ? [node.Scalar()] : node.Items().Select(i => i.Scalar()).ToList();
    }

    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        var node = Get(key);
        return node is null ? new Dictionary<string, string>() : node.Keys.ToDictionary(k => k, k => node.Get(k)!.Scalar(), StringComparer.Ordinal);
    }

    public bool Bool(string key, bool fallback)
    {
        var node = Get(key);
        if (node is null)
        {
            return fallback;
        }

        return node.Scalar().ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            var other => throw node.Error($"expected true or false, not '{other}'"),
        };
    }

    public double Double(string key, double fallback) => Get(key) is not { } node
        ? fallback
        : double.TryParse(node.Scalar(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw node.Error($"'{node.Scalar()}' is not a number");

    /// <summary>A mapping of names to numbers, such as a trainer's parameters.</summary>
    public IReadOnlyDictionary<string, double> NumberMap(string key) =>
        Get(key) is { } map ? map.Keys.ToDictionary(k => k, k => map.Double(k, 0), StringComparer.Ordinal) : new Dictionary<string, double>();

    public int Int(string key, int fallback, int min = int.MinValue)
    {
        var node = Get(key);
        if (node is null)
        {
            return fallback;
        }

        return int.TryParse(node.Scalar(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw node.Error($"expected a whole number{(min > int.MinValue ? $" of at least {min}" : "")}, not '{node.Scalar()}'");
    }

    /// <summary>A duration: 500ms, 30s, 5m, 2h, 1d, or an hh:mm:ss time span.</summary>
    public TimeSpan? Duration(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        var text = node.Scalar().Trim();
        var units = new (string Suffix, Func<double, TimeSpan> Make)[] { ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours), ("d", TimeSpan.FromDays) };
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
            {
                return make(amount);
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero
            ? span
            : throw node.Error($"'{text}' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 1d)");
    }
}

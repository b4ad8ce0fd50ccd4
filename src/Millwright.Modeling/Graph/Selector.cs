using System.Text.RegularExpressions;
using Millwright.Modeling.Manifest;

namespace Millwright.Modeling.Graph;

/// <summary>
/// dbt's node selection: space-separated selectors are a union, commas inside one an intersection; each
/// criterion is a name or fqn, or method:value (tag, path, source, resource_type, fqn, package, config.KEY,
/// test_type, test_name), with graph operators +x, x+, N+x, x+N and @x. Tests of selected nodes are selected too, as
/// dbt's --indirect-selection says (eager by default).
/// </summary>
internal static partial class Selector
{
    public static HashSet<string> Select(ProjectManifest manifest, IReadOnlyList<string>? select, IReadOnlyList<string>? exclude, IndirectSelection indirect = IndirectSelection.Eager)
    {
        var selected = select is { Count: > 0 }
            ? Union(manifest, select)
            : manifest.Nodes.Values.Where(n => n.Type != NodeType.Source).Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        if (indirect != IndirectSelection.Empty && select is { Count: > 0 })
        {
            // A test's parents that need not be selected for it to run: none (cautious), those built before the
            // selection, i.e. its ancestors (buildable); eager needs only one parent selected.
            var ancestors = indirect == IndirectSelection.Buildable ? Walk(manifest, selected, down: false, int.MaxValue) : [];
            foreach (var node in manifest.Nodes.Values.Where(n => n.Type == NodeType.Test))
            {
                var parents = node.DependsOn.Where(d => manifest.Nodes.TryGetValue(d, out var parent) && parent.Type != NodeType.Source).ToList();
                var runs = node.UnitTest is { } unit
                    ? selected.Contains(unit.ModelId)
                    : node.DependsOn.Any(selected.Contains) && (indirect == IndirectSelection.Eager || parents.All(p => selected.Contains(p) || ancestors.Contains(p)));
                if (runs)
                {
                    selected.Add(node.UniqueId);
                }
            }
        }

        if (exclude is { Count: > 0 })
        {
            selected.ExceptWith(Union(manifest, exclude));
        }

        return selected;
    }

    private static HashSet<string> Union(ProjectManifest manifest, IReadOnlyList<string> specs)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            HashSet<string>? intersection = null;
            foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var matched = Atom(manifest, part);
                if (intersection is null)
                {
                    intersection = matched;
                }
                else
                {
                    intersection.IntersectWith(matched);
                }
            }

            result.UnionWith(intersection ?? []);
        }

        return result;
    }

    [GeneratedRegex(@"^(?<at>@)?(?:(?<up>\d*)\+)?(?<criterion>[^+]+?)(?:\+(?<down>\d*))?$")]
    private static partial Regex AtomPattern();

    private static HashSet<string> Atom(ProjectManifest manifest, string text)
    {
        var match = AtomPattern().Match(text);
        if (!match.Success)
        {
            throw new ModelingException($"cannot read the selector '{text}'");
        }

        var criterion = match.Groups["criterion"].Value;
        var seeds = Match(manifest, criterion);
        var result = new HashSet<string>(seeds, StringComparer.Ordinal);
        if (match.Groups["at"].Success)
        {
            var descendants = Walk(manifest, seeds, down: true, int.MaxValue);
            result.UnionWith(descendants);
            result.UnionWith(Walk(manifest, descendants.Concat(seeds), down: false, int.MaxValue));
            return result;
        }

        if (text.Contains('+', StringComparison.Ordinal) && match.Groups["up"].Success)
        {
            var depth = match.Groups["up"].Value is { Length: > 0 } u ? int.Parse(u, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
            result.UnionWith(Walk(manifest, seeds, down: false, depth));
        }

        if (match.Groups["down"].Success)
        {
            var depth = match.Groups["down"].Value is { Length: > 0 } d ? int.Parse(d, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
            result.UnionWith(Walk(manifest, seeds, down: true, depth));
        }

        return result;
    }

    private static HashSet<string> Walk(ProjectManifest manifest, IEnumerable<string> start, bool down, int depth)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var frontier = start.ToList();
        for (var level = 0; level < depth && frontier.Count > 0; level++)
        {
            var next = new List<string>();
            foreach (var id in frontier)
            {
                var neighbours = down ? manifest.Children[id] : manifest.Nodes[id].DependsOn;
                foreach (var n in neighbours)
                {
                    if (found.Add(n))
                    {
                        next.Add(n);
                    }
                }
            }

            frontier = next;
        }

        return found;
    }

    private static HashSet<string> Match(ProjectManifest manifest, string criterion)
    {
        var colon = criterion.IndexOf(':', StringComparison.Ordinal);
        var method = colon > 0 ? criterion[..colon] : null;
        var value = colon > 0 ? criterion[(colon + 1)..] : criterion;
        if (method is null)
        {
            method = value.Contains('/', StringComparison.Ordinal) || value.EndsWith(".sql", StringComparison.Ordinal) || value.EndsWith(".csv", StringComparison.Ordinal) ? "path" : "fqn";
        }

        Func<ManifestNode, bool> predicate = method switch
        {
            "fqn" => n => n.Type != NodeType.Source && FqnMatches(n, value),
            "tag" => n => n.Tags.Any(t => Glob(value, t)),
            "path" or "file" => n => PathMatches(n, value),
            "source" => n => n.Type == NodeType.Source && SourceMatches(n, value, manifest.ProjectName),
            "resource_type" => n => n.ResourceTypeName == value || (value == "data_test" && n.Type == NodeType.Test && n.UnitTest is null),
            "package" => n => Glob(value, n.Package),
            "test_type" => n => n.Type == NodeType.Test && value switch
            {
                "generic" => n.Test is not null,
                "singular" or "data" => n.Test is null && n.UnitTest is null,
                "unit" => n.UnitTest is not null,
                _ => false,
            },
            "test_name" => n => n.Test is { } t && Glob(value, t.TestName),
            _ when method.StartsWith("config.", StringComparison.Ordinal) => n => ConfigMatches(n, method["config.".Length..], value),
            _ => throw new ModelingException($"unknown selector method '{method}' in '{criterion}' (use fqn, tag, path, source, resource_type, package, test_type, test_name or config.KEY)"),
        };
        return manifest.Nodes.Values.Where(predicate).Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
    }

    private static bool FqnMatches(ManifestNode node, string value)
    {
        if (Glob(value, node.Name))
        {
            return true;
        }

        var parts = value.Split('.');
        var fqn = node.Fqn;
        bool PrefixMatch(IReadOnlyList<string> f)
        {
            if (parts.Length > f.Count)
            {
                return false;
            }

            for (var i = 0; i < parts.Length; i++)
            {
                if (!Glob(parts[i], f[i]))
                {
                    return false;
                }
            }

            return true;
        }

        return PrefixMatch(fqn) || (fqn.Count > 1 && PrefixMatch(fqn.Skip(1).ToList()));
    }

    private static bool PathMatches(ManifestNode node, string value)
    {
        var path = node.OriginalFilePath;
        var wanted = value.Replace('\\', '/').TrimEnd('/');
        if (wanted.StartsWith("./", StringComparison.Ordinal))
        {
            wanted = wanted[2..];
        }

        return path == wanted || path.StartsWith(wanted + "/", StringComparison.Ordinal) || Glob(wanted, path);
    }

    private static bool SourceMatches(ManifestNode node, string value, string project)
    {
        var parts = value.Split('.');
        var source = node.Source!;
        return parts.Length switch
        {
            1 => Glob(parts[0], source.SourceName),
            2 => (Glob(parts[0], source.SourceName) && Glob(parts[1], source.TableName)) || (parts[0] == project && Glob(parts[1], source.SourceName)),
            _ => parts[0] == project && Glob(parts[1], source.SourceName) && Glob(parts[2], source.TableName),
        };
    }

    private static bool ConfigMatches(ManifestNode node, string key, string value)
    {
        var configured = node.Config.Get(key);
        return configured switch
        {
            null => false,
            List<object?> list => list.Any(v => Templating.Py.Str(v) == value),
            bool b => b.ToString().Equals(value, StringComparison.OrdinalIgnoreCase),
            _ => Glob(value, Templating.Py.Str(configured)),
        };
    }

    /// <summary>Shell-style wildcard match (*, ?).</summary>
    private static bool Glob(string pattern, string text)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
        {
            return pattern == text;
        }

        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(text, regex, RegexOptions.None, TimeSpan.FromSeconds(1));
    }
}

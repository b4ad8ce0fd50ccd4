using System.Globalization;
using System.Text.RegularExpressions;

namespace Millwright.Orchestration.Definitions;

/// <summary>
/// The modeling engine's selection syntax over the asset graph. Terms separated by spaces are a union; atoms joined
/// by commas an intersection. An atom is a key pattern (<c>raw/*</c>, <c>fct_orders</c>, <c>*</c>) or
/// <c>key:</c>, <c>group:</c>, <c>tag:NAME</c> / <c>tag:NAME=VALUE</c>, <c>kind:</c>, <c>owner:</c>; with <c>+x</c> (every
/// upstream), <c>x+</c> (every downstream), <c>2+x</c> / <c>x+1</c> (that many levels) and <c>@x</c> (x, its
/// downstream and all their upstream).
/// </summary>
public static partial class AssetSelection
{
    public static IReadOnlyList<AssetKey> Select(Definitions definitions, string selection, string? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var selected = Evaluate(definitions, selection);
        if (!string.IsNullOrWhiteSpace(exclude))
        {
            selected.ExceptWith(Evaluate(definitions, exclude));
        }

        return definitions.TopologicalOrder.Where(selected.Contains).ToList();
    }

    private static HashSet<AssetKey> Evaluate(Definitions definitions, string selection)
    {
        if (string.IsNullOrWhiteSpace(selection))
        {
            throw new OrchestrationException("the selection is empty: name assets, e.g. '*', 'raw/*', '+fct_orders' or 'group:staging'");
        }

        var result = new HashSet<AssetKey>();
        foreach (var term in selection.Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            HashSet<AssetKey>? intersection = null;
            foreach (var atom in term.Split(','))
            {
                var keys = Atom(definitions, atom, selection);
                if (intersection is null)
                {
                    intersection = keys;
                }
                else
                {
                    intersection.IntersectWith(keys);
                }
            }

            result.UnionWith(intersection!);
        }

        return result;
    }

    private static HashSet<AssetKey> Atom(Definitions definitions, string atom, string selection)
    {
        var match = AtomPattern().Match(atom);
        if (!match.Success || match.Groups["body"].Value.Length == 0)
        {
            throw new OrchestrationException($"selection '{selection}': cannot read '{atom}'");
        }

        var at = match.Groups["at"].Success;
        int? up = match.Groups["up"].Success ? Depth(match.Groups["updepth"].Value) : null;
        int? down = match.Groups["down"].Success ? Depth(match.Groups["downdepth"].Value) : null;
        var body = match.Groups["body"].Value;
        var colon = body.IndexOf(':', StringComparison.Ordinal);
        var method = colon > 0 ? body[..colon] : "key";
        var value = colon > 0 ? body[(colon + 1)..] : body;
        var matches = definitions.Assets.Where(spec => method switch
        {
            "key" => Glob(value).IsMatch(spec.Key.Path),
            "group" => Glob(value).IsMatch(spec.GroupName),
            "kind" => spec.Kinds.Any(Glob(value).IsMatch),
            "owner" => spec.Owners.Any(Glob(value).IsMatch),
            "tag" => value.Contains('=', StringComparison.Ordinal)
                ? spec.Tags.TryGetValue(value[..value.IndexOf('=', StringComparison.Ordinal)], out var v) && Glob(value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..]).IsMatch(v)
                : spec.Tags.ContainsKey(value),
            _ => throw new OrchestrationException($"selection '{selection}': unknown method '{method}:' (use key:, group:, tag:, kind: or owner:)"),
        }).Select(s => s.Key).ToHashSet();

        if (matches.Count == 0 && method == "key" && !value.Contains('*', StringComparison.Ordinal))
        {
            throw new OrchestrationException($"selection '{selection}': no asset {value}" + Suggest(definitions, value));
        }

        var result = new HashSet<AssetKey>(matches);
        if (at)
        {
            var downstream = Walk(matches, definitions.Downstream, int.MaxValue);
            result.UnionWith(downstream);
            result.UnionWith(Walk(downstream.Concat(matches), definitions.Upstream, int.MaxValue));
            return result;
        }

        if (up is { } u)
        {
            result.UnionWith(Walk(matches, definitions.Upstream, u));
        }

        if (down is { } d)
        {
            result.UnionWith(Walk(matches, definitions.Downstream, d));
        }

        return result;
    }

    private static HashSet<AssetKey> Walk(IEnumerable<AssetKey> start, Func<AssetKey, IReadOnlyList<AssetKey>> next, int depth)
    {
        var seen = new HashSet<AssetKey>();
        var frontier = start.ToList();
        for (var level = 0; level < depth && frontier.Count > 0; level++)
        {
            frontier = frontier.SelectMany(next).Where(seen.Add).ToList();
        }

        return seen;
    }

    private static int Depth(string digits) => digits.Length == 0 ? int.MaxValue : int.Parse(digits, CultureInfo.InvariantCulture);

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    private static string Suggest(Definitions definitions, string value)
    {
        var close = definitions.TopologicalOrder.Where(k => k.Path.EndsWith("/" + value, StringComparison.Ordinal) || k.Path.Contains(value, StringComparison.OrdinalIgnoreCase)).Take(3).ToList();
        return close.Count > 0 ? $" (did you mean {string.Join(", ", close)}?)" : "";
    }

    [GeneratedRegex(@"^(?:(?<at>@)|(?<up>(?<updepth>\d*)\+))?(?<body>[^+@]*?)(?<down>\+(?<downdepth>\d*))?$")]
    private static partial Regex AtomPattern();
}

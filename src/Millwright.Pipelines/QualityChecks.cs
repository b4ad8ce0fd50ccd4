using System.Text.RegularExpressions;
using Millwright.Modeling;
using Millwright.Orchestration.Definitions;
using Millwright.Quality;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>
/// Six-dimension data quality on every raw table (a dbt source) and staging model of a pipeline: the rules come from
/// <c>meta: data_quality:</c> next to the table's YAML, from its dbt tests (not_null, unique, accepted_values,
/// relationships, accepted_range, unique_combination_of_columns) and from its source freshness, and are measured by a
/// <c>data_quality</c> asset check each time the table is materialized.
/// </summary>
internal static partial class QualityChecks
{
    public const string CheckName = "data_quality";

    private const string MetaKey = "data_quality";

    /// <summary>The rules of one dbt project's sources and staging models, by the asset key of each.</summary>
    public static Dictionary<AssetKey, TableRules> FromDbt(string project, IReadOnlyList<DbtNodeInfo> nodes, IReadOnlyDictionary<string, AssetKey> keyOf)
    {
        var byId = nodes.ToDictionary(n => n.UniqueId, StringComparer.Ordinal);
        var rules = new Dictionary<string, TableRules>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => keyOf.ContainsKey(n.UniqueId) && n.Schema is not null && n.Identifier is not null))
        {
            var measured = node.ResourceType == "source"
                || (node.ResourceType == "model" && (node.Meta.ContainsKey(MetaKey) || string.Equals(node.Schema, "staging", StringComparison.OrdinalIgnoreCase)));
            if (!measured)
            {
                continue;
            }

            var where = $"{project}/{node.OriginalFilePath}: {(node.ResourceType == "source" ? $"source {node.SourceName}.{node.TableName}" : $"model {node.Name}")}";
            if (RuleParser.Parse(new RelationName(node.Schema, node.Identifier!), node.Meta.GetValueOrDefault(MetaKey), where) is not { } declared)
            {
                continue;
            }

            if (node.Freshness is { } freshness && (freshness.ErrorAfter ?? freshness.WarnAfter) is { } maxAge && declared.Timeliness is null && Plain(freshness.LoadedAtField))
            {
                declared = declared with { Timeliness = new FreshnessRule(freshness.LoadedAtField, maxAge) };
            }

            rules[node.UniqueId] = declared;
        }

        foreach (var test in nodes.Where(n => n.ResourceType == "test" && n.Test is not null && n.AttachedNode is not null))
        {
            if (rules.TryGetValue(test.AttachedNode!, out var table) && FromTest(test, table, byId) is { } derived)
            {
                rules[test.AttachedNode!] = derived;
            }
        }

        return rules.ToDictionary(r => keyOf[r.Key], r => r.Value);
    }

    /// <summary>The computation with a data_quality check on each asset it computes that has rules.</summary>
    public static AssetsDefinition Attach(AssetsDefinition definition, IReadOnlyDictionary<AssetKey, TableRules> rules, DqScorer scorer)
    {
        var checks = definition.Specs.Where(s => rules.ContainsKey(s.Key)).Select(s => Check(s.Key, rules[s.Key], scorer)).ToList();
        return checks.Count == 0 ? definition : definition.WithChecks(checks);
    }

    private static AssetCheckSpec Check(AssetKey key, TableRules rules, DqScorer scorer)
    {
        var thresholds = rules.Thresholds.Count == 0 ? "no thresholds" : "least " + string.Join(", ", rules.Thresholds.Select(t => $"{Names.Of(t.Key)} {t.Value:0.###}"));
        return new AssetCheckSpec(CheckName, key)
        {
            Blocking = rules.Blocking,
            Description = $"Data quality of {rules.Table} in {string.Join(", ", rules.Dimensions.Select(Names.Of))} ({thresholds}); scores go to {DqScorer.ScoresTable}",
            Evaluate = async ctx =>
            {
                var scores = await scorer.MeasureAsync(rules, ctx.RunId, key.Path, ctx.CancellationToken).ConfigureAwait(false);
                var metadata = scores.Scores.ToDictionary(s => Names.Of(s.Dimension), s => (object?)Math.Round(s.Score, 4), StringComparer.Ordinal);
                metadata["rows_checked"] = scores.Scores.Count > 0 ? scores.Scores[0].RowsChecked : 0;
                return new CheckOutcome(scores.Passed, $"{rules.Table}: {scores.Summary()}", metadata);
            },
        };
    }

    private static TableRules? FromTest(DbtNodeInfo test, TableRules table, Dictionary<string, DbtNodeInfo> nodes)
    {
        var info = test.Test!;
        var column = info.Column ?? info.Arguments.GetValueOrDefault("column_name") as string;
        var origin = $"dbt test {test.Name}";
        if (info.Name == "unique_combination_of_columns" && info.Arguments.GetValueOrDefault("combination_of_columns") is IReadOnlyList<object?> combination
            && combination.All(c => c is string s && Plain(s)))
        {
            return table with { Keys = [.. table.Keys, combination.Cast<string>().ToList()] };
        }

        if (column is null || !Plain(column))
        {
            return null;
        }

        switch (info.Name)
        {
            case "not_null":
                return table with { Required = [.. table.Required, column] };
            case "unique":
                return table with { Keys = [.. table.Keys, [column]] };
            case "accepted_values" when info.Arguments.GetValueOrDefault("values") is IReadOnlyList<object?> values && values.All(v => v is not null):
                return table with { Rules = [.. table.Rules, new AcceptedValuesRule(DqDimension.Validity, column, values.Cast<object>().ToList()) { Origin = origin }] };
            case "accepted_range":
                double? Bound(string name) => info.Arguments.GetValueOrDefault(name) switch
                {
                    long l => l,
                    double d => d,
                    _ => null,
                };
                var min = Bound("min_value");
                var max = Bound("max_value");
                return min is null && max is null ? null : table with { Rules = [.. table.Rules, new RangeRule(DqDimension.Validity, column, min, max) { Origin = origin }] };
            case "relationships" when info.Arguments.GetValueOrDefault("field") is string field && Plain(field)
                && test.DependsOn.Skip(1).Select(d => nodes.GetValueOrDefault(d)).FirstOrDefault(n => n?.Schema is not null) is { } parent:
                return table with { Rules = [.. table.Rules, new ReferenceRule(DqDimension.Consistency, column, new RelationName(parent.Schema, parent.Identifier!), field) { Origin = origin }] };
            default:
                return null;
        }
    }

    /// <summary>A bare column name (dbt tests may name an expression instead, which is left to dbt).</summary>
    private static bool Plain(string column) => PlainColumn().IsMatch(column);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainColumn();
}

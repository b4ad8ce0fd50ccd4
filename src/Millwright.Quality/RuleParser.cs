using System.Globalization;
using System.Text.RegularExpressions;
using Millwright.Warehouse;

namespace Millwright.Quality;

/// <summary>
/// Reads the <c>data_quality</c> block that a table's YAML declares (under <c>meta:</c> of a dbt model or source table)
/// from its plain form: mappings, lists, strings, numbers and booleans as a YAML reader gives them.
/// </summary>
/// <example><code>
/// data_quality:
///   completeness: [vin, model_id]               # columns that must hold a value
///   uniqueness: [id, [order_id, line_number]]   # keys: a column or a combination
///   validity:
///     - {column: status, accepted_values: [OPEN, CLOSED]}
///     - {column: soc_pct, min: 0, max: 100}
///     - {column: vin, pattern: '[A-HJ-NPR-Z0-9]{17}'}
///   consistency:
///     - {column: model_id, references: raw.vehicle_models.id}
///     - ended_at >= started_at                  # any boolean SQL expression
///   accuracy:
///     - abs(hours - datediff('minute', started_at, ended_at) / 60.0) &lt; 0.01
///   timeliness: {column: recorded_at, max_age: 2d}
///   thresholds: {completeness: 0.99, uniqueness: 1, validity: 0.98}
///   blocking: false
/// </code></example>
public static partial class RuleParser
{
    private static readonly string[] Known = ["completeness", "uniqueness", "validity", "consistency", "accuracy", "timeliness", "thresholds", "blocking", "enabled"];

    /// <summary>The rules, or null when the block is <c>false</c> or says <c>enabled: false</c>.</summary>
    public static TableRules? Parse(RelationName table, object? block, string where)
    {
        ArgumentNullException.ThrowIfNull(table);
        switch (block)
        {
            case null or true:
                return new TableRules(table);
            case false:
                return null;
            case not IReadOnlyDictionary<string, object?>:
                throw new QualityException($"{where}: data_quality must be a mapping (completeness, uniqueness, validity, consistency, accuracy, timeliness, thresholds, blocking) or false");
        }

        var map = (IReadOnlyDictionary<string, object?>)block;
        if (map.Keys.FirstOrDefault(k => !Known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new QualityException($"{where}: data_quality.{unknown} is not a setting (use {string.Join(", ", Known)})");
        }

        if (map.TryGetValue("enabled", out var enabled) && enabled is false)
        {
            return null;
        }

        var rules = new List<RowRule>();
        foreach (var dimension in new[] { DqDimension.Validity, DqDimension.Consistency, DqDimension.Accuracy })
        {
            var name = Names.Of(dimension);
            if (map.TryGetValue(name, out var list) && list is not null)
            {
                var items = AsList(list, $"{where}: data_quality.{name}");
                for (var i = 0; i < items.Count; i++)
                {
                    rules.Add(RowRuleOf(dimension, items[i], $"{where}: data_quality.{name}[{i}]"));
                }
            }
        }

        return new TableRules(table)
        {
            Required = map.TryGetValue("completeness", out var required) && required is not null
                ? AsList(required, $"{where}: data_quality.completeness").Select((c, i) => Column(c, $"{where}: data_quality.completeness[{i}]")).ToList()
                : [],
            Keys = map.TryGetValue("uniqueness", out var keys) && keys is not null
                ? AsList(keys, $"{where}: data_quality.uniqueness").Select((k, i) => Key(k, $"{where}: data_quality.uniqueness[{i}]")).ToList()
                : [],
            Rules = rules,
            Timeliness = map.TryGetValue("timeliness", out var timeliness) && timeliness is not null ? Freshness(timeliness, $"{where}: data_quality.timeliness") : null,
            Thresholds = map.TryGetValue("thresholds", out var thresholds) && thresholds is not null ? Thresholds(thresholds, $"{where}: data_quality.thresholds") : new Dictionary<DqDimension, double>(),
            Blocking = map.TryGetValue("blocking", out var blocking) && blocking switch
            {
                bool b => b,
                null => false,
                _ => throw new QualityException($"{where}: data_quality.blocking must be true or false"),
            },
        };
    }

    /// <summary>An age such as <c>30m</c>, <c>12h</c>, <c>2d</c> or dbt's <c>{count: 12, period: hour}</c>.</summary>
    public static TimeSpan Age(object? value, string where)
    {
        switch (value)
        {
            case string text when AgePattern().Match(text.Trim()) is { Success: true } m:
                var count = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                return Unit(m.Groups[2].Value, count, where);
            case IReadOnlyDictionary<string, object?> map when map.TryGetValue("count", out var n) && Number(n) is { } count2 && map.TryGetValue("period", out var period) && period is string unit:
                return Unit(unit, count2, where);
            default:
                throw new QualityException($"{where}: '{value}' is not an age (write 30m, 12h, 2d or {{count: 12, period: hour}})");
        }
    }

    private static TimeSpan Unit(string unit, double count, string where) => unit.ToLowerInvariant() switch
    {
        "m" or "minute" or "minutes" => TimeSpan.FromMinutes(count),
        "h" or "hour" or "hours" => TimeSpan.FromHours(count),
        "d" or "day" or "days" => TimeSpan.FromDays(count),
        _ => throw new QualityException($"{where}: '{unit}' is not a unit of age (m, h, d; minute, hour, day)"),
    };

    private static RowRule RowRuleOf(DqDimension dimension, object? item, string where)
    {
        if (item is string sql)
        {
            return string.IsNullOrWhiteSpace(sql)
                ? throw new QualityException($"{where}: an empty expression")
                : new ExpressionRule(dimension, sql) { Origin = where };
        }

        if (item is not IReadOnlyDictionary<string, object?> map)
        {
            throw new QualityException($"{where}: a rule is a SQL expression or a mapping with column and one of accepted_values, min/max, pattern, references");
        }

        if (map.Keys.FirstOrDefault(k => k is not ("column" or "accepted_values" or "values" or "min" or "max" or "pattern" or "references" or "expression")) is { } unknown)
        {
            throw new QualityException($"{where}: '{unknown}' is not a field of a rule (column, accepted_values, min, max, pattern, references, expression)");
        }

        if (map.TryGetValue("expression", out var expression))
        {
            return RowRuleOf(dimension, expression as string ?? throw new QualityException($"{where}: expression must be text"), where);
        }

        var column = map.TryGetValue("column", out var c) ? Column(c, $"{where}.column") : throw new QualityException($"{where}: the rule names no column");
        if ((map.TryGetValue("accepted_values", out var values) || map.TryGetValue("values", out values)) && values is not null)
        {
            var list = AsList(values, $"{where}.accepted_values");
            return new AcceptedValuesRule(dimension, column, list.Select((v, i) => v ?? throw new QualityException($"{where}.accepted_values[{i}]: null is not a value (nulls pass; completeness counts them)")).ToList()) { Origin = where };
        }

        if (map.ContainsKey("min") || map.ContainsKey("max"))
        {
            double? Bound(string key) => map.TryGetValue(key, out var v) && v is not null
                ? Number(v) ?? throw new QualityException($"{where}.{key}: '{v}' is not a number")
                : null;
            return new RangeRule(dimension, column, Bound("min"), Bound("max")) { Origin = where };
        }

        if (map.TryGetValue("pattern", out var pattern))
        {
            var text = pattern as string ?? throw new QualityException($"{where}.pattern must be text");
            try
            {
                _ = new Regex(text, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw new QualityException($"{where}.pattern: '{text}' is not a regular expression: {e.Message}", e);
            }

            return new PatternRule(dimension, column, text) { Origin = where };
        }

        if (map.TryGetValue("references", out var references))
        {
            var text = references as string;
            var parts = text?.Split('.') ?? [];
            if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
            {
                throw new QualityException($"{where}.references: '{references}' is not schema.table.column (or table.column)");
            }

            var relation = parts.Length == 3 ? new RelationName(parts[0], parts[1]) : RelationName.Of(parts[0]);
            return new ReferenceRule(dimension, column, relation, parts[^1]) { Origin = where };
        }

        throw new QualityException($"{where}: the rule on {column} says nothing to check (accepted_values, min/max, pattern or references)");
    }

    private static FreshnessRule Freshness(object? value, string where)
    {
        if (value is not IReadOnlyDictionary<string, object?> map || !map.TryGetValue("column", out var column) || !map.TryGetValue("max_age", out var age))
        {
            throw new QualityException($"{where}: write {{column: <timestamp column>, max_age: 2d}}");
        }

        var maxAge = Age(age, $"{where}.max_age");
        return maxAge > TimeSpan.Zero ? new FreshnessRule(Column(column, $"{where}.column"), maxAge) : throw new QualityException($"{where}.max_age must be more than zero");
    }

    private static Dictionary<DqDimension, double> Thresholds(object? value, string where)
    {
        if (value is not IReadOnlyDictionary<string, object?> map)
        {
            throw new QualityException($"{where}: a mapping of dimension to the least score, e.g. {{completeness: 0.99}}");
        }

        var thresholds = new Dictionary<DqDimension, double>();
        foreach (var (name, v) in map)
        {
            var dimension = Names.Parse(name) ?? throw new QualityException($"{where}.{name}: not a dimension (use {string.Join(", ", Enum.GetValues<DqDimension>().Select(Names.Of))})");
            var least = Number(v) ?? throw new QualityException($"{where}.{name}: '{v}' is not a number");
            thresholds[dimension] = least is >= 0 and <= 1 ? least : throw new QualityException($"{where}.{name}: {least} is not a score between 0 and 1");
        }

        return thresholds;
    }

    private static List<string> Key(object? value, string where) => value switch
    {
        string column => [Column(column, where)],
        IReadOnlyList<object?> columns when columns.Count > 0 => columns.Select((c, i) => Column(c, $"{where}[{i}]")).ToList(),
        _ => throw new QualityException($"{where}: a key is a column or a list of columns"),
    };

    private static string Column(object? value, string where) =>
        value is string { Length: > 0 } name && !string.IsNullOrWhiteSpace(name) ? name.Trim() : throw new QualityException($"{where}: '{value}' is not a column name");

    private static IReadOnlyList<object?> AsList(object? value, string where) => value switch
    {
        IReadOnlyList<object?> list => list,
        string or IReadOnlyDictionary<string, object?> => [value],
        _ => throw new QualityException($"{where}: expected a list"),
    };

    private static double? Number(object? value) => value switch
    {
        int i => i,
        long l => l,
        double d => d,
        decimal m => (double)m,
        float f => f,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([a-zA-Z]+)$")]
    private static partial Regex AgePattern();
}

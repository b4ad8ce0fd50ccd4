using Millwright.Warehouse;

namespace Millwright.Quality;

/// <summary>The six dimensions of data quality (DAMA), each scored between 0 and 1 per table.</summary>
public enum DqDimension
{
    /// <summary>Share of required cells that hold a value.</summary>
    Completeness,

    /// <summary>Share of rows that do not repeat a key already seen.</summary>
    Uniqueness,

    /// <summary>Share of rows whose values are of the allowed set, range or pattern.</summary>
    Validity,

    /// <summary>Share of rows that agree with themselves and with the tables they reference.</summary>
    Consistency,

    /// <summary>Share of rows that agree with a reference truth (physics, arithmetic, another record of the same fact).</summary>
    Accuracy,

    /// <summary>How recent the newest row is against the age the table may reach.</summary>
    Timeliness,
}

/// <summary>
/// A rule a row passes or fails, in one dimension. NULL passes: a missing value is completeness's concern, as in dbt's
/// accepted_values and relationships tests.
/// </summary>
public abstract record RowRule(DqDimension Dimension)
{
    /// <summary>Where the rule was declared, for messages: a file and field, or the dbt test it comes from.</summary>
    public string Origin { get; init; } = "";

    /// <summary>The columns the rule names, checked against the table before it is measured.</summary>
    public abstract IReadOnlyList<string> Columns { get; }
}

/// <summary>The column's value is one of the listed values.</summary>
public sealed record AcceptedValuesRule(DqDimension Dimension, string Column, IReadOnlyList<object> Values) : RowRule(Dimension)
{
    public override IReadOnlyList<string> Columns => [Column];
}

/// <summary>The column's value lies within [Min, Max]; an absent bound is open.</summary>
public sealed record RangeRule(DqDimension Dimension, string Column, double? Min, double? Max) : RowRule(Dimension)
{
    public override IReadOnlyList<string> Columns => [Column];
}

/// <summary>The column's whole text matches a regular expression.</summary>
public sealed record PatternRule(DqDimension Dimension, string Column, string Pattern) : RowRule(Dimension)
{
    public override IReadOnlyList<string> Columns => [Column];
}

/// <summary>The column's value exists in a column of another table (referential integrity).</summary>
public sealed record ReferenceRule(DqDimension Dimension, string Column, RelationName Table, string TableColumn) : RowRule(Dimension)
{
    public override IReadOnlyList<string> Columns => [Column];
}

/// <summary>A boolean SQL expression over the row's columns, written by the pipeline's owners.</summary>
public sealed record ExpressionRule(DqDimension Dimension, string Sql) : RowRule(Dimension)
{
    public override IReadOnlyList<string> Columns => [];
}

/// <summary>The newest value of a timestamp column should be at most MaxAge old.</summary>
public sealed record FreshnessRule(string Column, TimeSpan MaxAge);

/// <summary>Everything measured on one table.</summary>
public sealed record TableRules(RelationName Table)
{
    /// <summary>Columns that must hold a value; every column whose name does not start with '_' when empty.</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>Keys that identify a row: each a column or a combination of columns.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Keys { get; init; } = [];

    public IReadOnlyList<RowRule> Rules { get; init; } = [];

    public FreshnessRule? Timeliness { get; init; }

    /// <summary>The least score each dimension must reach for the check to pass.</summary>
    public IReadOnlyDictionary<DqDimension, double> Thresholds { get; init; } = new Dictionary<DqDimension, double>();

    /// <summary>Whether a failed check stops what depends on the table.</summary>
    public bool Blocking { get; init; }

    /// <summary>The dimensions this table is scored in: completeness always, the others where a rule exists.</summary>
    public IEnumerable<DqDimension> Dimensions =>
        Enum.GetValues<DqDimension>().Where(d => d switch
        {
            DqDimension.Completeness => true,
            DqDimension.Uniqueness => Keys.Count > 0,
            DqDimension.Timeliness => Timeliness is not null,
            _ => Rules.Any(r => r.Dimension == d),
        });

    /// <summary>Both sets of rules on one table (two projects may declare the same source); the stricter threshold wins.</summary>
    public TableRules Merge(TableRules other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var thresholds = new Dictionary<DqDimension, double>(Thresholds);
        foreach (var (dimension, value) in other.Thresholds)
        {
            thresholds[dimension] = thresholds.TryGetValue(dimension, out var mine) ? Math.Max(mine, value) : value;
        }

        return this with
        {
            Required = Required.Union(other.Required, StringComparer.Ordinal).ToList(),
            Keys = Keys.Concat(other.Keys).DistinctBy(k => string.Join('\0', k), StringComparer.Ordinal).ToList(),
            Rules = Rules.Union(other.Rules).ToList(),
            Timeliness = other.Timeliness is { } theirs && (Timeliness is null || theirs.MaxAge < Timeliness.MaxAge) ? theirs : Timeliness,
            Thresholds = thresholds,
            Blocking = Blocking || other.Blocking,
        };
    }
}

/// <summary>One dimension's score on one table.</summary>
public sealed record DqScore(DqDimension Dimension, double Score, long RowsChecked, long? FailedRows, double? Threshold)
{
    public bool Passed => Threshold is not { } least || Score >= least;
}

/// <summary>A table's scores from one measurement.</summary>
public sealed record TableScores(RelationName Table, IReadOnlyList<DqScore> Scores, DateTime MeasuredAt)
{
    public bool Passed => Scores.All(s => s.Passed);

    /// <summary>Rules left out of this measurement, with the reason.</summary>
    public IReadOnlyList<string> Unmeasured { get; init; } = [];

    /// <summary>One line: each dimension's score, the threshold it missed, and what was not measured.</summary>
    public string Summary() =>
        string.Join(", ", Scores.Select(s => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Names.Of(s.Dimension)} {s.Score:0.000}{(s.Passed ? "" : $" (below {s.Threshold:0.###})")}")))
        + (Unmeasured.Count == 0 ? "" : "; not measured: " + string.Join("; ", Unmeasured));
}

/// <summary>Dimension names as written in YAML and stored in quality.dq_scores.</summary>
public static class Names
{
    public static string Of(DqDimension dimension) => dimension.ToString().ToLowerInvariant();

    public static DqDimension? Parse(string name) =>
        Enum.GetValues<DqDimension>().Cast<DqDimension?>().FirstOrDefault(d => string.Equals(Of(d!.Value), name.Trim(), StringComparison.OrdinalIgnoreCase));
}

using System.Globalization;
using System.Text;
using Millwright.Warehouse;

namespace Millwright.Quality;

/// <summary>
/// Measures a table's six dimensions in one pass over it (plus one grouped pass per key) and appends the scores to
/// <c>quality.dq_scores</c>; <c>quality.dq_latest</c> and <c>quality.dq_daily</c> read them back. Scores:
/// completeness = filled required cells / (rows x required columns); uniqueness = 1 - rows repeating a key already
/// seen / rows (the worst key); validity, consistency, accuracy = rows that break none of the dimension's rules / rows;
/// timeliness = 1 while the newest row is at most max_age old, then max_age / age (0 for an empty table). An empty
/// table scores 1 in the row dimensions, with 0 rows checked.
/// </summary>
public sealed class DqScorer(IWarehouse warehouse, TimeProvider? time = null)
{
    public static readonly RelationName ScoresTable = new("quality", "dq_scores");

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Lazy<Task>? _ensured;

    public async Task<TableScores> MeasureAsync(TableRules rules, string runId, string assetKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var dialect = warehouse.Dialect;
        var columns = await warehouse.GetColumnsAsync(rules.Table, cancellationToken).ConfigureAwait(false);
        if (columns.Count == 0)
        {
            throw new QualityException($"data quality of {rules.Table}: the table does not exist");
        }

        // A reference to a table that does not exist yet (loaded later in the same run) is left out and said so.
        var unmeasured = new List<string>();
        foreach (var reference in rules.Rules.OfType<ReferenceRule>().ToList())
        {
            if (await warehouse.GetRelationAsync(reference.Table, cancellationToken).ConfigureAwait(false) is null)
            {
                unmeasured.Add($"{Names.Of(reference.Dimension)} rule on {reference.Column} ({reference.Table} does not exist)");
                rules = rules with { Rules = rules.Rules.Where(r => !ReferenceEquals(r, reference)).ToList() };
            }
        }

        var names = columns.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        string Col(string column, string origin) => names.Contains(column)
            ? dialect.QuoteIdentifier(columns.First(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase)).Name)
            : throw new QualityException($"{origin}: {rules.Table} has no column '{column}' (it has {string.Join(", ", columns.Select(c => c.Name))})");

        var required = rules.Required.Count > 0
            ? rules.Required.Select(c => Col(c, $"data quality of {rules.Table}: completeness")).ToList()
            : columns.Where(c => !c.Name.StartsWith('_')).Select(c => dialect.QuoteIdentifier(c.Name)).ToList();
        var table = dialect.Render(rules.Table);
        var select = new StringBuilder("SELECT CAST(COUNT(*) AS BIGINT) AS n");
        select.Append(", CAST(COALESCE(SUM(").Append(required.Count == 0 ? "0" : string.Join(" + ", required.Select(c => $"CASE WHEN t.{c} IS NULL THEN 1 ELSE 0 END"))).Append("), 0) AS BIGINT) AS missing_cells");
        select.Append(", CAST(COALESCE(SUM(CASE WHEN ").Append(required.Count == 0 ? "FALSE" : string.Join(" OR ", required.Select(c => $"t.{c} IS NULL"))).Append(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS incomplete_rows");
        var rowDimensions = new[] { DqDimension.Validity, DqDimension.Consistency, DqDimension.Accuracy }.Where(d => rules.Rules.Any(r => r.Dimension == d)).ToList();
        foreach (var dimension in rowDimensions)
        {
            var broken = rules.Rules.Where(r => r.Dimension == dimension).Select(r => $"NOT COALESCE({Predicate(r, Col)}, TRUE)");
            select.Append(", CAST(COALESCE(SUM(CASE WHEN ").Append(string.Join(" OR ", broken)).Append(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS ").Append(Names.Of(dimension));
        }

        for (var i = 0; i < rules.Keys.Count; i++)
        {
            var key = rules.Keys[i].Select(c => Col(c, $"data quality of {rules.Table}: uniqueness")).ToList();
            select.Append(", (SELECT CAST(COALESCE(SUM(c - 1), 0) AS BIGINT) FROM (SELECT COUNT(*) AS c FROM ").Append(table)
                .Append(" WHERE ").Append(string.Join(" AND ", key.Select(k => $"{k} IS NOT NULL")))
                .Append(" GROUP BY ").Append(string.Join(", ", key)).Append(" HAVING COUNT(*) > 1) AS duplicates) AS repeated_").Append(i.ToString(CultureInfo.InvariantCulture));
        }

        if (rules.Timeliness is { } freshness)
        {
            select.Append(", MAX(t.").Append(Col(freshness.Column, $"data quality of {rules.Table}: timeliness")).Append(") AS newest");
        }

        select.Append(" FROM ").Append(table).Append(" AS t");

        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        try
        {
            await using var result = await warehouse.QueryAsync(select.ToString(), cancellationToken).ConfigureAwait(false);
            if (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    row[result.Columns[i].Name] = result.GetValue(i);
                }
            }
        }
        catch (WarehouseException e)
        {
            throw new QualityException($"data quality of {rules.Table}: {e.Message} (rules: {string.Join("; ", rules.Rules.Select(r => r.Origin).Where(o => o.Length > 0).Distinct())})", e);
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var rows = Long(row["n"]);
        double Share(long failed) => rows == 0 ? 1 : Math.Clamp(1 - ((double)failed / rows), 0, 1);
        double? Threshold(DqDimension d) => rules.Thresholds.TryGetValue(d, out var t) ? t : null;
        var scores = new List<DqScore>();
        foreach (var dimension in rules.Dimensions)
        {
            scores.Add(dimension switch
            {
                DqDimension.Completeness => new DqScore(dimension, rows == 0 || required.Count == 0 ? 1 : Math.Clamp(1 - ((double)Long(row["missing_cells"]) / (rows * required.Count)), 0, 1), rows, Long(row["incomplete_rows"]), Threshold(dimension)),
                DqDimension.Uniqueness => Worst(Enumerable.Range(0, rules.Keys.Count).Select(i => Long(row[$"repeated_{i}"])).Max()),
                DqDimension.Timeliness => new DqScore(dimension, Timeliness(row["newest"], rules.Timeliness!.MaxAge, now), rows, null, Threshold(dimension)),
                _ => new DqScore(dimension, Share(Long(row[Names.Of(dimension)])), rows, Long(row[Names.Of(dimension)]), Threshold(dimension)),
            });

            DqScore Worst(long repeated) => new(dimension, Share(repeated), rows, repeated, Threshold(dimension));
        }

        var measured = new TableScores(rules.Table, scores, now) { Unmeasured = unmeasured };
        await AppendAsync(measured, runId, assetKey, cancellationToken).ConfigureAwait(false);
        return measured;
    }

    private string Predicate(RowRule rule, Func<string, string, string> column)
    {
        var dialect = warehouse.Dialect;
        return rule switch
        {
            AcceptedValuesRule r => $"t.{column(r.Column, r.Origin)} IN ({string.Join(", ", r.Values.Select(dialect.Literal))})",
            RangeRule r => string.Join(" AND ", new[]
            {
                r.Min is { } min ? $"t.{column(r.Column, r.Origin)} >= {dialect.Literal(min)}" : null,
                r.Max is { } max ? $"t.{column(r.Column, r.Origin)} <= {dialect.Literal(max)}" : null,
            }.OfType<string>().DefaultIfEmpty("TRUE")),
            PatternRule r => dialect.RegexFullMatch($"t.{column(r.Column, r.Origin)}", r.Pattern),
            ReferenceRule r => $"(t.{column(r.Column, r.Origin)} IS NULL OR EXISTS (SELECT 1 FROM {dialect.Render(r.Table)} AS referenced WHERE referenced.{dialect.QuoteIdentifier(r.TableColumn)} = t.{column(r.Column, r.Origin)}))",
            ExpressionRule r => $"({r.Sql})",
            _ => throw new QualityException($"{rule.Origin}: a rule of kind {rule.GetType().Name} cannot be measured"),
        };
    }

    private static double Timeliness(object? newest, TimeSpan maxAge, DateTime now)
    {
        DateTime? at = newest switch
        {
            DateTime dt => dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt,
            DateTimeOffset dto => dto.UtcDateTime,
            DateOnly d => d.ToDateTime(TimeOnly.MinValue),
            string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => null,
        };
        if (at is null)
        {
            return 0;
        }

        var age = now - at.Value;
        return age <= maxAge ? 1 : Math.Clamp(maxAge / age, 0, 1);
    }

    private static long Long(object? value) => value switch
    {
        null or DBNull => 0,
        System.Numerics.BigInteger big => (long)big,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    private async Task AppendAsync(TableScores scores, string runId, string assetKey, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var dialect = warehouse.Dialect;
        var values = scores.Scores.Select(s => "(" + string.Join(", ",
            dialect.Literal(scores.Table.ToString()),
            dialect.Literal(Names.Of(s.Dimension)),
            dialect.Literal(Math.Round(s.Score, 6)),
            dialect.Literal(s.RowsChecked),
            dialect.Literal(s.FailedRows),
            dialect.Literal(s.Threshold),
            dialect.Literal(s.Passed),
            dialect.Literal(scores.MeasuredAt),
            dialect.Literal(runId),
            dialect.Literal(assetKey)) + ")");
        await warehouse.ExecuteAsync(
            $"INSERT INTO {dialect.Render(ScoresTable)} (table_name, dimension, score, rows_checked, failed_rows, threshold, passed, measured_at, run_id, asset_key) VALUES {string.Join(", ", values)}",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates quality.dq_scores and its views once per scorer (and leaves an existing table as it is); tried again after a failure.</summary>
    private Task EnsureAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _ensured);
        if (current is null || current.Value.IsFaulted || current.Value.IsCanceled)
        {
            var fresh = new Lazy<Task>(() => CreateAsync(CancellationToken.None));
            current = Interlocked.CompareExchange(ref _ensured, fresh, current) == current ? fresh : Volatile.Read(ref _ensured)!;
        }

        return current.Value.WaitAsync(cancellationToken);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var dialect = warehouse.Dialect;
        await warehouse.CreateSchemaAsync("quality", cancellationToken).ConfigureAwait(false);
        if (await warehouse.GetRelationAsync(ScoresTable, cancellationToken).ConfigureAwait(false) is null)
        {
            await warehouse.ExecuteAsync(dialect.CreateTable(ScoresTable,
            [
                new("table_name", LogicalType.Text, false),
                new("dimension", LogicalType.Text, false),
                new("score", LogicalType.Float64, false),
                new("rows_checked", LogicalType.Int64, false),
                new("failed_rows", LogicalType.Int64),
                new("threshold", LogicalType.Float64),
                new("passed", LogicalType.Boolean, false),
                new("measured_at", LogicalType.Timestamp, false),
                new("run_id", LogicalType.Text, false),
                new("asset_key", LogicalType.Text, false),
            ]), cancellationToken).ConfigureAwait(false);
        }

        var scores = dialect.Render(ScoresTable);
        await warehouse.CreateOrReplaceAsync(new RelationName("quality", "dq_latest"), RelationKind.View,
            $"""
            SELECT table_name, dimension, score, rows_checked, failed_rows, threshold, passed, measured_at, run_id, asset_key, previous_score, score - previous_score AS change
            FROM (
                SELECT s.*, ROW_NUMBER() OVER (PARTITION BY table_name, dimension ORDER BY measured_at DESC) AS recency,
                       LEAD(score) OVER (PARTITION BY table_name, dimension ORDER BY measured_at DESC) AS previous_score
                FROM {scores} AS s
            ) AS ranked
            WHERE recency = 1
            """, cancellationToken).ConfigureAwait(false);
        await warehouse.CreateOrReplaceAsync(new RelationName("quality", "dq_daily"), RelationKind.View,
            $"""
            SELECT CAST(measured_at AS DATE) AS day, table_name, dimension, AVG(score) AS avg_score, MIN(score) AS min_score,
                   COUNT(*) AS measurements, CAST(SUM(CASE WHEN passed THEN 0 ELSE 1 END) AS BIGINT) AS failed_measurements
            FROM {scores}
            GROUP BY CAST(measured_at AS DATE), table_name, dimension
            """, cancellationToken).ConfigureAwait(false);
    }
}

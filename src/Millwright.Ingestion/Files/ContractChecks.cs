using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>The work relations of one load, in the in-memory database attached for it.</summary>
internal sealed record WorkNames(string LoadId)
{
    /// <summary>The attached in-memory database: no log, no checkpoint.</summary>
    public const string Database = "ingest_mem";

    /// <summary>View: every row read, with its row id, line and one value per contract column.</summary>
    public string Stage => $"{Database}.s_{LoadId}";

    /// <summary>Lines the reader refused (one row per line, with the first error).</summary>
    public string Rejects => $"{Database}.r_{LoadId}";

    /// <summary>The rows as read.</summary>
    public string Read => $"{Database}.c_{LoadId}";

    /// <summary>A JSON lines file as read, one line per row.</summary>
    public string Lines => $"{Database}.l_{LoadId}";

    /// <summary>For a CSV whose reader refused some lines, what gives each row its line (see <see cref="FileReader"/>).</summary>
    public string Steps => $"{Database}.t_{LoadId}";

    /// <summary>Rows whose primary key repeats an earlier row's.</summary>
    public string Repeats => $"{Database}.d_{LoadId}";
}

/// <summary>
/// What a read produced: the header-to-column mapping, the contract columns the reader already gave their contract
/// type (the rest are text, cast and checked here), and how a refused line's error reads as a rule.
/// </summary>
internal sealed record StagedRead(IReadOnlyDictionary<string, string> Mapping, IReadOnlySet<string> Typed, string RejectRule);

/// <summary>
/// A contract's rules as SQL over a load's stage view: one vectorized predicate for the rows that keep them all (good
/// rows are never given a message), the first rule each other row breaks with a readable message, the primary key,
/// and the typed rows to load.
/// </summary>
internal sealed class ContractChecks(DataContract contract, WorkNames names, StagedRead read)
{
    private readonly List<(string When, string Then)> _rules = Rules(contract, c => IsTyped(c, read.Typed));

    /// <summary>Whether some rows repeat an earlier row's primary key (see <see cref="MarkRepeatsAsync"/>).</summary>
    private bool _repeats;

    /// <summary>Whether <see cref="CountAsync"/> found that every row keeps every rule.</summary>
    private bool _clean;

    /// <summary>True for a row that keeps every per-row rule.</summary>
    public string Passes => _rules.Count == 0 ? "true" : $"NOT coalesce({string.Join(" OR ", _rules.Select(r => $"({r.When})"))}, false)";

    /// <summary>The rows to load: every per-row rule kept and no repeated key (every row, once counted and none broke a rule).</summary>
    public string GoodWhere => _clean ? "true" : _repeats ? $"{Passes} AND __rid NOT IN (SELECT __rid FROM {names.Repeats})" : Passes;

    /// <summary>The rows the contract refuses: line, the first rule broken, and the row as JSON.</summary>
    public string Broken =>
        $"""
        SELECT __line AS line, {(_rules.Count == 0 ? "CAST(NULL AS VARCHAR)" : $"CASE {string.Join(" ", _rules.Select(r => $"WHEN {r.When} THEN {r.Then}"))} END")} AS rule, {Record()} AS record
        FROM {names.Stage} WHERE NOT ({Passes})
        {(_repeats ? $"UNION ALL SELECT __line, rule, record FROM {names.Repeats}" : "")}
        """;

    /// <summary>All rejected rows (rules broken, then lines the reader refused): line, rule, record.</summary>
    public string Rejected =>
        $"""
        SELECT line, rule, record FROM ({Broken})
        UNION ALL
        SELECT line, {read.RejectRule}, csv_line FROM {names.Rejects}
        """;

    /// <summary>The load's rows with the contract's types and their lineage.</summary>
    public string TypedSelect(TargetShape shape, DateTimeOffset started) =>
        $"""
        SELECT {string.Join(", ", contract.Columns.Select(c => $"{Typed(c, Q(c.Name))} AS {Q(c.Name)}"))},
               {(shape.LoadIdIsText ? Literal(names.LoadId) : $"CAST({Literal(names.LoadId)} AS UUID)")} AS _load_id,
               {(shape.SourceFile is { } file ? $"{Literal(file)} AS _source_file, " : "")}CAST(__line AS BIGINT) AS _source_line,
               TIMESTAMP '{started.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}' AS _loaded_at
        FROM {names.Stage} WHERE {GoodWhere}
        """;

    /// <summary>
    /// Counts good, broken and refused rows; the first rejection by line, for the error of a failed load. Only the
    /// broken rows are counted by the predicate (DuckDB folds it away where the read's statistics show no row can break
    /// a rule); the good ones are the rest.
    /// </summary>
    public async Task<(long Good, long Broken, long Refused, string? First)> CountAsync(IWarehouse engine, CancellationToken cancellationToken)
    {
        await using var result = await engine.QueryAsync(
            $"""
            SELECT (SELECT count(*) FROM {names.Read}),
                   (SELECT count(*) FROM {names.Stage} WHERE NOT ({Passes})),
                   {(_repeats ? $"(SELECT count(*) FROM {names.Repeats})" : "0")},
                   (SELECT count(*) FROM {names.Rejects})
            """, cancellationToken).ConfigureAwait(false);
        await result.ReadAsync(cancellationToken).ConfigureAwait(false);
        long Long(int i) => Convert.ToInt64(result.GetValue(i), CultureInfo.InvariantCulture);
        var (rows, failing, repeats, refused) = (Long(0), Long(1), Long(2), Long(3));
        _clean = failing + repeats == 0;
        var first = failing + repeats + refused == 0
            ? null
            : await engine.QueryScalarAsync($"SELECT 'line ' || line || ': ' || rule FROM ({Rejected}) ORDER BY line LIMIT 1", cancellationToken).ConfigureAwait(false) as string;
        return (rows - failing - repeats, failing + repeats, refused, first);
    }

    /// <summary>Marks rows whose primary key repeats an earlier row's among the rows that keep every rule (the earlier row stays).</summary>
    public async Task MarkRepeatsAsync(IWarehouse engine, CancellationToken cancellationToken)
    {
        if (contract.PrimaryKey.Count == 0)
        {
            return;
        }

        var key = string.Join(", ", contract.PrimaryKey.Select(k => Typed(contract.Columns.First(c => c.Name == k), Q(k))));
        var repeats = Convert.ToInt64(await engine.QueryScalarAsync($"SELECT count(*) FROM (SELECT {key} FROM {names.Stage} WHERE {Passes} GROUP BY ALL HAVING count(*) > 1)", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (repeats == 0)
        {
            return;
        }

        var shown = string.Join(" || ', ' || ", contract.PrimaryKey.Select(k => $"coalesce(CAST({Q(k)} AS VARCHAR), 'NULL')"));
        await engine.ExecuteAsync(
            $"""
            CREATE TABLE {names.Repeats} AS
            SELECT __rid, __line, 'unique: primary key ({Escape(string.Join(", ", contract.PrimaryKey))}) = (' || {shown} || ') repeats line ' || first_line AS rule, record
            FROM (SELECT __rid, __line, {string.Join(", ", contract.PrimaryKey.Select(Q))}, {Record()} AS record,
                         first_value(__line) OVER (PARTITION BY {key} ORDER BY __line) AS first_line, row_number() OVER (PARTITION BY {key} ORDER BY __line) AS n
                  FROM {names.Stage} WHERE {Passes})
            WHERE n > 1
            """,
            cancellationToken).ConfigureAwait(false);
        _repeats = true;
    }

    /// <summary>Whether a column's stage value has its contract type already: text, or typed by the reader.</summary>
    private static bool IsTyped(ContractColumn c, IReadOnlySet<string> typedByReader) => c.Type == ColumnType.String || (c.Source == ColumnSource.File && typedByReader.Contains(c.Name));

    private string Typed(ContractColumn c, string v) => IsTyped(c, read.Typed) ? v : TryCast(c, v);

    private string Record() => $"to_json({{{string.Join(", ", contract.Columns.Select(c => $"{Literal(c.Name)}: {Q(c.Name)}"))}}})::VARCHAR";

    /// <summary>Every per-row rule of the contract, in column order: the condition and the message (SQL).</summary>
    private static List<(string When, string Then)> Rules(DataContract contract, Func<ContractColumn, bool> isTyped)
    {
        var rules = new List<(string When, string Then)>();
        foreach (var c in contract.Columns)
        {
            var v = Q(c.Name);
            var typed = isTyped(c);
            var numeric = c.Type is ColumnType.Integer or ColumnType.Double;
            // A typed value shown in a message reads as written: a whole number without DuckDB's ".0".
            var text = !typed || c.Type == ColumnType.String ? v : c.Type == ColumnType.Double ? $"regexp_replace(CAST({v} AS VARCHAR), '\\.0$', '')" : $"CAST({v} AS VARCHAR)";
            if (!c.Nullable)
            {
                rules.Add(($"{v} IS NULL", $"'not_null: {c.Name} is missing'"));
            }

            if (!typed)
            {
                rules.Add(($"{v} IS NOT NULL AND {TryCast(c, v)} IS NULL", $"'type: {c.Name} is not {Article(c.Type)}: ''' || {v} || ''''"));
            }

            if (c.Allowed.Count > 0)
            {
                var allowed = typed && c.Type != ColumnType.String
                    ? $"list_contains([{string.Join(", ", c.Allowed.Select(a => TryCast(c, Literal(a))))}], {v})"
                    : $"list_contains([{string.Join(", ", c.Allowed.Select(Literal))}], {v})";
                rules.Add(($"{v} IS NOT NULL AND NOT {allowed}", $"'allowed: {c.Name} is ''' || {text} || ''', not one of {Escape(string.Join(", ", c.Allowed))}'"));
            }

            // Ranges hold for numbers (and for text that reads as one); a typed date or flag has none.
            var number = typed && numeric ? v : !typed || c.Type == ColumnType.String ? $"TRY_CAST({v} AS DOUBLE)" : null;
            if (c.Min is { } min && number is not null)
            {
                rules.Add(($"{number} < {min.ToString(CultureInfo.InvariantCulture)}", $"'range: {c.Name} is ' || {text} || ', below the minimum {min.ToString(CultureInfo.InvariantCulture)}'"));
            }

            if (c.Max is { } max && number is not null)
            {
                rules.Add(($"{number} > {max.ToString(CultureInfo.InvariantCulture)}", $"'range: {c.Name} is ' || {text} || ', above the maximum {max.ToString(CultureInfo.InvariantCulture)}'"));
            }

            if (c.Pattern is { } pattern)
            {
                rules.Add(($"{v} IS NOT NULL AND NOT regexp_full_match({text}, {Literal(pattern)})", $"'pattern: {c.Name} ''' || {text} || ''' does not match {Escape(pattern)}'"));
            }
        }

        return rules;
    }

    internal static string TryCast(ContractColumn c, string v) => c.Type switch
    {
        ColumnType.Integer => $"TRY_CAST({v} AS BIGINT)",
        ColumnType.Double => $"TRY_CAST({v} AS DOUBLE)",
        ColumnType.Boolean => $"TRY_CAST({v} AS BOOLEAN)",
        ColumnType.Date => c.Format is { } f ? $"CAST(try_strptime({v}, {Literal(f)}) AS DATE)" : $"TRY_CAST({v} AS DATE)",
        ColumnType.Timestamp => c.Format is { } f ? $"try_strptime({v}, {Literal(f)})" : $"TRY_CAST({v} AS TIMESTAMP)",
        _ => v,
    };

    internal static string Article(ColumnType type) => type switch
    {
        ColumnType.Integer => "an integer",
        ColumnType.Double => "a number",
        ColumnType.Boolean => "a boolean",
        ColumnType.Date => "a date",
        ColumnType.Timestamp => "a timestamp",
        _ => "text",
    };

    private static string Q(string identifier) => FileIngestor.Q(identifier);

    private static string Literal(string value) => FileIngestor.Literal(value);

    internal static string Escape(string text) => text.Replace("'", "''", StringComparison.Ordinal);
}

/// <summary>The raw table a load writes to: its DDL, and the lineage columns an older table has its own way.</summary>
internal sealed record TargetShape(IReadOnlyList<string> Ddl, bool LoadIdIsText, string? SourceFile)
{
    /// <summary>The shape of a new raw table (the Parquet copy has it too).</summary>
    public static TargetShape New { get; } = new([], false, null);
}

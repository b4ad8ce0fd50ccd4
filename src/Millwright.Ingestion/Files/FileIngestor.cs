using System.Diagnostics;
using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>How file loads run.</summary>
public sealed record IngestionOptions
{
    /// <summary>Root of the Parquet raw layer: {root}/{source}/load_date=YYYY-MM-DD/{load_id}.parquet. None when null.</summary>
    public string? RawLayerPath { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called after each step of a load with its name and how long it took (for --verbose and benchmarks).</summary>
    public Action<string, TimeSpan>? OnStep { get; init; }
}

public enum LoadStatus
{
    Success,
    Failed,
    Skipped,
}

/// <summary>What one load did; also its audit record.</summary>
public sealed record LoadResult(
    string LoadId,
    string Source,
    string File,
    string Checksum,
    int ContractVersion,
    LoadStatus Status,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    TimeSpan Duration,
    DateTimeOffset StartedAt,
    string? Error)
{
    /// <summary>Source header to column, for the columns the file names.</summary>
    public IReadOnlyDictionary<string, string> ColumnMapping { get; init; } = new Dictionary<string, string>();

    public string? ParquetPath { get; init; }

    /// <summary>For a skipped load: the earlier load of the same file.</summary>
    public string? SameAsLoadId { get; init; }
}

/// <summary>A row refused by its contract (or by the reader), kept with the rule, file and line.</summary>
public sealed record QuarantinedRow(string LoadId, string Source, string File, long? Line, string Rule, string? Record);

/// <summary>
/// Loads files into the raw layer through DuckDB's own readers: reads every field as text (rejecting lines the reader
/// cannot parse, with their line), checks each row against the contract, quarantines what breaks it with the rule,
/// file and line, and loads the rest with the contract's types in one transaction, unless the rejected fraction passes
/// the contract's threshold, in which case nothing is loaded. A file already loaded (same checksum) is skipped. Every
/// load writes an audit record.
/// </summary>
public sealed class FileIngestor(IWarehouse warehouse, IngestionOptions? options = null)
{
    /// <summary>Work tables live in an in-memory database attached to the warehouse: no log, no checkpoint.</summary>
    private const string Work = "ingest_mem";
    private readonly IngestionOptions _options = options ?? new IngestionOptions();

    public async Task<LoadResult> IngestAsync(string path, DataContract contract, IReadOnlyDictionary<string, string>? constants = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        contract.Validate();
        foreach (var column in contract.Columns.Where(c => c.Source == ColumnSource.Constant && constants?.ContainsKey(c.Name) != true))
        {
            throw new IngestionException($"contract {contract.Source}: column {column.Name} is a constant given at load, and none was given");
        }

        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var started = _options.TimeProvider.GetUtcNow();
        var loadId = Guid.CreateVersion7().ToString("N");
        using var file = await SourceFile.OpenAsync(path, contract.Format.Encoding, cancellationToken).ConfigureAwait(false);
        var hashing = file.HashAsync(cancellationToken);

        // DuckDB reads and checks the file: the warehouse itself, or (for a PostgreSQL warehouse) a DuckDB of the load's own.
        await using var engine = new Engine(warehouse);

        // An open result keeps the database instance (and so the attached in-memory work database) alive between the
        // load's statements, each of which opens its own connection.
        await using var keepAlive = await engine.Db.QueryAsync("SELECT 1", cancellationToken).ConfigureAwait(false);
        var checksum = "";
        var names = new Names(loadId);
        var step = Stopwatch.StartNew();
        void Step(string name)
        {
            _options.OnStep?.Invoke(name, step.Elapsed);
            step.Restart();
        }

        LoadResult Result(LoadStatus status, long read, long loaded, long rejected, string? error, IReadOnlyDictionary<string, string>? mapping = null, string? parquet = null) =>
            new(loadId, contract.Source, file.Original, checksum, contract.Version, status, read, loaded, rejected, clock.Elapsed, started, error)
            {
                ColumnMapping = mapping ?? new Dictionary<string, string>(),
                ParquetPath = parquet,
            };

        try
        {
            IReadOnlyDictionary<string, string> mapping;
            try
            {
                mapping = await StageAsync(engine.Db, file, contract, names, constants ?? new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
                Step("read and check");
            }
            catch (IngestionException e)
            {
                checksum = await hashing.ConfigureAwait(false);
                var failed = Result(LoadStatus.Failed, 0, 0, 0, e.Message);
                await IngestionStore.RecordAsync(warehouse, failed, [], cancellationToken).ConfigureAwait(false);
                return failed;
            }

            // The checksum was computed while the engine read the file; a file loaded before is skipped now.
            checksum = await hashing.ConfigureAwait(false);
            Step("checksum (wait)");
            if (await IngestionStore.FindSuccessAsync(warehouse, contract.Source, checksum, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier with { Status = LoadStatus.Skipped, SameAsLoadId = earlier.LoadId, LoadId = loadId, File = file.Original, Duration = clock.Elapsed, StartedAt = started, Error = null };
            }

            await CheckPrimaryKeyAsync(engine.Db, contract, names, cancellationToken).ConfigureAwait(false);
            var counts = await CountsAsync(engine.Db, names, cancellationToken).ConfigureAwait(false);
            Step("primary key and counts");
            var read = counts.Good + counts.RuleRejected + counts.ParseRejected;
            var rejected = counts.RuleRejected + counts.ParseRejected;
            if (read == 0)
            {
                var empty = Result(LoadStatus.Failed, 0, 0, 0, $"{file.Original}: no rows to load", mapping);
                await IngestionStore.RecordAsync(warehouse, empty, [], cancellationToken).ConfigureAwait(false);
                return empty;
            }

            if (rejected > contract.MaxRejectedFraction * read)
            {
                var first = counts.FirstRejection is { } f ? $"; first: {f}" : "";
                var failed = Result(LoadStatus.Failed, read, 0, rejected,
                    $"{file.Original}: {rejected:N0} of {read:N0} rows ({100.0 * rejected / read:0.##}%) broke contract {contract.Source} v{contract.Version}, more than its {100 * contract.MaxRejectedFraction:0.##}% threshold; nothing was loaded (rejected rows are in quarantine){first}",
                    mapping);
                await engine.WriteAsync(failed, null, QuarantineSelect(contract, names, file.Original), cancellationToken).ConfigureAwait(false);
                return failed;
            }

            string? parquet = null;
            if (_options.RawLayerPath is { } root)
            {
                var folder = Path.Combine(Path.GetFullPath(root), contract.Source, $"load_date={started.UtcDateTime:yyyy-MM-dd}");
                Directory.CreateDirectory(folder);
                parquet = Path.Combine(folder, $"{loadId}.parquet");
                await engine.Db.ExecuteAsync($"COPY ({TypedSelect(contract, names, loadId, file.Original, started)}) TO {Literal(parquet)} (FORMAT parquet)", cancellationToken).ConfigureAwait(false);
                Step("parquet raw layer");
            }

            var success = Result(LoadStatus.Success, read, counts.Good, rejected, null, mapping, parquet);
            try
            {
                var ddl = await TargetDdlAsync(contract, cancellationToken).ConfigureAwait(false);
                await engine.WriteAsync(success, (contract, ddl, TypedSelect(contract, names, loadId, file.Original, started)), QuarantineSelect(contract, names, file.Original), cancellationToken).ConfigureAwait(false);
                Step("load, quarantine and audit (one transaction)");
            }
            catch
            {
                if (parquet is not null)
                {
                    File.Delete(parquet);
                }

                throw;
            }

            return success with { Duration = clock.Elapsed };
        }
        finally
        {
            await engine.Db.ExecuteAsync($"DROP VIEW IF EXISTS {names.Stage}; DROP TABLE IF EXISTS {names.Checked}; DROP TABLE IF EXISTS {names.Lines}; DROP TABLE IF EXISTS {names.Rejects};", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The audit log, newest first.</summary>
    public async Task<IReadOnlyList<LoadResult>> GetLoadsAsync(string? source = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.LoadsAsync(warehouse, source, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One load's audit record.</summary>
    public async Task<LoadResult?> GetLoadAsync(string loadId, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.FindAsync(warehouse, loadId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows a load rejected, by line.</summary>
    public async Task<IReadOnlyList<QuarantinedRow>> GetQuarantineAsync(string loadId, int limit = 1000, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.QuarantineAsync(warehouse, loadId, limit, cancellationToken).ConfigureAwait(false);
    }

    private sealed record Names(string LoadId)
    {
        public string Stage => $"{Work}.s_{LoadId}";

        public string Rejects => $"{Work}.r_{LoadId}";

        public string Checked => $"{Work}.c_{LoadId}";

        public string Lines => $"{Work}.l_{LoadId}";
    }

    /// <summary>
    /// Reads the file once into a typed work table: each contract column cast to its type (missing values made NULL),
    /// the first rule the row breaks, and the row's text when it breaks one; the reader's rejected lines go to another
    /// table. A view numbers the rows with their line in the file. Returns the header-to-column mapping; throws when the
    /// file cannot match the contract.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, string>> StageAsync(IWarehouse engine, SourceFile file, DataContract contract, Names names, IReadOnlyDictionary<string, string> constants, CancellationToken cancellationToken)
    {
        await engine.ExecuteAsync($"ATTACH IF NOT EXISTS ':memory:' AS {Work}", cancellationToken).ConfigureAwait(false);
        var format = contract.Format;
        var fileColumns = contract.Columns.Where(c => c.Source == ColumnSource.File).ToList();
        var path = Literal(file.ReadPath);
        switch (format.Kind)
        {
            case FileKind.Csv:
                {
                    var delimiter = format.Delimiter ?? await SniffDelimiterAsync(engine, path, cancellationToken).ConfigureAwait(false);
                    var options = $"delim = {Literal(delimiter)}, quote = {Literal(format.Quote)}, escape = {Literal(format.Quote)}";
                    var physical = await DescribeAsync(engine, $"SELECT * FROM read_csv({path}, header = {(format.Header ? "true" : "false")}, all_varchar = true, {options}, null_padding = true, ignore_errors = true)", file, cancellationToken).ConfigureAwait(false);
                    var mapping = Map(file, contract, physical, fileColumns, delimiter);
                    var readColumns = "{" + string.Join(", ", physical.Select((_, i) => $"'f{i}': 'VARCHAR'")) + "}";
                    var first = format.Header ? 2 : 1;
                    // A contract with a line-number column numbers the rows as they are read (one record per line).
                    var numbered = contract.Columns.Any(c => c.Source == ColumnSource.Line);
                    var text = $"SELECT {(numbered ? $"row_number() OVER () + {first - 1} AS __line, " : "")}{string.Join(", ", mapping.Select(m => $"{Q("f" + m.Key)} AS {Q(m.Value)}"))} FROM read_csv({path}, header = {(format.Header ? "true" : "false")}, {options}, auto_detect = false, columns = {readColumns}, store_rejects = true)";

                    // One statement batch, one connection: the reader's rejects live in a temporary table of that connection.
                    await engine.ExecuteAsync(
                        $"""
                        CREATE TABLE {names.Checked} AS {CheckedSelect(contract, text, constants, withLine: numbered)};
                        CREATE TABLE {names.Rejects} AS SELECT line, arg_min(error_type, column_idx) AS error_type, any_value(csv_line) AS csv_line, arg_min(error_message, column_idx) AS error_message FROM reject_errors GROUP BY line;
                        """,
                        cancellationToken).ConfigureAwait(false);
                    var rejected = Convert.ToInt64(await engine.QueryScalarAsync($"SELECT count(*) FROM {names.Rejects}", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

                    // One record per line: with no rejected line, a row's line follows from its position; otherwise rows
                    // are matched to the lines the reader did not reject.
                    await engine.ExecuteAsync(numbered
                        ? $"CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, c.* FROM {names.Checked} c"
                        : rejected == 0
                        ? $"CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, c.*, c.rowid + {first} AS __line FROM {names.Checked} c"
                        : $"""
                          CREATE TABLE {names.Lines} AS
                            SELECT l AS __line, row_number() OVER (ORDER BY l) - 1 AS __rid
                            FROM range({first}, {first} + (SELECT count(*) FROM {names.Checked}) + {rejected}) t(l)
                            WHERE l NOT IN (SELECT line FROM {names.Rejects});
                          CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, c.*, lines.__line FROM {names.Checked} c JOIN {names.Lines} lines ON lines.__rid = c.rowid;
                          """,
                        cancellationToken).ConfigureAwait(false);
                    return mapping.ToDictionary(m => physical[int.Parse(m.Key, CultureInfo.InvariantCulture)], m => m.Value, StringComparer.Ordinal);
                }

            case FileKind.JsonLines:
                {
                    // Each line is read as text, so a line that is not JSON is rejected with its number instead of ending the load.
                    var lines = $"read_csv({path}, header = false, delim = '\\x01', quote = '', escape = '', auto_detect = false, columns = {{'__json': 'VARCHAR'}})";
                    var keys = await KeysAsync(engine, $"SELECT DISTINCT unnest(json_keys(__json)) FROM (SELECT __json FROM {lines} WHERE json_valid(__json) LIMIT 1000)", cancellationToken).ConfigureAwait(false);
                    var mapping = Map(file, contract, keys, fileColumns, null);
                    var text = $"SELECT __line, {string.Join(", ", mapping.Select(m => $"json_extract_string(__json, {Literal("$." + JsonPathKey(keys[int.Parse(m.Key, CultureInfo.InvariantCulture)]))}) AS {Q(m.Value)}"))} FROM {names.Lines} WHERE json_valid(__json) AND json_type(__json) = 'OBJECT'";
                    await engine.ExecuteAsync(
                        $"""
                        CREATE TABLE {names.Lines} AS SELECT row_number() OVER () AS __line, __json FROM {lines};
                        CREATE TABLE {names.Rejects} AS SELECT __line AS line, 'INVALID JSON' AS error_type, __json AS csv_line, 'the line is not a JSON object' AS error_message
                          FROM {names.Lines} WHERE trim(__json) <> '' AND (NOT json_valid(__json) OR json_type(__json) <> 'OBJECT');
                        CREATE TABLE {names.Checked} AS {CheckedSelect(contract, text, constants, withLine: true)};
                        CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, c.* FROM {names.Checked} c;
                        """,
                        cancellationToken).ConfigureAwait(false);
                    return mapping.ToDictionary(m => keys[int.Parse(m.Key, CultureInfo.InvariantCulture)], m => m.Value, StringComparer.Ordinal);
                }

            default:
                {
                    var physical = await DescribeAsync(engine, $"SELECT * FROM read_parquet({path})", file, cancellationToken).ConfigureAwait(false);
                    var mapping = Map(file, contract, physical, fileColumns, null);
                    var text = $"SELECT row_number() OVER () AS __line, {string.Join(", ", mapping.Select(m => $"CAST({Q(physical[int.Parse(m.Key, CultureInfo.InvariantCulture)])} AS VARCHAR) AS {Q(m.Value)}"))} FROM read_parquet({path})";
                    await engine.ExecuteAsync(
                        $"""
                        CREATE TABLE {names.Checked} AS {CheckedSelect(contract, text, constants, withLine: true)};
                        CREATE TABLE {names.Rejects} (line BIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR);
                        CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, c.* FROM {names.Checked} c;
                        """,
                        cancellationToken).ConfigureAwait(false);
                    return mapping.ToDictionary(m => physical[int.Parse(m.Key, CultureInfo.InvariantCulture)], m => m.Value, StringComparer.Ordinal);
                }
        }
    }

    /// <summary>
    /// The typed row: each column cast to its type after missing values become NULL, the first rule the row breaks,
    /// and (only for a row that breaks one) its text as JSON for the quarantine.
    /// </summary>
    private static string CheckedSelect(DataContract contract, string text, IReadOnlyDictionary<string, string> constants, bool withLine)
    {
        // list_contains rather than IN: DuckDB plans a long IN list as a join, and hundreds of them exhaust memory.
        var nulls = "[" + string.Join(", ", contract.Format.NullValues.Select(Literal)) + "]";
        var line = withLine ? "__line, " : "";
        var values = contract.Columns.Select(c => c.Source switch
        {
            ColumnSource.Line => $"CAST(__line AS VARCHAR) AS {Q(c.Name)}",
            ColumnSource.Constant => $"{Literal(constants[c.Name])} AS {Q(c.Name)}",
            _ => contract.Format.NullValues.Count == 0 ? Q(c.Name) : $"CASE WHEN list_contains({nulls}, trim({Q(c.Name)})) THEN NULL ELSE {Q(c.Name)} END AS {Q(c.Name)}",
        });
        var rules = Rules(contract);
        var rule = rules.Count == 0 ? "CAST(NULL AS VARCHAR)" : $"CASE {string.Join(" ", rules.Select(r => $"WHEN {r.When} THEN {r.Then}"))} ELSE NULL END";
        var typed = contract.Columns.Select(c => $"{TryCast(c, "r." + Q(c.Name))} AS {Q(c.Name)}");
        return $"""
            SELECT {line}{string.Join(", ", typed)}, r.__rule, CASE WHEN r.__rule IS NOT NULL THEN to_json({"{" + string.Join(", ", contract.Columns.Select(c => $"{Literal(c.Name)}: r.{Q(c.Name)}")) + "}"})::VARCHAR END AS __record
            FROM (SELECT v.*, {rule} AS __rule FROM (SELECT {line}{string.Join(", ", values)} FROM ({text}) t) v) r
            """;
    }

    /// <summary>Marks rows whose primary key repeats an earlier row's (the earlier row stays).</summary>
    private static async Task CheckPrimaryKeyAsync(IWarehouse engine, DataContract contract, Names names, CancellationToken cancellationToken)
    {
        if (contract.PrimaryKey.Count == 0)
        {
            return;
        }

        var key = string.Join(", ", contract.PrimaryKey.Select(Q));
        var repeats = Convert.ToInt64(await engine.QueryScalarAsync($"SELECT count(*) FROM (SELECT {key} FROM {names.Checked} WHERE __rule IS NULL GROUP BY {key} HAVING count(*) > 1)", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (repeats == 0)
        {
            return;
        }

        var shown = string.Join(" || ', ' || ", contract.PrimaryKey.Select(k => $"coalesce(CAST(c.{Q(k)} AS VARCHAR), 'NULL')"));
        await engine.ExecuteAsync(
            $"""
            UPDATE {names.Checked} c
            SET __rule = 'unique: primary key ({Escape(string.Join(", ", contract.PrimaryKey))}) = (' || {shown} || ') repeats line ' || d.first_line,
                __record = to_json({"{" + string.Join(", ", contract.Columns.Select(col => $"{Literal(col.Name)}: c.{Q(col.Name)}")) + "}"})::VARCHAR
            FROM (SELECT __rid, __line, first_value(__line) OVER (PARTITION BY {key} ORDER BY __line) AS first_line, row_number() OVER (PARTITION BY {key} ORDER BY __line) AS n
                  FROM {names.Stage} WHERE __rule IS NULL) d
            WHERE c.rowid = d.__rid AND d.n > 1
            """,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Physical column index (as text) to contract column; fails naming what is missing or extra.</summary>
    private static Dictionary<string, string> Map(SourceFile file, DataContract contract, IReadOnlyList<string> physical, List<ContractColumn> columns, string? delimiter)
    {
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = contract.Format.Kind == FileKind.Csv && !contract.Format.Header;
        if (positional)
        {
            if (physical.Count < columns.Count)
            {
                throw new IngestionException($"{file.Original}: has {physical.Count} column(s), contract {contract.Source} v{contract.Version} needs {columns.Count}{DelimiterHint(delimiter)}");
            }

            for (var i = 0; i < columns.Count; i++)
            {
                mapping[i.ToString(CultureInfo.InvariantCulture)] = columns[i].Name;
            }

            if (physical.Count > columns.Count && !contract.IgnoreExtraColumns && !contract.Format.TrailingDelimiters)
            {
                throw new IngestionException($"{file.Original}: has {physical.Count} columns, contract {contract.Source} v{contract.Version} names {columns.Count} (set extra_columns: ignore, or trailing_delimiters: true when lines end with the separator)");
            }

            return mapping;
        }

        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < physical.Count; i++)
        {
            byName.TryAdd(ColumnNames.Normalize(physical[i]), i);
        }

        var missing = columns.Where(c => !byName.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        if (missing.Count > 0)
        {
            throw new IngestionException($"{file.Original}: the header lacks column(s) {string.Join(", ", missing)} required by contract {contract.Source} v{contract.Version}; found: {string.Join(", ", physical.Take(20))}{(physical.Count > 20 ? ", ..." : "")}{DelimiterHint(delimiter)}");
        }

        var extra = byName.Keys.Where(k => columns.All(c => c.Name != k)).ToList();
        if (extra.Count > 0 && !contract.IgnoreExtraColumns)
        {
            throw new IngestionException($"{file.Original}: the header has column(s) {string.Join(", ", extra.Take(20))} that contract {contract.Source} v{contract.Version} does not name (add them, or set extra_columns: ignore)");
        }

        foreach (var column in columns)
        {
            mapping[byName[column.Name].ToString(CultureInfo.InvariantCulture)] = column.Name;
        }

        return mapping;
    }

    private static string DelimiterHint(string? delimiter) => delimiter is null ? "" : $" (read with delimiter {Visible(delimiter)})";

    private static string Visible(string delimiter) => delimiter switch
    {
        "\t" => "tab",
        " " => "space",
        _ => $"'{delimiter}'",
    };

    private static async Task<string> SniffDelimiterAsync(IWarehouse engine, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await engine.QueryScalarAsync($"SELECT Delimiter FROM sniff_csv({path})", cancellationToken).ConfigureAwait(false) as string ?? ",";
        }
        catch (WarehouseException e)
        {
            throw new IngestionException($"{path.Trim('\'')}: cannot detect the format: {e.Message}", e);
        }
    }

    private static async Task<IReadOnlyList<string>> DescribeAsync(IWarehouse engine, string select, SourceFile file, CancellationToken cancellationToken)
    {
        try
        {
            return await KeysAsync(engine, $"SELECT column_name FROM (DESCRIBE {select})", cancellationToken).ConfigureAwait(false);
        }
        catch (WarehouseException e)
        {
            throw new IngestionException($"{file.Original}: cannot read the file: {e.Message}", e);
        }
    }

    private static async Task<IReadOnlyList<string>> KeysAsync(IWarehouse engine, string sql, CancellationToken cancellationToken)
    {
        var keys = new List<string>();
        await using var result = await engine.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(result.GetValue(0) as string ?? "");
        }

        return keys;
    }

    private static string JsonPathKey(string key) => "\"" + key.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Every per-row rule of the contract, in column order: the condition and the message (SQL).</summary>
    private static List<(string When, string Then)> Rules(DataContract contract)
    {
        var rules = new List<(string When, string Then)>();
        foreach (var c in contract.Columns)
        {
            var v = Q(c.Name);
            if (!c.Nullable)
            {
                rules.Add(($"{v} IS NULL", $"'not_null: {c.Name} is missing'"));
            }

            if (c.Type != ColumnType.String)
            {
                rules.Add(($"{v} IS NOT NULL AND {TryCast(c, v)} IS NULL", $"'type: {c.Name} is not {Article(c.Type)}: ''' || {v} || ''''"));
            }

            if (c.Allowed.Count > 0)
            {
                rules.Add(($"{v} IS NOT NULL AND NOT list_contains([{string.Join(", ", c.Allowed.Select(Literal))}], {v})", $"'allowed: {c.Name} is ''' || {v} || ''', not one of {Escape(string.Join(", ", c.Allowed))}'"));
            }

            if (c.Min is { } min)
            {
                rules.Add(($"TRY_CAST({v} AS DOUBLE) < {min.ToString(CultureInfo.InvariantCulture)}", $"'range: {c.Name} is ' || {v} || ', below the minimum {min.ToString(CultureInfo.InvariantCulture)}'"));
            }

            if (c.Max is { } max)
            {
                rules.Add(($"TRY_CAST({v} AS DOUBLE) > {max.ToString(CultureInfo.InvariantCulture)}", $"'range: {c.Name} is ' || {v} || ', above the maximum {max.ToString(CultureInfo.InvariantCulture)}'"));
            }

            if (c.Pattern is { } pattern)
            {
                rules.Add(($"{v} IS NOT NULL AND NOT regexp_full_match({v}, {Literal(pattern)})", $"'pattern: {c.Name} ''' || {v} || ''' does not match {Escape(pattern)}'"));
            }
        }

        return rules;
    }

    private static string TryCast(ContractColumn c, string v) => c.Type switch
    {
        ColumnType.Integer => $"TRY_CAST({v} AS BIGINT)",
        ColumnType.Double => $"TRY_CAST({v} AS DOUBLE)",
        ColumnType.Boolean => $"TRY_CAST({v} AS BOOLEAN)",
        ColumnType.Date => c.Format is { } f ? $"CAST(try_strptime({v}, {Literal(f)}) AS DATE)" : $"TRY_CAST({v} AS DATE)",
        ColumnType.Timestamp => c.Format is { } f ? $"try_strptime({v}, {Literal(f)})" : $"TRY_CAST({v} AS TIMESTAMP)",
        _ => v,
    };

    internal static LogicalType Logical(ColumnType type) => type switch
    {
        ColumnType.Integer => LogicalType.Int64,
        ColumnType.Double => LogicalType.Float64,
        ColumnType.Boolean => LogicalType.Boolean,
        ColumnType.Date => LogicalType.Date,
        ColumnType.Timestamp => LogicalType.Timestamp,
        _ => LogicalType.Text,
    };

    private static string Article(ColumnType type) => type switch
    {
        ColumnType.Integer => "an integer",
        ColumnType.Double => "a number",
        ColumnType.Boolean => "a boolean",
        ColumnType.Date => "a date",
        ColumnType.Timestamp => "a timestamp",
        _ => "text",
    };

    private static string TypedSelect(DataContract contract, Names names, string loadId, string file, DateTimeOffset started) =>
        $"SELECT {string.Join(", ", contract.Columns.Select(c => Q(c.Name)))}, {Literal(loadId)} AS _load_id, {Literal(file)} AS _source_file, CAST(__line AS BIGINT) AS _source_line, TIMESTAMP '{started.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}' AS _loaded_at FROM {names.Stage} WHERE __rule IS NULL";

    private static string Target(DataContract contract) => $"{Q(contract.TableName.Schema)}.{Q(contract.TableName.Name)}";

    /// <summary>Creates the raw table from the contract, or adds the columns a newer contract version introduced.</summary>
    private async Task<IReadOnlyList<string>> TargetDdlAsync(DataContract contract, CancellationToken cancellationToken)
    {
        var (schema, name) = contract.TableName;
        var existing = await warehouse.GetColumnsAsync(RelationName.Of(schema, name), cancellationToken).ConfigureAwait(false);
        if (existing.Count == 0)
        {
            return
            [
                $"CREATE SCHEMA IF NOT EXISTS {Q(schema)}",
                $"CREATE TABLE {Target(contract)} ({string.Join(", ", contract.Columns.Select(c => $"{Q(c.Name)} {warehouse.Dialect.TypeName(Logical(c.Type))}"))}, _load_id VARCHAR NOT NULL, _source_file VARCHAR NOT NULL, _source_line BIGINT, _loaded_at TIMESTAMP NOT NULL)",
            ];
        }

        return contract.Columns.Where(c => existing.All(e => e.Name != c.Name)).Select(c => $"ALTER TABLE {Target(contract)} ADD COLUMN {Q(c.Name)} {warehouse.Dialect.TypeName(Logical(c.Type))}").ToList();
    }

    private sealed record Counts(long Good, long RuleRejected, long ParseRejected, string? FirstRejection);

    private static async Task<Counts> CountsAsync(IWarehouse engine, Names names, CancellationToken cancellationToken)
    {
        await using var result = await engine.QueryAsync(
            $"""
            SELECT (SELECT count(*) FROM {names.Checked} WHERE __rule IS NULL),
                   (SELECT count(*) FROM {names.Checked} WHERE __rule IS NOT NULL),
                   (SELECT count(*) FROM {names.Rejects}),
                   (SELECT 'line ' || line || ': ' || rule FROM (
                      SELECT __line AS line, __rule AS rule FROM {names.Stage} WHERE __rule IS NOT NULL
                      UNION ALL SELECT line, 'parse: ' || error_type || ': ' || error_message FROM {names.Rejects}) ORDER BY line LIMIT 1)
            """, cancellationToken).ConfigureAwait(false);
        await result.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new Counts(Convert.ToInt64(result.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(result.GetValue(1), CultureInfo.InvariantCulture), Convert.ToInt64(result.GetValue(2), CultureInfo.InvariantCulture), result.GetValue(3) as string);
    }

    /// <summary>The load's rejected rows (rules broken, then lines the reader refused) as quarantine rows.</summary>
    private static string QuarantineSelect(DataContract contract, Names names, string file) =>
        $"""
        SELECT {Literal(names.LoadId)} AS load_id, {Literal(contract.Source)} AS source, {contract.Version} AS contract_version, {Literal(file)} AS file, CAST(__line AS BIGINT) AS line, __rule AS rule, __record AS record
        FROM {names.Stage} WHERE __rule IS NOT NULL
        UNION ALL
        SELECT {Literal(names.LoadId)}, {Literal(contract.Source)}, {contract.Version}, {Literal(file)}, CAST(line AS BIGINT), 'parse: ' || error_type || ': ' || error_message, csv_line
        FROM {names.Rejects}
        """;

    internal static string Q(string identifier) => SqlDialect.DuckDb.QuoteIdentifier(identifier);

    internal static string Literal(string value) => SqlDialect.DuckDb.QuoteLiteral(value);

    private static string Escape(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    /// <summary>
    /// Where a load runs: DuckDB reads and checks the file (the warehouse itself, or a DuckDB file of the load's own when
    /// the warehouse is PostgreSQL), and the load, its quarantine and its audit record reach the warehouse in one
    /// transaction (on PostgreSQL, through work tables filled by binary COPY first).
    /// </summary>
    private sealed class Engine : IAsyncDisposable
    {
        private const string Columns = "load_id, source, contract_version, file, line, rule, record";
        private readonly IWarehouse _target;
        private readonly string? _folder;

        public Engine(IWarehouse target)
        {
            _target = target;
            if (target.Engine == WarehouseEngine.DuckDb)
            {
                Db = target;
            }
            else
            {
                _folder = Directory.CreateTempSubdirectory("millwright-ingest-").FullName;
                Db = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_folder, "ingest.duckdb")));
            }
        }

        public IWarehouse Db { get; }

        public async Task WriteAsync(LoadResult load, (DataContract Contract, IReadOnlyList<string> Ddl, string Select)? rows, string quarantine, CancellationToken cancellationToken)
        {
            var statements = new List<string>();
            if (ReferenceEquals(Db, _target))
            {
                if (rows is { } r)
                {
                    statements.AddRange(r.Ddl);
                    statements.Add($"INSERT INTO {Target(r.Contract)} ({RowColumns(r.Contract)}) {r.Select}");
                }

                statements.Add($"INSERT INTO ingest.quarantine ({Columns}) {quarantine}");
                await IngestionStore.RecordAsync(_target, load, statements, cancellationToken).ConfigureAwait(false);
                return;
            }

            var work = RelationName.Of("ingest", $"w_{load.LoadId}");
            var rejected = RelationName.Of("ingest", $"q_{load.LoadId}");
            try
            {
                if (rows is { } r)
                {
                    await using (var result = await Db.QueryAsync(r.Select, cancellationToken).ConfigureAwait(false))
                    {
                        var definitions = r.Contract.Columns.Select(c => new ColumnDefinition(c.Name, Logical(c.Type)))
                            .Concat([new("_load_id", LogicalType.Text), new("_source_file", LogicalType.Text), new("_source_line", LogicalType.Int64), new("_loaded_at", LogicalType.Timestamp)])
                            .ToList();
                        await _target.BulkLoadAsync(work, result.AsDataReader(), new BulkLoadOptions { Replace = true, Columns = definitions }, cancellationToken).ConfigureAwait(false);
                    }

                    statements.AddRange(r.Ddl);
                    statements.Add($"INSERT INTO {Target(r.Contract)} ({RowColumns(r.Contract)}) SELECT {RowColumns(r.Contract)} FROM {_target.Dialect.Render(work)}");
                }

                await using (var result = await Db.QueryAsync(quarantine, cancellationToken).ConfigureAwait(false))
                {
                    await _target.BulkLoadAsync(rejected, result.AsDataReader(), new BulkLoadOptions
                    {
                        Replace = true,
                        Columns = [new("load_id", LogicalType.Text), new("source", LogicalType.Text), new("contract_version", LogicalType.Int32), new("file", LogicalType.Text), new("line", LogicalType.Int64), new("rule", LogicalType.Text), new("record", LogicalType.Text)],
                    }, cancellationToken).ConfigureAwait(false);
                }

                statements.Add($"INSERT INTO ingest.quarantine ({Columns}) SELECT {Columns} FROM {_target.Dialect.Render(rejected)}");
                await IngestionStore.RecordAsync(_target, load, statements, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await _target.DropRelationAsync(work, CancellationToken.None).ConfigureAwait(false);
                await _target.DropRelationAsync(rejected, CancellationToken.None).ConfigureAwait(false);
            }
        }

        private static string RowColumns(DataContract contract) =>
            string.Join(", ", contract.Columns.Select(c => Q(c.Name)).Concat(["_load_id", "_source_file", "_source_line", "_loaded_at"]));

        public async ValueTask DisposeAsync()
        {
            if (_folder is not null)
            {
                await Db.DisposeAsync().ConfigureAwait(false);
                Directory.Delete(_folder, recursive: true);
            }
        }
    }
}

using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>
/// Reads a source file once into a load's work table through DuckDB's own readers, and defines the stage view over it
/// (row id, line in the file, one value per contract column). A CSV's columns are read with the contract's types, so
/// the reader itself refuses a value of the wrong type (with its line and column); JSON lines and Parquet are read as
/// text and cast by the checks. Lines the reader cannot parse go to a rejects table with their line.
/// </summary>
internal static class FileReader
{
    /// <summary>Reads the file; throws <see cref="IngestionException"/> when it cannot match the contract.</summary>
    public static async Task<StagedRead> ReadAsync(IWarehouse engine, SourceFile file, DataContract contract, WorkNames names, IReadOnlyDictionary<string, string> constants, CancellationToken cancellationToken)
    {
        var attach = $"ATTACH IF NOT EXISTS ':memory:' AS {WorkNames.Database}";
        try
        {
            await engine.ExecuteAsync(attach, cancellationToken).ConfigureAwait(false);
        }
        catch (WarehouseException)
        {
            // Two loads attaching the work database at the same moment: DuckDB lets one win and refuses the other even
            // with IF NOT EXISTS; it exists now, so asking again is a no-op (and a real failure repeats and is thrown).
            await engine.ExecuteAsync(attach, cancellationToken).ConfigureAwait(false);
        }

        var fileColumns = contract.Columns.Where(c => c.Source == ColumnSource.File).ToList();
        var path = Literal(file.ReadPath);
        return contract.Format.Kind switch
        {
            FileKind.Csv => await ReadCsvAsync(engine, file, contract, names, constants, fileColumns, path, cancellationToken).ConfigureAwait(false),
            FileKind.JsonLines => await ReadJsonLinesAsync(engine, file, contract, names, constants, fileColumns, path, cancellationToken).ConfigureAwait(false),
            _ => await ReadParquetAsync(engine, file, contract, names, constants, fileColumns, path, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<StagedRead> ReadCsvAsync(IWarehouse engine, SourceFile file, DataContract contract, WorkNames names, IReadOnlyDictionary<string, string> constants, List<ContractColumn> fileColumns, string path, CancellationToken cancellationToken)
    {
        var format = contract.Format;
        var delimiter = format.Delimiter ?? await SniffDelimiterAsync(engine, path, cancellationToken).ConfigureAwait(false);
        var header = format.Header ? "true" : "false";
        var options = $"delim = {Literal(delimiter)}, quote = {Literal(format.Quote)}, escape = {Literal(format.Quote)}";
        var physical = await DescribeAsync(engine, $"SELECT * FROM read_csv({path}, header = {header}, all_varchar = true, {options}, null_padding = true, ignore_errors = true)", file, cancellationToken).ConfigureAwait(false);
        var mapping = Map(file, contract, physical, fileColumns, delimiter);
        var byName = fileColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);

        // Dates and timestamps are typed by the reader when the file's columns of that type share one format (the
        // reader takes one per type); otherwise they are read as text and parsed column by column.
        string? Shared(ColumnType type)
        {
            var formats = mapping.Values.Select(n => byName[n]).Where(c => c.Type == type).Select(c => c.Format ?? "").Distinct().ToList();
            return formats.Count == 1 ? formats[0] : null;
        }

        var dateFormat = Shared(ColumnType.Date);
        var timestampFormat = Shared(ColumnType.Timestamp);
        string? ReaderType(ContractColumn c) => c.Type switch
        {
            ColumnType.Integer => "BIGINT",
            ColumnType.Double => "DOUBLE",
            ColumnType.Boolean => "BOOLEAN",
            ColumnType.Date when dateFormat is not null => "DATE",
            ColumnType.Timestamp when timestampFormat is not null => "TIMESTAMP",
            _ => null,
        };

        var types = physical.Select((_, i) => mapping.TryGetValue(i, out var name) ? ReaderType(byName[name]) ?? "VARCHAR" : "VARCHAR").ToList();
        var typed = mapping.Where(m => types[m.Key] != "VARCHAR").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var columns = "{" + string.Join(", ", types.Select((t, i) => $"'f{i}': '{t}'")) + "}";
        var nulls = "[" + string.Join(", ", format.NullValues.Append("").Distinct().Select(Literal)) + "]";
        var formats = (string.IsNullOrEmpty(dateFormat) ? "" : $", dateformat = {Literal(dateFormat)}") + (string.IsNullOrEmpty(timestampFormat) ? "" : $", timestampformat = {Literal(timestampFormat)}");
        var reader = $"read_csv({path}, header = {header}, {options}, auto_detect = false, columns = {columns}, nullstr = {nulls}{formats}, store_rejects = true)";

        // One statement batch, one connection: the reader's rejects live in a temporary table of that connection.
        await engine.ExecuteAsync(
            $"""
            {KeepOrder}
            CREATE TABLE {names.Read} AS SELECT {string.Join(", ", mapping.Select(m => $"{Q("f" + m.Key)} AS {Q(m.Value)}"))} FROM {reader};
            CREATE TABLE {names.Rejects} AS SELECT line, arg_min(error_type, column_idx) AS error_type, any_value(csv_line) AS csv_line, arg_min(error_message, column_idx) AS error_message, arg_min(column_name, column_idx) AS column_name FROM reject_errors GROUP BY line;
            """,
            cancellationToken).ConfigureAwait(false);
        var rejected = Convert.ToInt64(await engine.QueryScalarAsync($"SELECT count(*) FROM {names.Rejects}", cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);

        // One record per line: with no refused line, a row's line follows from its position (the read keeps the file's
        // order). Otherwise row r is on line first + r + k, k the number of refused lines before it: the j-th refused
        // line (from 0) shifts every row from position line_j - first - j on, and a small table of those positions per
        // block of 2,048 rows (the count before the block, the positions inside it) gives k without a join on every row.
        var first = format.Header ? 2 : 1;
        if (rejected == 0)
        {
            await engine.ExecuteAsync(StageView(contract, names, constants, $"c.rowid + {first}", ""), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await engine.ExecuteAsync(
                $"""
                CREATE TABLE {names.Steps} AS
                  WITH shifts AS (SELECT line - {first} - (row_number() OVER (ORDER BY line) - 1) AS pos FROM {names.Rejects})
                  SELECT block, coalesce(sum(n) OVER (ORDER BY block ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS earlier, inside
                  FROM (SELECT b.block, count(s.pos) AS n, list(s.pos ORDER BY s.pos) FILTER (WHERE s.pos IS NOT NULL) AS inside
                        FROM range(0, (SELECT count(*) FROM {names.Read}) // {Block} + 1) b(block) LEFT JOIN shifts s ON s.pos // {Block} = b.block
                        GROUP BY b.block);
                {StageView(contract, names, constants, $"c.rowid + {first} + steps.earlier + coalesce(len(list_filter(steps.inside, lambda pos: pos <= c.rowid)), 0)", $"JOIN {names.Steps} steps ON steps.block = c.rowid // {Block}")};
                """,
                cancellationToken).ConfigureAwait(false);
        }

        // A value the reader could not give its type reads as the contract's type rule.
        var casts = mapping.Where(m => typed.Contains(m.Value)).Select(m =>
            $"WHEN error_type = 'CAST' AND column_name = {Literal("f" + m.Key)} THEN {Literal($"type: {m.Value} is not {ContractChecks.Article(byName[m.Value].Type)}: '")} || regexp_extract(error_message, 'Could not convert string \"(.*)\" to ''', 1) || ''''").ToList();
        var rule = casts.Count == 0 ? ParseRule : $"CASE {string.Join(" ", casts)} ELSE {ParseRule} END";
        return new StagedRead(Named(mapping, physical), typed, rule);
    }

    private static async Task<StagedRead> ReadJsonLinesAsync(IWarehouse engine, SourceFile file, DataContract contract, WorkNames names, IReadOnlyDictionary<string, string> constants, List<ContractColumn> fileColumns, string path, CancellationToken cancellationToken)
    {
        // Each line is read as text, so a line that is not JSON is rejected with its number instead of ending the load.
        var lines = $"read_csv({path}, header = false, delim = '\\x01', quote = '', escape = '', auto_detect = false, columns = {{'__json': 'VARCHAR'}})";
        var keys = await KeysAsync(engine, $"SELECT DISTINCT unnest(json_keys(__json)) FROM (SELECT __json FROM {lines} WHERE json_valid(__json) LIMIT 1000)", cancellationToken).ConfigureAwait(false);
        var mapping = Map(file, contract, keys, fileColumns, null);
        var text = $"SELECT __line, {string.Join(", ", mapping.Select(m => $"json_extract_string(__json, {Literal("$." + JsonPathKey(keys[m.Key]))}) AS {Q(m.Value)}"))} FROM {names.Lines} WHERE json_valid(__json) AND json_type(__json) = 'OBJECT'";
        await engine.ExecuteAsync(
            $"""
            {KeepOrder}
            CREATE TABLE {names.Lines} AS SELECT row_number() OVER () AS __line, __json FROM {lines};
            CREATE TABLE {names.Rejects} AS SELECT __line AS line, 'INVALID JSON' AS error_type, __json AS csv_line, 'the line is not a JSON object' AS error_message
              FROM {names.Lines} WHERE trim(__json) <> '' AND (NOT json_valid(__json) OR json_type(__json) <> 'OBJECT');
            CREATE TABLE {names.Read} AS {TextRead(contract, mapping.Values, text)};
            {StageView(contract, names, constants, "c.__line", "")};
            """,
            cancellationToken).ConfigureAwait(false);
        return new StagedRead(Named(mapping, keys), new HashSet<string>(), ParseRule);
    }

    private static async Task<StagedRead> ReadParquetAsync(IWarehouse engine, SourceFile file, DataContract contract, WorkNames names, IReadOnlyDictionary<string, string> constants, List<ContractColumn> fileColumns, string path, CancellationToken cancellationToken)
    {
        var physical = await DescribeAsync(engine, $"SELECT * FROM read_parquet({path})", file, cancellationToken).ConfigureAwait(false);
        var mapping = Map(file, contract, physical, fileColumns, null);
        var text = $"SELECT row_number() OVER () AS __line, {string.Join(", ", mapping.Select(m => $"CAST({Q(physical[m.Key])} AS VARCHAR) AS {Q(m.Value)}"))} FROM read_parquet({path})";
        await engine.ExecuteAsync(
            $"""
            {KeepOrder}
            CREATE TABLE {names.Read} AS {TextRead(contract, mapping.Values, text)};
            CREATE TABLE {names.Rejects} (line BIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR);
            {StageView(contract, names, constants, "c.__line", "")};
            """,
            cancellationToken).ConfigureAwait(false);
        return new StagedRead(Named(mapping, physical), new HashSet<string>(), ParseRule);
    }

    /// <summary>A row's line is its position in the read: the read keeps the file's order even where the warehouse is set not to.</summary>
    private const string KeepOrder = "SET SESSION preserve_insertion_order = true;";

    /// <summary>Rows per block of the table that gives a CSV row its line when the reader refused some lines.</summary>
    private const int Block = 2048;

    private const string ParseRule = "'parse: ' || error_type || ': ' || error_message";

    /// <summary>Text columns with the contract's missing values made NULL (compared trimmed), and the line.</summary>
    private static string TextRead(DataContract contract, IEnumerable<string> columns, string text)
    {
        var nulls = "[" + string.Join(", ", contract.Format.NullValues.Select(Literal)) + "]";
        var values = columns.Select(c => contract.Format.NullValues.Count == 0 ? Q(c) : $"CASE WHEN list_contains({nulls}, trim({Q(c)})) THEN NULL ELSE {Q(c)} END AS {Q(c)}");
        return $"SELECT __line, {string.Join(", ", values)} FROM ({text}) t";
    }

    /// <summary>The stage view: row id, line, and a value for every contract column (read, the line, or a constant).</summary>
    private static string StageView(DataContract contract, WorkNames names, IReadOnlyDictionary<string, string> constants, string line, string join)
    {
        var values = contract.Columns.Select(c => c.Source switch
        {
            ColumnSource.Line => $"CAST({line} AS VARCHAR) AS {Q(c.Name)}",
            ColumnSource.Constant => $"{Literal(constants[c.Name])} AS {Q(c.Name)}",
            _ => $"c.{Q(c.Name)}",
        });
        return $"CREATE VIEW {names.Stage} AS SELECT c.rowid AS __rid, {line} AS __line, {string.Join(", ", values)} FROM {names.Read} c {join}";
    }

    private static Dictionary<string, string> Named(Dictionary<int, string> mapping, IReadOnlyList<string> physical) =>
        mapping.ToDictionary(m => physical[m.Key], m => m.Value, StringComparer.Ordinal);

    /// <summary>Physical column index to contract column; fails naming what is missing or extra.</summary>
    private static Dictionary<int, string> Map(SourceFile file, DataContract contract, IReadOnlyList<string> physical, List<ContractColumn> columns, string? delimiter)
    {
        var mapping = new Dictionary<int, string>();
        var positional = contract.Format.Kind == FileKind.Csv && !contract.Format.Header;
        if (positional)
        {
            if (physical.Count < columns.Count)
            {
                throw new IngestionException($"{file.Original}: has {physical.Count} column(s), contract {contract.Source} v{contract.Version} needs {columns.Count}{DelimiterHint(delimiter)}");
            }

            for (var i = 0; i < columns.Count; i++)
            {
                mapping[i] = columns[i].Name;
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
            mapping[byName[column.Name]] = column.Name;
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

    private static string Q(string identifier) => FileIngestor.Q(identifier);

    private static string Literal(string value) => FileIngestor.Literal(value);
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsvHelper;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Runs a unit test as dbt does: the model is rendered with each input replaced by a CTE of the given rows (typed by
/// the input relation's columns in the warehouse), and its result is compared with the expected rows, both ways,
/// on the columns the expectation names. The failures are the rows that differ.
/// </summary>
internal static partial class UnitTestRunner
{
    private const int DiffRowsShown = 10;

    public sealed record Outcome(string Sql, long Failures, string Diff);

    public static async Task<Outcome> RunAsync(DbtRuntime runtime, Compiler compiler, IWarehouse warehouse, ManifestNode test, CancellationToken cancellationToken)
    {
        var unit = test.UnitTest!;
        var manifest = runtime.Manifest!;
        var model = manifest.Nodes[unit.ModelId];
        var dialect = warehouse.Dialect;
        var fixtures = new List<(string Name, string Sql)>();
        foreach (var (input, i) in unit.Given.Select((g, i) => (g, i)))
        {
            var columns = input.Rows.Format == "sql" ? [] : await InputColumnsAsync(warehouse, manifest, model, test, input.Input, cancellationToken).ConfigureAwait(false);
            var sql = input.Rows.Format == "sql"
                ? Py.Str(input.Rows.Rows)
                : Select(dialect, Rows(input.Rows, $"unit test '{test.Name}': given {input.Input}"), columns.Select(c => (c.Name, c.EngineType)).ToList(), $"unit test '{test.Name}': given {input.Input}");
            fixtures.Add((UnitTestScope.InputCte(i), sql));
        }

        var modelSql = compiler.CompileForUnitTest(test, model, UnitTestScope.For(test.Name, unit));
        var actual = Compiler.InjectCtes(modelSql, fixtures);
        var actualColumns = await ColumnsOfAsync(warehouse, actual, cancellationToken).ConfigureAwait(false);

        string expected;
        List<string> compared;
        var where = $"unit test '{test.Name}': expect";
        if (unit.Expect.Format == "sql")
        {
            expected = Py.Str(unit.Expect.Rows);
            compared = (await ColumnsOfAsync(warehouse, expected, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToList();
        }
        else
        {
            var rows = Rows(unit.Expect, where);
            compared = rows.SelectMany(r => r.Keys.Select(k => Py.Str(k))).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (compared.Count == 0)
            {
                compared = actualColumns.Select(c => c.Name).ToList();
            }

            var typed = compared.Select(c => actualColumns.FirstOrDefault(a => a.Name.Equals(c, StringComparison.OrdinalIgnoreCase)) is { } found
                ? (found.Name, found.EngineType)
                : throw new ModelingException($"{where}: column '{c}' is not among the columns model '{model.Name}' returns ({string.Join(", ", actualColumns.Select(a => a.Name))})")).ToList();
            compared = typed.Select(t => t.Name).ToList();
            expected = Select(dialect, rows, typed, where);
        }

        var list = string.Join(", ", compared.Select(dialect.QuoteIdentifier));
        var diff = $"""
            with dbt_unit_actual as (
                select {list} from (
            {actual}
                ) as dbt_actual
            ), dbt_unit_expected as (
                select {list} from (
            {expected}
                ) as dbt_expected
            )
            select 'actual' as {dialect.QuoteIdentifier("+/-")}, * from (select * from dbt_unit_actual except all select * from dbt_unit_expected) as only_actual
            union all
            select 'expected', * from (select * from dbt_unit_expected except all select * from dbt_unit_actual) as only_expected
            """;
        var shown = new StringBuilder();
        long failures = 0;
        await using (var result = await warehouse.QueryAsync(diff, cancellationToken).ConfigureAwait(false))
        {
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (failures++ < DiffRowsShown)
                {
                    shown.Append("\n  ").Append(string.Join(" | ", Enumerable.Range(0, result.Columns.Count).Select(i => Show(result.GetValue(i)))));
                }
            }

            if (failures > 0)
            {
                shown.Insert(0, "\n  " + string.Join(" | ", result.Columns.Select(c => c.Name)));
            }
        }

        if (failures > DiffRowsShown)
        {
            shown.Append(CultureInfo.InvariantCulture, $"\n  ... and {failures - DiffRowsShown} more");
        }

        return new Outcome(diff, failures, shown.ToString());
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The columns (and their engine types) of the relation an input stands for, as built in the warehouse.</summary>
    private static async Task<IReadOnlyList<ColumnInfo>> InputColumnsAsync(IWarehouse warehouse, ProjectManifest manifest, ManifestNode model, ManifestNode test, string input, CancellationToken cancellationToken)
    {
        ManifestNode? node;
        if (input == "this")
        {
            node = model;
        }
        else if (RefInput().Match(input) is { Success: true } r)
        {
            node = manifest.FindRef(new RefCall(r.Groups[2].Success ? r.Groups[1].Value : null, r.Groups[2].Success ? r.Groups[2].Value : r.Groups[1].Value));
        }
        else if (SourceInput().Match(input) is { Success: true } s)
        {
            node = manifest.FindSource(s.Groups[1].Value, s.Groups[2].Value);
        }
        else
        {
            throw new ModelingException($"unit test '{test.Name}' ({test.OriginalFilePath}): input '{input}' is not ref('...'), source('...', '...') or this");
        }

        if (node is null)
        {
            throw new ModelingException($"unit test '{test.Name}' ({test.OriginalFilePath}): input {input} names no node of this project");
        }

        var columns = node.IsEphemeral ? [] : await warehouse.GetColumnsAsync(new RelationName(node.Schema, node.Alias), cancellationToken).ConfigureAwait(false);
        return columns.Count > 0
            ? columns
            : throw new ModelingException($"unit test '{test.Name}' ({test.OriginalFilePath}): input {input} has no table in the warehouse to take its column types from: build it first (dbt build builds it before the test), or give its rows with format: sql");
    }

    private static async Task<IReadOnlyList<ResultColumn>> ColumnsOfAsync(IWarehouse warehouse, string sql, CancellationToken cancellationToken)
    {
        await using var result = await warehouse.QueryAsync($"select * from (\n{sql}\n) as dbt_columns where 1 = 0", cancellationToken).ConfigureAwait(false);
        return result.Columns;
    }

    /// <summary>The rows of a dict or CSV block as dicts (a CSV's empty cell is null).</summary>
    private static List<PyDict> Rows(UnitTestRows rows, string where)
    {
        if (rows.Format == "dict")
        {
            return ((List<object?>)rows.Rows!).Cast<PyDict>().ToList();
        }

        var result = new List<PyDict>();
        var text = string.Join('\n', Py.Str(rows.Rows).Trim().Split('\n').Select(l => l.Trim()));
        try
        {
            using var csv = CsvReader.FromText(text, new CsvReaderOptions { HasHeader = true, FieldCountMismatch = CsvFieldCountHandling.Throw, MalformedData = CsvMalformedDataHandling.Throw });
            var header = csv.Headers.Select(h => h.Trim()).ToArray();
            while (csv.Read())
            {
                var row = new PyDict();
                for (var i = 0; i < header.Length; i++)
                {
                    row[header[i]] = csv.GetString(i) is { Length: > 0 } value ? value.Trim() : null;
                }

                result.Add(row);
            }
        }
        catch (CsvFormatException e)
        {
            throw new ModelingException($"{where}: CSV line {e.LineNumber}: {e.Message.Split('\n')[0]}", e);
        }

        return result;
    }

    /// <summary>A SELECT of literal rows cast to the given columns' types (a column a row leaves out is null).</summary>
    private static string Select(SqlDialect dialect, List<PyDict> rows, IReadOnlyList<(string Name, string Type)> columns, string where)
    {
        foreach (var key in rows.SelectMany(r => r.Keys.Select(k => Py.Str(k))).Distinct(StringComparer.Ordinal))
        {
            if (!columns.Any(c => c.Name.Equals(key, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ModelingException($"{where}: column '{key}' is not one of {string.Join(", ", columns.Select(c => c.Name))}");
            }
        }

        string Row(PyDict? row) => "select " + string.Join(", ", columns.Select(c =>
        {
            var value = row?.FirstOrDefault(kv => Py.Str(kv.Key).Equals(c.Name, StringComparison.OrdinalIgnoreCase)).Value;
            return $"cast({Literal(dialect, value)} as {c.Type}) as {dialect.QuoteIdentifier(c.Name)}";
        }));

        return rows.Count == 0 ? Row(null) + " where 1 = 0" : string.Join("\nunion all\n", rows.Select(Row));
    }

    private static string Literal(SqlDialect dialect, object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        long or int or double or decimal => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => dialect.QuoteLiteral(Py.Str(value)),
    };

    [GeneratedRegex("""^ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)$""")]
    private static partial Regex RefInput();

    [GeneratedRegex("""^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$""")]
    private static partial Regex SourceInput();
}

using System.Collections;
using System.Data.Common;
using System.Globalization;
using CsvHelper;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Loads a seed CSV into its table: column types inferred as dbt does (integer, number, date, timestamp,
/// boolean, else text; empty cells are NULL) unless column_types says otherwise. A table whose columns already
/// match is emptied and reloaded in one transaction; otherwise the new table is built aside and swapped in, so
/// a bad file never leaves a half-loaded seed.
/// </summary>
internal static partial class SeedLoader
{
    public sealed record SeedTable(IReadOnlyList<string> Columns, IReadOnlyList<string> Types, List<string?[]> Rows);

    public static SeedTable Read(ManifestNode seed, SqlDialect dialect)
    {
        var delimiter = seed.Config.Get("delimiter") as string ?? ",";
        var csvOptions = new CsvReaderOptions
        {
            Separator = delimiter[0],
            HasHeader = true,
            TrackLineNumbers = true,
            FieldCountMismatch = CsvFieldCountHandling.Throw,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        var rows = new List<string?[]>();
        string[] header;
        try
        {
            using var csv = CsvReader.FromFile(seed.SeedFile!, csvOptions);
            header = csv.Headers.Select(c => c.Trim()).ToArray();
            if (header.Length == 0 || header.All(h => h.Length == 0))
            {
                throw new ModelingException($"{seed.OriginalFilePath}: the seed file is empty; it needs a header row");
            }

            var duplicate = header.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new ModelingException($"{seed.OriginalFilePath}:1: column '{duplicate.Key}' appears twice in the header");
            }

            while (csv.Read())
            {
                var record = new string?[header.Length];
                for (var i = 0; i < header.Length; i++)
                {
                    record[i] = csv.GetString(i);
                }

                rows.Add(record);
            }
        }
        catch (CsvFormatException e)
        {
            throw new ModelingException($"{seed.OriginalFilePath}:{e.LineNumber}: {FirstLine(e.Message)}", e);
        }

        var overrides = seed.Config.Get("column_types") as PyDict;
        var types = new string[header.Length];
        for (var i = 0; i < header.Length; i++)
        {
            types[i] = overrides?.Get(header[i]) is { } given ? Py.Str(given) : dialect.SeedTypeName(Infer(rows, i));
        }

        return new SeedTable(header, types, rows);
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static LogicalType Infer(List<string?[]> rows, int column)
    {
        bool All(Func<string, bool> accepts) => rows.All(r => string.IsNullOrEmpty(r[column]) || accepts(r[column]!));
        if (rows.All(r => string.IsNullOrEmpty(r[column])))
        {
            // dbt's type tester tries integer first, and a column with no values passes it.
            return LogicalType.Int32;
        }

        if (All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            var wide = rows.Any(r => !string.IsNullOrEmpty(r[column]) && !int.TryParse(r[column], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
            return wide ? LogicalType.Int64 : LogicalType.Int32;
        }

        if (All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && !v.Contains(',', StringComparison.Ordinal)))
        {
            return LogicalType.Float64;
        }

        if (All(v => DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            return LogicalType.Date;
        }

        if (All(v => DateTime.TryParseExact(v, ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _)))
        {
            return LogicalType.Timestamp;
        }

        if (All(v => v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("false", StringComparison.OrdinalIgnoreCase)))
        {
            return LogicalType.Boolean;
        }

        return LogicalType.Text;
    }

    public static async Task<long> LoadAsync(IWarehouse warehouse, ManifestNode seed, SeedTable table, bool fullRefresh, CancellationToken cancellationToken)
    {
        var dialect = warehouse.Dialect;
        var target = new RelationName(seed.Schema, seed.Alias);
        var existing = await warehouse.GetColumnsAsync(target, cancellationToken).ConfigureAwait(false);
        var sameShape = !fullRefresh && existing.Count == table.Columns.Count
            && existing.Zip(table.Columns, table.Types).All(t => t.First.Name == t.Second && SameType(dialect, t.First.EngineType, t.Third));
        if (sameShape)
        {
            using var rows = new RowsReader(table);
            return await warehouse.BulkLoadAsync(target, rows, new BulkLoadOptions { CreateIfMissing = false, Replace = true }, cancellationToken).ConfigureAwait(false);
        }

        await warehouse.CreateSchemaAsync(seed.Schema, cancellationToken).ConfigureAwait(false);
        var staging = new RelationName(seed.Schema, dialect.WorkName(seed.Alias, "mw_seed_load"));
        await warehouse.DropRelationAsync(staging, cancellationToken).ConfigureAwait(false);
        // quote_columns: false leaves a plain header unquoted, so the engine names the column as it names any unquoted
        // identifier (PostgreSQL folds it to lower case); the rows then go to the columns the table has, in order.
        var quote = seed.Config.Get("quote_columns") is not { } quoteColumns || Py.Truthy(quoteColumns);
        var columns = string.Join(", ", table.Columns.Zip(table.Types).Select(c =>
            (quote || !PlainIdentifier().IsMatch(c.First) ? dialect.QuoteIdentifier(c.First) : c.First) + " " + c.Second));
        await warehouse.ExecuteAsync($"CREATE TABLE {dialect.Render(staging)} ({columns}){dialect.TableSuffix()}", cancellationToken).ConfigureAwait(false);
        try
        {
            long loaded;
            var names = quote ? null : (await warehouse.GetColumnsAsync(staging, cancellationToken).ConfigureAwait(false)).Select(c => c.Name).ToList();
            using (var rows = new RowsReader(table, names))
            {
                loaded = await warehouse.BulkLoadAsync(staging, rows, new BulkLoadOptions { CreateIfMissing = false }, cancellationToken).ConfigureAwait(false);
            }

            await warehouse.CreateOrReplaceAsync(target, RelationKind.Table, $"select * from {dialect.Render(staging)}", cancellationToken).ConfigureAwait(false);
            return loaded;
        }
        finally
        {
            await warehouse.DropRelationAsync(staging, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool SameType(SqlDialect dialect, string engineType, string wanted) =>
        string.Equals(engineType, wanted, StringComparison.OrdinalIgnoreCase) || dialect.ParseType(engineType) == dialect.ParseType(wanted);

    /// <summary>The parsed rows as a data reader of strings (empty cells as NULL) for the warehouse's bulk path.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex PlainIdentifier();

    private sealed class RowsReader(SeedTable table, IReadOnlyList<string>? names = null) : DbDataReader
    {
        private int _row = -1;

        public override int FieldCount => table.Columns.Count;

        public override object this[int ordinal] => GetValue(ordinal);

        public override object this[string name] => GetValue(GetOrdinal(name));

        public override int RecordsAffected => -1;

        public override bool HasRows => table.Rows.Count > 0;

        public override bool IsClosed => false;

        public override int Depth => 0;

        public override bool Read() => ++_row < table.Rows.Count;

        public override bool NextResult() => false;

        private IReadOnlyList<string> Names => names ?? table.Columns;

        public override string GetName(int ordinal) => Names[ordinal];

        public override int GetOrdinal(string name) => Names.ToList().FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));

        public override Type GetFieldType(int ordinal) => typeof(string);

        public override string GetDataTypeName(int ordinal) => "text";

        public override object GetValue(int ordinal) => string.IsNullOrEmpty(table.Rows[_row][ordinal]) ? DBNull.Value : table.Rows[_row][ordinal]!;

        public override bool IsDBNull(int ordinal) => string.IsNullOrEmpty(table.Rows[_row][ordinal]);

        public override int GetValues(object[] values)
        {
            var n = Math.Min(values.Length, FieldCount);
            for (var i = 0; i < n; i++)
            {
                values[i] = GetValue(i);
            }

            return n;
        }

        public override string GetString(int ordinal) => table.Rows[_row][ordinal] ?? "";

        public override bool GetBoolean(int ordinal) => bool.Parse(GetString(ordinal));

        public override byte GetByte(int ordinal) => byte.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

        public override char GetChar(int ordinal) => GetString(ordinal)[0];

        public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

        public override DateTime GetDateTime(int ordinal) => DateTime.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override decimal GetDecimal(int ordinal) => decimal.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override double GetDouble(int ordinal) => double.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override float GetFloat(int ordinal) => float.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override Guid GetGuid(int ordinal) => Guid.Parse(GetString(ordinal));

        public override short GetInt16(int ordinal) => short.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override int GetInt32(int ordinal) => int.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override long GetInt64(int ordinal) => long.Parse(GetString(ordinal), CultureInfo.InvariantCulture);

        public override IEnumerator GetEnumerator() => throw new NotSupportedException();
    }
}

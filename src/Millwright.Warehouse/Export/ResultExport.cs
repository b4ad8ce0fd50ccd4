using System.Collections;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Parquet;
using Parquet.Schema;

namespace Millwright.Warehouse.Export;

public enum ExportFormat
{
    Csv,
    Json,
    Parquet,
}

/// <summary>Writes a streamed query result as CSV, JSON (an array of objects) or Parquet, row by row.</summary>
public static class ResultExport
{
    private const int ParquetRowGroupSize = 100_000;

    /// <summary>Writes every remaining row of <paramref name="result"/>; returns the number of rows written.</summary>
    public static Task<long> WriteAsync(QueryResult result, ExportFormat format, Stream output, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        return format switch
        {
            ExportFormat.Csv => WriteCsvAsync(result, output, progress, cancellationToken),
            ExportFormat.Json => WriteJsonAsync(result, output, progress, cancellationToken),
            ExportFormat.Parquet => WriteParquetAsync(result, output, progress, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    private static async Task<long> WriteCsvAsync(QueryResult result, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var csv = CsvWriter.Create(output, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, true);
        await using (csv.ConfigureAwait(false))
        {
            csv.WriteHeader(result.Columns.Select(c => c.Name).ToArray());
            long rows = 0;
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    csv.WriteField(FormatText(result.GetValue(i)));
                }

                await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
                Report(progress, ++rows);
            }

            await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
    }

    private static async Task<long> WriteJsonAsync(QueryResult result, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        await using (json.ConfigureAwait(false))
        {
            json.WriteStartArray();
            long rows = 0;
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                json.WriteStartObject();
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    json.WritePropertyName(result.Columns[i].Name);
                    WriteJsonValue(json, result.GetValue(i));
                }

                json.WriteEndObject();
                Report(progress, ++rows);
                if (json.BytesPending > 64 * 1024)
                {
                    await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            json.WriteEndArray();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            return rows;
        }
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case short or int or long or byte or sbyte or ushort or uint:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: json.WriteNumberValue(u); break;
            case decimal m: json.WriteNumberValue(m); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case float f when float.IsFinite(f): json.WriteNumberValue(f); break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName(FormatText(entry.Key));
                    WriteJsonValue(json, entry.Value);
                }

                json.WriteEndObject();
                break;
            case IList list and not byte[]:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            default: json.WriteStringValue(FormatText(value)); break;
        }
    }

    /// <summary>A value as text: invariant numbers, ISO 8601 dates and times, empty for NULL.</summary>
    public static string FormatText(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateTime dt => dt.TimeOfDay == TimeSpan.Zero && dt.Kind != DateTimeKind.Utc
            ? dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : dt.ToString(dt.Kind == DateTimeKind.Utc ? "yyyy-MM-dd HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes),
        Stream blob => Convert.ToHexString(ValueConverter.ReadAll(blob)),
        IDictionary map => "{" + string.Join(", ", Entries(map).Select(e => $"{Nested(e.Key)}: {Nested(e.Value)}")) + "}",
        IList list => "[" + string.Join(", ", list.Cast<object?>().Select(Nested)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<DictionaryEntry> Entries(IDictionary map)
    {
        var entries = map.GetEnumerator();
        while (entries.MoveNext())
        {
            yield return entries.Entry;
        }
    }

    /// <summary>A value inside a list, struct or map, as DuckDB writes it: text quoted, NULL spelled out.</summary>
    private static string Nested(object? value) => value switch
    {
        null => "NULL",
        string text => $"'{text.Replace("'", "''", StringComparison.Ordinal)}'",
        _ => FormatText(value),
    };

    private static async Task<long> WriteParquetAsync(QueryResult result, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var buffers = result.Columns.Select(ColumnBuffer.For).ToArray();
        var schema = new ParquetSchema(buffers.Select(b => (Field)b.Field));
        var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (writer.ConfigureAwait(false))
        {
            long rows = 0;
            var pending = 0;
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < buffers.Length; i++)
                {
                    buffers[i].Add(result.GetValue(i));
                }

                Report(progress, ++rows);
                if (++pending == ParquetRowGroupSize)
                {
                    await FlushAsync(writer, buffers, cancellationToken).ConfigureAwait(false);
                    pending = 0;
                }
            }

            if (pending > 0 || rows == 0)
            {
                await FlushAsync(writer, buffers, cancellationToken).ConfigureAwait(false);
            }

            return rows;
        }
    }

    private static async Task FlushAsync(ParquetWriter writer, ColumnBuffer[] buffers, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        foreach (var buffer in buffers)
        {
            await buffer.FlushAsync(group, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Report(IProgress<long>? progress, long rows)
    {
        if (progress is not null && rows % 10_000 == 0)
        {
            progress.Report(rows);
        }
    }

    /// <summary>One Parquet column's values for the current row group.</summary>
    private abstract class ColumnBuffer(DataField field)
    {
        public DataField Field { get; } = field;

        public abstract void Add(object? value);

        public abstract Task FlushAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

        public static ColumnBuffer For(ResultColumn column) => column.Type switch
        {
            LogicalType.Boolean => new Values<bool>(column, LogicalType.Boolean),
            LogicalType.Int16 => new Values<short>(column, LogicalType.Int16),
            LogicalType.Int32 => new Values<int>(column, LogicalType.Int32),
            LogicalType.Int64 => new Values<long>(column, LogicalType.Int64),
            LogicalType.Float32 => new Values<float>(column, LogicalType.Float32),
            LogicalType.Float64 => new Values<double>(column, LogicalType.Float64),
            LogicalType.Decimal => new Values<decimal>(column, LogicalType.Decimal),
            LogicalType.Date => new Values<DateOnly>(column, LogicalType.Date),
            LogicalType.Timestamp or LogicalType.TimestampTz => new Values<DateTime>(column, column.Type),
            LogicalType.Binary => new Bytes(column),
            _ => new Strings(column),
        };
    }

    private sealed class Values<T>(ResultColumn column, LogicalType type) : ColumnBuffer(new DataField(column.Name, typeof(T?), isNullable: true, isArray: null, propertyName: null))
        where T : struct
    {
        private readonly List<T?> _values = [];

        public override void Add(object? value) => _values.Add(value is null ? null : value is T typed ? typed : (T)ValueConverter.Convert(value, type));

        public override async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            await group.WriteAsync<T>(Field, _values.ToArray().AsMemory(), null, null, cancellationToken).ConfigureAwait(false);
            _values.Clear();
        }
    }

    private sealed class Strings(ResultColumn column) : ColumnBuffer(new DataField(column.Name, typeof(string), isNullable: true, isArray: null, propertyName: null))
    {
        private readonly List<string?> _values = [];

        public override void Add(object? value) => _values.Add(value is null ? null : FormatText(value));

        public override async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            await group.WriteAsync(Field, _values.ToArray()!, null).ConfigureAwait(false);
            _values.Clear();
        }
    }

    private sealed class Bytes(ResultColumn column) : ColumnBuffer(new DataField(column.Name, typeof(byte[]), isNullable: true, isArray: null, propertyName: null))
    {
        private readonly List<byte[]?> _values = [];

        public override void Add(object? value) => _values.Add(value switch
        {
            byte[] bytes => bytes,
            Stream blob => ValueConverter.ReadAll(blob),
            _ => null,
        });

        public override async Task FlushAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken)
        {
            await group.WriteAsync(Field, _values.ToArray()!, null).ConfigureAwait(false);
            _values.Clear();
        }
    }
}

using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Millwright.Warehouse;

/// <summary>
/// The streamed rows of a query. Rows are read one at a time from the engine; nothing is buffered whole.
/// Dispose it to release the connection.
/// </summary>
public sealed class QueryResult : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbCommand _command;
    private readonly DbDataReader _reader;
    private readonly Func<Exception, WarehouseException?> _translate;
    private long _rowsRead;

    internal QueryResult(DbConnection connection, DbCommand command, DbDataReader reader, SqlDialect dialect, Func<Exception, WarehouseException?> translate)
    {
        _connection = connection;
        _command = command;
        _reader = reader;
        _translate = translate;
        var columns = new List<ResultColumn>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var engineType = reader.GetDataTypeName(i);
            var type = dialect.ParseType(engineType);
            if (type == LogicalType.Other)
            {
                type = LogicalTypes.FromClr(reader.GetFieldType(i));
            }

            columns.Add(new ResultColumn(reader.GetName(i), engineType, type, reader.GetFieldType(i)));
        }

        Columns = columns;
    }

    public IReadOnlyList<ResultColumn> Columns { get; }

    public long RowsRead => _rowsRead;

    /// <summary>Advances to the next row; false at the end.</summary>
    public async Task<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var more = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (more)
            {
                _rowsRead++;
            }

            return more;
        }
        catch (Exception e) when (_translate(e) is { } translated)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw translated;
        }
    }

    public bool IsNull(int ordinal) => _reader.IsDBNull(ordinal);

    /// <summary>The value of a column in the current row; null for SQL NULL.</summary>
    public object? GetValue(int ordinal) => _reader.IsDBNull(ordinal) ? null : _reader.GetValue(ordinal);

    public T GetFieldValue<T>(int ordinal) => _reader.GetFieldValue<T>(ordinal);

    /// <summary>Every remaining row as an array of values.</summary>
    public async IAsyncEnumerable<object?[]> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[Columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = GetValue(i);
            }

            yield return row;
        }
    }

    /// <summary>The underlying rows as an ADO.NET reader, for example to bulk-load them into another warehouse.</summary>
    public DbDataReader AsDataReader() => _reader;

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _command.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A column of a query result: its name, the engine's type, the logical type and the CLR type of its values.</summary>
public sealed record ResultColumn(string Name, string EngineType, LogicalType Type, Type ClrType);

namespace Millwright.Warehouse;

/// <summary>
/// A failure reported by the warehouse engine: its own message, the SQLSTATE where it gives one, and the
/// line and column in the SQL where it points at one.
/// </summary>
public sealed class WarehouseException : Exception
{
    public WarehouseException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public WarehouseException()
    {
    }

    public WarehouseException(string message)
        : base(message)
    {
    }

    public WarehouseEngine? Engine { get; init; }

    /// <summary>The engine's own message, unchanged.</summary>
    public string? EngineMessage { get; init; }

    public string? SqlState { get; init; }

    /// <summary>1-based line in the SQL text, where known.</summary>
    public int? Line { get; init; }

    /// <summary>1-based column in the SQL text, where known.</summary>
    public int? Column { get; init; }

    /// <summary>
    /// With <see cref="WarehouseErrorKind.MissingRelation"/>: the table, view or schema the engine says does not exist,
    /// as it names it (<c>sales</c> or <c>marts.sales</c>), when its message names one.
    /// </summary>
    public string? MissingName { get; init; }

    /// <summary>The category of failure, for callers that react differently (for example to a lost connection).</summary>
    public WarehouseErrorKind Kind { get; init; } = WarehouseErrorKind.Query;

    /// <summary>Converts a 1-based character offset into SQL text to a 1-based line and column.</summary>
    internal static (int Line, int Column) LineAndColumn(string sql, int position)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < position - 1 && i < sql.Length; i++)
        {
            if (sql[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }
}

public enum WarehouseErrorKind
{
    /// <summary>The SQL is wrong or failed while running.</summary>
    Query,

    /// <summary>The engine could not be reached or opened.</summary>
    Connection,

    /// <summary>A bulk load's data did not fit its target.</summary>
    Data,

    /// <summary>A key already taken (unique or primary key) or a write that lost to a concurrent transaction: nothing was written.</summary>
    Conflict,

    /// <summary>The statement names a table, view or schema that does not exist (often: not built yet).</summary>
    MissingRelation,
}

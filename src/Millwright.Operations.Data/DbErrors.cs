using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Millwright.Operations.Data;

public enum ConstraintKind { Unique, Check, ForeignKey, NotNull }

/// <summary>A write broke a database constraint: which kind and, where the engine says, which constraint or column.</summary>
public sealed record ConstraintViolation(ConstraintKind Kind, string Constraint)
{
    /// <summary>The table, where the engine names it.</summary>
    public string? Table { get; init; }

    /// <summary>The columns of the key or rule, where the engine names them.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>A sentence for people: "sites already has a row with this code".</summary>
    public string Describe() => Kind switch
    {
        ConstraintKind.Unique when Table is not null && Columns.Count > 0 => $"{Table} already has a row with this {string.Join(" and ", Columns)}",
        ConstraintKind.Unique => $"a row with the same key already exists ({Constraint})",
        ConstraintKind.ForeignKey => $"a referenced row does not exist{(Table is null ? "" : $" (from {Table})")}",
        ConstraintKind.NotNull when Columns.Count > 0 => $"{(Table is null ? "" : Table + ".")}{Columns[0]} is required",
        _ => $"the write breaks the rule {Constraint}",
    };
}

/// <summary>Reads constraint violations out of either provider's exceptions.</summary>
public static partial class DbErrors
{
    public static ConstraintViolation? Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException pg:
                    var kind = pg.SqlState switch
                    {
                        PostgresErrorCodes.UniqueViolation => ConstraintKind.Unique,
                        PostgresErrorCodes.CheckViolation => ConstraintKind.Check,
                        PostgresErrorCodes.ForeignKeyViolation => ConstraintKind.ForeignKey,
                        PostgresErrorCodes.NotNullViolation => ConstraintKind.NotNull,
                        _ => (ConstraintKind?)null,
                    };
                    if (kind is null)
                    {
                        return null;
                    }

                    var keyColumns = pg.Detail is { } detail && PostgresKey().Match(detail) is { Success: true } key
                        ? key.Groups["cols"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                        : pg.ColumnName is { } column ? [column] : [];
                    return new ConstraintViolation(kind.Value, pg.ConstraintName ?? pg.ColumnName ?? pg.MessageText) { Table = pg.TableName, Columns = keyColumns };
                case SqliteException { SqliteErrorCode: 19 } sqlite:
                    var m = SqliteConstraint().Match(sqlite.Message);
                    if (!m.Success)
                    {
                        return null;
                    }

                    var sqliteKind = m.Groups["kind"].Value switch
                    {
                        "UNIQUE" => ConstraintKind.Unique,
                        "CHECK" => ConstraintKind.Check,
                        "FOREIGN KEY" => ConstraintKind.ForeignKey,
                        _ => ConstraintKind.NotNull,
                    };
                    var what = m.Groups["what"].Value.Trim();
                    var parts = what.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('.', 2)).ToList();
                    return new ConstraintViolation(sqliteKind, what)
                    {
                        Table = parts.Count > 0 && parts.All(p => p.Length == 2) ? parts[0][0] : null,
                        Columns = parts.All(p => p.Length == 2) ? [.. parts.Select(p => p[1])] : [],
                    };
            }
        }

        return null;
    }

    /// <summary>Whether the failure is a lost race on the unique index <paramref name="tableDotColumnOrIndex"/>.</summary>
    public static bool IsUniqueRace(DbUpdateException exception, params string[] tableDotColumnOrIndex)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return Classify(exception) is { Kind: ConstraintKind.Unique } v
            && tableDotColumnOrIndex.Any(t => v.Constraint.Contains(t, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"(?<kind>UNIQUE|CHECK|FOREIGN KEY|NOT NULL) constraint failed:?(?<what>[^'\r\n]*)", RegexOptions.Multiline)]
    private static partial Regex SqliteConstraint();

    [GeneratedRegex(@"^Key \((?<cols>[^)]*)\)=")]
    private static partial Regex PostgresKey();
}

using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Millwright.Operations.Data;

public enum ConstraintKind { Unique, Check, ForeignKey, NotNull }

/// <summary>A write broke a database constraint: which kind and, where the engine says, which constraint or column.</summary>
public sealed record ConstraintViolation(ConstraintKind Kind, string Constraint);

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
                    return kind is null ? null : new ConstraintViolation(kind.Value, pg.ConstraintName ?? pg.ColumnName ?? pg.MessageText);
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
                    return new ConstraintViolation(sqliteKind, m.Groups["what"].Value.Trim());
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

    [GeneratedRegex(@"(?<kind>UNIQUE|CHECK|FOREIGN KEY|NOT NULL) constraint failed:?(?<what>.*)$", RegexOptions.Multiline)]
    private static partial Regex SqliteConstraint();
}

using System.Text;

namespace Millwright.Warehouse.ClickHouse;

/// <summary>
/// What ClickHouse's HTTP interface needs done to SQL text first: it runs one statement per request (so a script is
/// split at its semicolons), and 18.16 binds no query parameters (so <c>$1</c> ... are replaced by literals quoted by
/// the dialect). Both read the text as ClickHouse's lexer does: quotes with backslash escapes, -- and /* */ comments.
/// </summary>
internal static class ClickHouseSql
{
    /// <summary>The statements of a script, each without its semicolon; empty statements are dropped.</summary>
    public static IReadOnlyList<string> Split(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<string>();
        var start = 0;
        Scan(sql, (i, c) =>
        {
            if (c == ';')
            {
                Add(sql[start..i]);
                start = i + 1;
            }
        });
        Add(sql[start..]);
        return statements;

        void Add(string statement)
        {
            if (HasCode(statement))
            {
                statements.Add(statement.Trim());
            }
        }
    }

    /// <summary>
    /// <paramref name="sql"/> with each <c>$n</c> outside quotes and comments replaced by the literal of parameter n
    /// (1-based). A reference to a parameter that was not given is an error naming it.
    /// </summary>
    public static string Bind(string sql, IReadOnlyList<object?> parameters, SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
        {
            return sql;
        }

        var output = new StringBuilder(sql.Length + 16 * parameters.Count);
        var copied = 0;
        var skipUntil = -1;
        Scan(sql, (i, c) =>
        {
            if (c != '$' || i < skipUntil || i + 1 >= sql.Length || !char.IsAsciiDigit(sql[i + 1]))
            {
                return;
            }

            var end = i + 1;
            while (end < sql.Length && char.IsAsciiDigit(sql[end]))
            {
                end++;
            }

            var number = int.Parse(sql.AsSpan(i + 1, end - i - 1), System.Globalization.CultureInfo.InvariantCulture);
            if (number < 1 || number > parameters.Count)
            {
                throw new WarehouseException($"the query refers to ${number} but {parameters.Count} parameter(s) were given") { Engine = WarehouseEngine.ClickHouse, Kind = WarehouseErrorKind.Query };
            }

            output.Append(sql, copied, i - copied).Append(dialect.Literal(parameters[number - 1]));
            copied = end;
            skipUntil = end;
        });
        return output.Append(sql, copied, sql.Length - copied).ToString();
    }

    /// <summary>Calls <paramref name="code"/> for each character of SQL code and each opening quote, never inside a quote or a comment.</summary>
    private static void Scan(string sql, Action<int, char> code)
    {
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"' or '`')
            {
                code(i, c);
                i++;
                while (i < sql.Length && sql[i] != c)
                {
                    i += sql[i] == '\\' ? 2 : 1;
                }

                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                code(i, c);
                i++;
            }
        }
    }

    private static bool HasCode(string sql)
    {
        var any = false;
        Scan(sql, (_, c) => any |= !char.IsWhiteSpace(c));
        return any;
    }
}

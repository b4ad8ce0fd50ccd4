using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Millwright.Dashboards;

/// <summary>
/// A card's SQL with its filter markers turned into conditions on bound parameters (<c>$1</c>, <c>$2</c>, ... on every
/// engine): <c>{{site:s.code}}</c> becomes <c>CAST(s.code AS VARCHAR) = $1</c> when the viewer chose a site, and
/// <c>1 = 1</c> when not; <c>{{period:f.day}}</c> becomes <c>f.day &gt;= $1 AND f.day &lt; $2</c> (the day after the range's
/// end, so timestamps of the last day count). <c>{{point}}</c> (drill queries) is the clicked value. A value is only
/// ever a parameter, never text in the SQL.
/// </summary>
public sealed partial record CardQuery(string Sql, IReadOnlyList<object?> Parameters)
{
    /// <summary>The markers of <paramref name="sql"/>: (filter id or "point", column or null).</summary>
    public static IReadOnlyList<(string Name, string? Column)> Markers(string sql) =>
        [.. Marker().Matches(sql).Select(m => (m.Groups["name"].Value, m.Groups["column"].Success ? m.Groups["column"].Value.Trim() : null))];

    /// <summary>Any text between double braces that is not a marker this grammar knows.</summary>
    public static IReadOnlyList<string> Malformed(string sql) =>
        [.. Braces().Matches(sql).Select(m => m.Value).Where(m => !Marker().IsMatch(m))];

    public static CardQuery Build(string sql, IReadOnlyList<FilterDefinition> filters, FilterValues values, DateOnly today, string? point = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(values);
        var parameters = new List<object?>();
        string Bind(object? value)
        {
            parameters.Add(value);
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }

        var text = Marker().Replace(sql, m =>
        {
            var name = m.Groups["name"].Value;
            if (name == "point")
            {
                return Bind(point);
            }

            var column = m.Groups["column"].Value.Trim();
            var filter = filters.First(f => f.Id == name);
            switch (filter.Kind)
            {
                case FilterKind.Choice:
                    return values.Get(filter.Id) is { } chosen ? $"CAST({column} AS VARCHAR) = {Bind(chosen)}" : "1 = 1";
                default:
                    var (from, to) = Range(filter, values, today);
                    var conditions = new StringBuilder();
                    if (from is { } f)
                    {
                        conditions.Append(column).Append(" >= ").Append(Bind(f));
                    }

                    if (to is { } t)
                    {
                        conditions.Append(conditions.Length > 0 ? " AND " : "").Append(column).Append(" < ").Append(Bind(t.AddDays(1)));
                    }

                    return conditions.Length > 0 ? "(" + conditions + ")" : "1 = 1";
            }
        });
        return new CardQuery(text, parameters);
    }

    /// <summary>A date range's bounds: the viewer's, else the filter's default (the last N days to today), else none.</summary>
    public static (DateOnly? From, DateOnly? To) Range(FilterDefinition filter, FilterValues values, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(values);
        var from = Date(values.Get(filter.Id + "_from"), filter.Id + "_from");
        var to = Date(values.Get(filter.Id + "_to"), filter.Id + "_to");
        if (from is null && to is null && filter.DefaultDays is { } days)
        {
            return (today.AddDays(-days), null);
        }

        return (from, to);
    }

    private static DateOnly? Date(string? text, string name) => text is null
        ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new DashboardException($"{name}: '{text}' is not a date (use yyyy-MM-dd)");

    [GeneratedRegex(@"\{\{\s*(?<name>[a-z][a-z0-9_]*)\s*(:(?<column>\s*[A-Za-z_][A-Za-z0-9_.""]*\s*))?\}\}")]
    private static partial Regex Marker();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex Braces();
}

namespace Millwright.Dashboards;

/// <summary>How a card shows its rows.</summary>
public enum ChartKind { Line, Area, Bar, StackedBar, Pie, Donut, Scatter, HeatMap, Number, Gauge, Table }

/// <summary>What a filter holds: a date range (from, to) or one value chosen from a list.</summary>
public enum FilterKind { DateRange, Choice }

/// <summary>A filter that applies to every card that names it in its SQL (<c>{{id:column}}</c>).</summary>
public sealed record FilterDefinition(string Id, string Label, FilterKind Kind)
{
    /// <summary>For a choice: the query whose first column lists the values offered.</summary>
    public string? OptionsSql { get; init; }

    /// <summary>For a date range: how many days back it starts by default (null: no default, every date).</summary>
    public int? DefaultDays { get; init; }
}

/// <summary>A colour rule of a table card: a numeric column's cells at or above (or below) a value take a colour.</summary>
public sealed record ColorRule(string Column, double? Above, double? Below, string Color);

/// <summary>
/// A card: a SQL query over the warehouse (with <c>{{filter:column}}</c> markers where filters apply) and how its
/// rows are drawn: <see cref="X"/> the category or time column, <see cref="Y"/> the value columns, <see cref="Series"/>
/// a column whose values become the series (long format), <see cref="Trend"/> a previous value for a number card.
/// </summary>
public sealed record CardDefinition(string Id, string Title, ChartKind Chart, string Sql)
{
    public string? Description { get; init; }
    public string? X { get; init; }
    public IReadOnlyList<string> Y { get; init; } = [];
    public string? Series { get; init; }
    public string? Trend { get; init; }

    /// <summary>A .NET format for the values (e.g. <c>0.0%</c>, <c>#,0</c>).</summary>
    public string? Format { get; init; }

    /// <summary>Formats of single columns (a table's rates as percents, its costs with two decimals).</summary>
    public IReadOnlyDictionary<string, string> Formats { get; init; } = new Dictionary<string, string>();

    /// <summary>For a number with a trend: whether a rise is good (green) or bad (red, e.g. a cost).</summary>
    public bool LowerIsBetter { get; init; }

    /// <summary>For a gauge: the value of a full dial.</summary>
    public double? Max { get; init; }

    /// <summary>Width in twelfths of the row (a phone shows every card full width).</summary>
    public int Width { get; init; } = 6;

    public IReadOnlyList<ColorRule> Colors { get; init; } = [];

    /// <summary>
    /// The rows behind a point: a query with the same markers plus <c>{{point}}</c>, the x value clicked (bound, never
    /// pasted). Without one, a click shows the card's own rows for that x.
    /// </summary>
    public string? DrillSql { get; init; }
}

/// <summary>A dashboard: its id (the file name), title, filters and cards, and the file it came from.</summary>
public sealed record DashboardDefinition(string Id, string Title, string Pipeline, string SourceFile, IReadOnlyList<FilterDefinition> Filters, IReadOnlyList<CardDefinition> Cards)
{
    public string? Description { get; init; }

    public CardDefinition? Card(string id) => Cards.FirstOrDefault(c => c.Id == id);
}

/// <summary>The values a viewer set: a date range's bounds, a choice's value; a filter left out does not restrict.</summary>
public sealed record FilterValues(IReadOnlyDictionary<string, string> Values)
{
    public static FilterValues None { get; } = new(new Dictionary<string, string>());

    public string? Get(string key) => Values.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
}

/// <summary>A card's answer: its columns and rows (plain values), and whether it came from the cache.</summary>
public sealed record CardData(IReadOnlyList<CardColumn> Columns, IReadOnlyList<object?[]> Rows, bool Cached, TimeSpan Elapsed, bool Truncated);

public sealed record CardColumn(string Name, Warehouse.LogicalType Type);

/// <summary>A dashboard file that cannot be used, with where and why.</summary>
public sealed class DashboardException(string message) : Exception(message);

using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Millwright.Dashboards;

/// <summary>
/// Reads every <c>pipelines/NAME/dashboards/*.yml</c> file: one dashboard per file, its id the file's name. A file
/// that cannot be used is reported with its path, line and field, and the others still load.
/// </summary>
public static class DashboardLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static DashboardSet Load(string pipelinesDirectory)
    {
        var dashboards = new List<DashboardDefinition>();
        var errors = new List<string>();
        if (!Directory.Exists(pipelinesDirectory))
        {
            return new DashboardSet(dashboards, errors);
        }

        foreach (var folder in Directory.EnumerateDirectories(pipelinesDirectory).Order(StringComparer.Ordinal))
        {
            var dir = Path.Combine(folder, "dashboards");
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir).Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                try
                {
                    var dashboard = Parse(File.ReadAllText(file), Path.GetFileNameWithoutExtension(file), Path.GetFileName(folder), file);
                    if (dashboards.Any(d => d.Id == dashboard.Id))
                    {
                        throw new DashboardException($"{file}: a dashboard with the id '{dashboard.Id}' is already defined by another pipeline; rename one file");
                    }

                    dashboards.Add(dashboard);
                }
                catch (DashboardException e)
                {
                    errors.Add(e.Message);
                }
            }
        }

        return new DashboardSet(dashboards, errors);
    }

    public static DashboardDefinition Parse(string yaml, string id, string pipeline, string file)
    {
        DashboardFile raw;
        try
        {
            raw = Yaml.Deserialize<DashboardFile?>(yaml) ?? throw new DashboardException($"{file}: the file is empty");
        }
        catch (YamlException e)
        {
            throw new DashboardException($"{file}:{e.Start.Line}:{e.Start.Column}: {(e.InnerException ?? e).Message}");
        }

        string Where(string field) => $"{file}: {field}";
        if (string.IsNullOrWhiteSpace(raw.Title))
        {
            throw new DashboardException(Where("title is required"));
        }

        var filters = new List<FilterDefinition>();
        foreach (var f in raw.Filters ?? [])
        {
            if (string.IsNullOrWhiteSpace(f.Id) || !IsName(f.Id))
            {
                throw new DashboardException(Where($"filters: '{f.Id}' is not an id (lower case letters, digits and _)"));
            }

            var kind = f.Type switch
            {
                "date_range" => FilterKind.DateRange,
                "choice" => FilterKind.Choice,
                _ => throw new DashboardException(Where($"filters.{f.Id}.type: '{f.Type}' is not a filter type (date_range or choice)")),
            };
            if (kind == FilterKind.Choice && string.IsNullOrWhiteSpace(f.Options))
            {
                throw new DashboardException(Where($"filters.{f.Id}.options: a choice needs the query that lists its values"));
            }

            filters.Add(new FilterDefinition(f.Id, f.Label ?? f.Id, kind) { OptionsSql = f.Options, DefaultDays = f.DefaultDays });
        }

        var cards = new List<CardDefinition>();
        foreach (var c in raw.Cards ?? [])
        {
            var where = $"cards.{c.Id}";
            if (string.IsNullOrWhiteSpace(c.Id) || !IsName(c.Id))
            {
                throw new DashboardException(Where($"cards: '{c.Id}' is not an id (lower case letters, digits and _)"));
            }

            if (cards.Any(x => x.Id == c.Id))
            {
                throw new DashboardException(Where($"{where}: the id is used twice"));
            }

            if (string.IsNullOrWhiteSpace(c.Sql))
            {
                throw new DashboardException(Where($"{where}.sql is required"));
            }

            var chart = Chart(c.Chart) ?? throw new DashboardException(Where($"{where}.chart: '{c.Chart}' is not a chart (line, area, bar, stacked_bar, pie, donut, scatter, heat_map, number, gauge, table)"));
            foreach (var sql in new[] { ("sql", c.Sql), ("drill", c.Drill) }.Where(s => s.Item2 is not null))
            {
                if (CardQuery.Malformed(sql.Item2!) is [var bad, ..])
                {
                    throw new DashboardException(Where($"{where}.{sql.Item1}: {bad} is not a filter marker (write {{{{filter_id:column}}}})"));
                }

                foreach (var (name, column) in CardQuery.Markers(sql.Item2!))
                {
                    if (name == "point" ? sql.Item1 != "drill" : filters.All(f => f.Id != name) || column is null)
                    {
                        throw new DashboardException(Where($"{where}.{sql.Item1}: {{{{{name}{(column is null ? "" : ":" + column)}}}}} names no filter of this dashboard ({string.Join(", ", filters.Select(f => f.Id))}) with a column{(sql.Item1 == "drill" ? "; {{point}} is the clicked value" : "")}"));
                    }
                }
            }

            var y = c.Y switch
            {
                null => [],
                string one => [one],
                List<object> many => many.Select(v => v?.ToString() ?? "").ToList(),
                _ => throw new DashboardException(Where($"{where}.y: a column name or a list of them")),
            };
            if (chart is not ChartKind.Table && y.Count == 0)
            {
                throw new DashboardException(Where($"{where}.y: name the value column(s) to draw"));
            }

            if (chart is ChartKind.Line or ChartKind.Area or ChartKind.Bar or ChartKind.StackedBar or ChartKind.Pie or ChartKind.Donut or ChartKind.Scatter or ChartKind.HeatMap && c.X is null)
            {
                throw new DashboardException(Where($"{where}.x: a {c.Chart} needs the column of its categories or times"));
            }

            if (chart is ChartKind.HeatMap && c.Series is null)
            {
                throw new DashboardException(Where($"{where}.series: a heat map needs the column of its rows"));
            }

            cards.Add(new CardDefinition(c.Id, c.Title ?? c.Id, chart, c.Sql)
            {
                Description = c.Description,
                X = c.X,
                Y = y,
                Series = c.Series,
                Trend = c.Trend,
                Format = c.Format,
                Formats = c.Formats ?? [],
                LowerIsBetter = c.Better switch
                {
                    null or "higher" => false,
                    "lower" => true,
                    _ => throw new DashboardException(Where($"{where}.better: '{c.Better}' is not higher or lower")),
                },
                Max = c.Max,
                Width = Math.Clamp(c.Width ?? 6, 1, 12),
                Colors = [.. (c.Colors ?? []).Select(r => new ColorRule(
                    r.Column ?? throw new DashboardException(Where($"{where}.colors: a rule names its column")),
                    r.Above,
                    r.Below,
                    r.Color is null or { Length: 0 } ? "#fde2e1" : IsColor(r.Color) ? r.Color : throw new DashboardException(Where($"{where}.colors: '{r.Color}' is not a colour (#rgb, #rrggbb or a name)"))))],
                DrillSql = c.Drill,
            });
        }

        if (cards.Count == 0)
        {
            throw new DashboardException(Where("cards: a dashboard needs at least one card"));
        }

        return new DashboardDefinition(id, raw.Title, pipeline, file, filters, cards) { Description = raw.Description };
    }

    private static bool IsColor(string text) =>
        (text[0] == '#' && text.Length is 4 or 7 or 9 && text[1..].All(char.IsAsciiHexDigit)) || text.All(char.IsAsciiLetterLower);

    private static bool IsName(string text) => text.Length > 0 && char.IsAsciiLetterLower(text[0]) && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static ChartKind? Chart(string? name) => name switch
    {
        "line" => ChartKind.Line,
        "area" => ChartKind.Area,
        "bar" => ChartKind.Bar,
        "stacked_bar" => ChartKind.StackedBar,
        "pie" => ChartKind.Pie,
        "donut" => ChartKind.Donut,
        "scatter" => ChartKind.Scatter,
        "heat_map" => ChartKind.HeatMap,
        "number" => ChartKind.Number,
        "gauge" => ChartKind.Gauge,
        "table" => ChartKind.Table,
        _ => null,
    };

    private sealed class DashboardFile
    {
        public string? Title { get; set; }
        public string? Description { get; set; }
        public List<FilterFile>? Filters { get; set; }
        public List<CardFile>? Cards { get; set; }
    }

    private sealed class FilterFile
    {
        public string? Id { get; set; }
        public string? Label { get; set; }
        public string? Type { get; set; }
        public string? Options { get; set; }
        public int? DefaultDays { get; set; }
    }

    private sealed class CardFile
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public string? Description { get; set; }
        public string? Chart { get; set; }
        public string? Sql { get; set; }
        public string? X { get; set; }
        public object? Y { get; set; }
        public string? Series { get; set; }
        public string? Trend { get; set; }
        public string? Format { get; set; }
        public Dictionary<string, string>? Formats { get; set; }
        public string? Better { get; set; }
        public double? Max { get; set; }
        public int? Width { get; set; }
        public List<ColorFile>? Colors { get; set; }
        public string? Drill { get; set; }
    }

    private sealed class ColorFile
    {
        public string? Column { get; set; }
        public double? Above { get; set; }
        public double? Below { get; set; }
        public string? Color { get; set; }
    }
}

/// <summary>The dashboards of a workspace, and the files that could not be used.</summary>
public sealed record DashboardSet(IReadOnlyList<DashboardDefinition> Dashboards, IReadOnlyList<string> Errors)
{
    public DashboardDefinition? Get(string id) => Dashboards.FirstOrDefault(d => d.Id == id);
}

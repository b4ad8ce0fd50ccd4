using System.Globalization;
using Millwright.Dashboards;
using MudBlazor;

namespace Millwright.Web.Dashboards.Components;

/// <summary>
/// A card's rows turned into what a chart draws: the x labels and one series per value column (wide rows) or per
/// value of the series column (long rows); values that are not numbers are gaps. Also the text of a value in the
/// card's format.
/// </summary>
internal static class CardShape
{
    /// <summary>A round step between the y axis's ticks (1, 2, 2.5 or 5 times a power of ten) giving about five ticks up to <paramref name="top"/>; at least 1 (the chart takes whole steps).</summary>
    public static int AxisStep(double top)
    {
        var raw = Math.Max(top, 1) / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(m => m >= raw);
        return (int)Math.Max(1, Math.Round(step));
    }

    public static (string[] Labels, List<ChartSeries<double>> Series) Build(CardDefinition card, CardData data, double scale = 1)
    {
        var x = Index(data, card.X);
        var labels = new List<string>();
        var at = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in data.Rows)
        {
            var label = Label(x < 0 ? null : row[x]);
            if (at.TryAdd(label, labels.Count))
            {
                labels.Add(label);
            }
        }

        var series = new List<ChartSeries<double>>();
        if (card.Series is { } seriesColumn && Index(data, seriesColumn) is var s and >= 0)
        {
            var y = Index(data, First(card.Y));
            var byName = new Dictionary<string, double?[]>(StringComparer.Ordinal);
            foreach (var row in data.Rows)
            {
                var name = Label(row[s]);
                if (!byName.TryGetValue(name, out var values))
                {
                    values = new double?[labels.Count];
                    byName[name] = values;
                }

                values[at[Label(x < 0 ? null : row[x])]] = y < 0 ? null : Number(row[y]) * scale;
            }

            series.AddRange(byName.Select(p => new ChartSeries<double> { Name = p.Key, Data = new ChartData<double>([.. p.Value]) }));
        }
        else
        {
            foreach (var column in card.Y)
            {
                var y = Index(data, column);
                var values = new double?[labels.Count];
                foreach (var row in data.Rows)
                {
                    values[at[Label(x < 0 ? null : row[x])]] = y < 0 ? null : Number(row[y]) * scale;
                }

                series.Add(new ChartSeries<double> { Name = Title(column), Data = new ChartData<double>([.. values]) });
            }
        }

        return ([.. labels], series);
    }

    /// <summary>
    /// The x axis's labels as drawn, one per label of <see cref="Build"/> (which stay the points' keys for drilling):
    /// months (every label the first day of a month) read "Jan 2026"; any other label as it is.
    /// </summary>
    public static string[] AxisLabels(IReadOnlyList<string> labels)
    {
        var months = labels.Select(l => DateOnly.TryParseExact(l, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) && d.Day == 1 ? d : (DateOnly?)null).ToList();
        return labels.Count > 0 && months.All(m => m is not null)
            ? [.. months.Select(m => m!.Value.ToString("MMM yyyy", CultureInfo.InvariantCulture))]
            : [.. labels];
    }

    /// <summary>
    /// Every how many x labels one is drawn so that none runs into the next: about 6 px a character and a gap each,
    /// on a card <paramref name="width"/> twelfths of a 1,150 px row wide, less the chart's margins.
    /// </summary>
    public static int LabelInterval(IReadOnlyList<string> labels, int width)
    {
        if (labels.Count == 0)
        {
            return 1;
        }

        var plot = (Math.Clamp(width, 1, 12) * 1150.0 / 12) - 110;
        var each = (labels.Max(l => l.Length) * 6.0) + 12;
        return Math.Max(1, (int)Math.Ceiling(labels.Count * each / Math.Max(plot, each)));
    }

    /// <summary>Scatter points (x, y) of the card's first value column.</summary>
    public static List<ChartSeries<double>> Points(CardDefinition card, CardData data)
    {
        var x = Index(data, card.X);
        var y = Index(data, First(card.Y));
        var points = data.Rows.Where(r => x >= 0 && y >= 0 && Number(r[x]) is not null && Number(r[y]) is not null)
            .Select(r => (Number(r[x])!.Value, Number(r[y])!.Value)).ToList();
        return [new ChartSeries<double> { Name = Title(First(card.Y) ?? "value"), Data = new ChartData<double>(points) }];
    }

    private static string? First(IReadOnlyList<string> columns) => columns.Count > 0 ? columns[0] : null;

    public static int Index(CardData data, string? column) =>
        column is null ? -1 : data.Columns.Select((c, i) => (c, i)).Where(p => string.Equals(p.c.Name, column, StringComparison.OrdinalIgnoreCase)).Select(p => p.i).DefaultIfEmpty(-1).First();

    public static double? Number(object? value) => value switch
    {
        null => null,
        bool b => b ? 1 : 0,
        IConvertible c when value is not string and not DateTime => Convert.ToDouble(c, CultureInfo.InvariantCulture),
        _ => double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
    };

    public static string Label(object? value) => value switch
    {
        null => "",
        DateTime d => d.TimeOfDay == TimeSpan.Zero ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A value as the card shows it: numbers in its format, dates as ISO dates, the rest as text.</summary>
    public static string Format(object? value, string? format) => value switch
    {
        null => "",
        bool b => b ? "yes" : "no",
        DateTime or DateOnly or DateTimeOffset => Label(value),
        _ when Number(value) is { } n && value is not string => n.ToString(format ?? (Math.Abs(n % 1) < 1e-9 ? "#,0" : "#,0.###"), CultureInfo.InvariantCulture),
        _ => Label(value),
    };

    /// <summary>A column name as a heading: "net_revenue" reads "net revenue".</summary>
    public static string Title(string column) => column.Replace('_', ' ');
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Millwright.Simulation.Core;

namespace Millwright.Simulation.Retail;

/// <summary>
/// An EV accessories and parts shop (the retail seed): customers, a product catalog and orders with lines, busier
/// in the evening, at weekends and before Christmas. Each hour's orders become one batch: appended to
/// <c>retail/orders/{date}.jsonl</c> under the output directory and handed to <see cref="SimulationOptions.RetailSink"/>.
/// </summary>
internal sealed class RetailEngine(SimContext sim)
{
    public const string Source = "retail_orders";

    private static readonly IReadOnlyList<(string Sku, string Name, string Category, decimal Price)> Products =
    [
        ("ACC-TYPE2-5M", "Type 2 charging cable, 5 m", "charging", 189m), ("ACC-TYPE2-10M", "Type 2 charging cable, 10 m", "charging", 249m),
        ("ACC-WALLBOX-11", "Wallbox 11 kW", "charging", 699m), ("ACC-GRANNY", "Portable 230 V charger", "charging", 329m),
        ("ACC-MATS-ID3", "All-weather floor mats, ID.3", "interior", 89m), ("ACC-MATS-M3", "All-weather floor mats, Model 3", "interior", 99m),
        ("ACC-ROOFBARS", "Roof bars", "exterior", 239m), ("ACC-BIKERACK", "Tow-bar bike rack", "exterior", 459m),
        ("ACC-HELMET-S", "Helmet, size S", "rider", 179m), ("ACC-HELMET-M", "Helmet, size M", "rider", 179m), ("ACC-HELMET-L", "Helmet, size L", "rider", 179m),
        ("ACC-GLOVES", "Riding gloves", "rider", 59m), ("ACC-JACKET", "Riding jacket", "rider", 289m), ("ACC-TOPCASE", "Top case, 39 L", "rider", 149m),
        ("ACC-WIPERS", "Wiper blade set", "parts", 29m), ("ACC-CABIN-FLT", "Cabin air filter", "parts", 24m), ("ACC-12V", "12 V battery", "parts", 149m),
        ("ACC-TIRE-WINTER", "Winter tire 215/55 R17", "tires", 139m), ("ACC-TIRE-SUMMER", "Summer tire 215/55 R17", "tires", 119m),
        ("ACC-DASHCAM", "Dash camera", "electronics", 129m), ("ACC-PHONE-MOUNT", "Phone mount", "electronics", 35m), ("ACC-CARE-KIT", "Car care kit", "care", 45m),
    ];

    private static readonly IReadOnlyList<double> HourWeights = [0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.0, 1.1, 1.2, 1.4, 1.3, 1.1, 1.0, 1.0, 1.2, 1.5, 1.9, 2.1, 1.8, 1.1, 0.5];

    private readonly Rng _rng = new(sim.Seed, "retail");
    private int _customers;
    private long _orderNumber;

    public void Start(DateTime start)
    {
        _customers = Math.Max(50, (int)Math.Round(4000 * sim.Options.Scale));
        if (sim.Options.OutputDirectory is { } root)
        {
            var folder = Path.Combine(root, "retail");
            Directory.CreateDirectory(folder);
            var products = new StringBuilder("sku,name,category,unit_price\n");
            foreach (var (sku, name, category, price) in Products)
            {
                products.Append(CultureInfo.InvariantCulture, $"{sku},\"{name}\",{category},{price}\n");
            }

            File.WriteAllText(Path.Combine(folder, "products.csv"), products.ToString());
            var customers = new StringBuilder("customer_id,name,city,signed_up_at\n");
            var rng = new Rng(sim.Seed, "retail.customers");
            var cities = new[] { "Lisboa", "Porto", "Braga", "Coimbra", "Faro", "Setúbal", "Aveiro", "Évora" };
            for (var i = 1; i <= _customers; i++)
            {
                var name = $"{rng.Pick(Fleet.Catalog.FirstNames)} {rng.Pick(Fleet.Catalog.LastNames)}";
                customers.Append(CultureInfo.InvariantCulture, $"C{i:D6},{name},{rng.Pick(cities)},{start.AddDays(-rng.Uniform(0, 900)):yyyy-MM-dd}\n");
            }

            File.WriteAllText(Path.Combine(folder, "customers.csv"), customers.ToString());
        }

        ScheduleHour(start);
    }

    private void ScheduleHour(DateTime hour) => sim.Loop.At(hour.AddHours(1).AddSeconds(-1), () => HourAsync(hour));

    private async Task HourAsync(DateTime hour)
    {
        ScheduleHour(hour.AddHours(1));
        var day = hour.Date;
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 1.35 : 1.0;
        var season = day.Month == 12 && day.Day <= 24 ? 1.8 : day.Month is 7 or 8 ? 0.85 : 1.0;
        var perDay = (sim.Options.RetailOrdersPerDay ?? (140 * sim.Options.Scale)) * weekend * season;
        var count = _rng.Poisson(perDay * HourWeights[hour.Hour] / HourWeights.Sum());
        if (count == 0)
        {
            return;
        }

        var lines = new StringBuilder();
        var lineCount = 0;
        for (var o = 0; o < count; o++)
        {
            var orderId = $"R{++_orderNumber:D8}";
            var at = hour.AddSeconds(_rng.Uniform(0, 3599));
            var customer = $"C{_rng.Int(1, _customers + 1):D6}";
            var channel = _rng.Weighted([("web", 0.62), ("app", 0.23), ("store", 0.15)]);
            var n = 1 + _rng.Poisson(0.7);
            for (var l = 1; l <= n; l++)
            {
                var (sku, _, category, price) = Products[_rng.Int(0, Products.Count)];
                var discount = _rng.Chance(0.15) ? Math.Round((decimal)_rng.Uniform(0.05, 0.25), 2) : 0m;
                lines.Append(JsonSerializer.Serialize(new OrderLine(orderId, l, at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), customer, sku, category,
                    1 + _rng.Poisson(0.25), price, discount, channel))).Append('\n');
                lineCount++;
            }
        }

        sim.Counts.RetailOrders += count;
        sim.Counts.RetailOrderLines += lineCount;
        var batch = new RetailBatch(Source, $"{Source}-{sim.Seed}-{hour:yyyyMMddHH}", lines.ToString(), count, lineCount);
        if (sim.Options.OutputDirectory is { } root)
        {
            var folder = Path.Combine(root, "retail", "orders");
            Directory.CreateDirectory(folder);
            await File.AppendAllTextAsync(Path.Combine(folder, $"{day:yyyy-MM-dd}.jsonl"), batch.JsonLines).ConfigureAwait(false);
        }

        if (sim.Options.RetailSink is { } sink)
        {
            await sink(batch, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed record OrderLine(
        [property: System.Text.Json.Serialization.JsonPropertyName("order_id")] string OrderId,
        [property: System.Text.Json.Serialization.JsonPropertyName("line_number")] int LineNumber,
        [property: System.Text.Json.Serialization.JsonPropertyName("ordered_at")] string OrderedAt,
        [property: System.Text.Json.Serialization.JsonPropertyName("customer_id")] string CustomerId,
        [property: System.Text.Json.Serialization.JsonPropertyName("sku")] string Sku,
        [property: System.Text.Json.Serialization.JsonPropertyName("category")] string Category,
        [property: System.Text.Json.Serialization.JsonPropertyName("quantity")] int Quantity,
        [property: System.Text.Json.Serialization.JsonPropertyName("unit_price")] decimal UnitPrice,
        [property: System.Text.Json.Serialization.JsonPropertyName("discount")] decimal Discount,
        [property: System.Text.Json.Serialization.JsonPropertyName("channel")] string Channel);
}

using System.Text.Json;

namespace Millwright.Simulation.Tests.Retail;

public sealed class RetailTests(SimulatedYear year)
{
    [Fact]
    public void Each_hours_orders_are_one_labelled_batch_of_json_lines_also_written_to_files()
    {
        var batches = year.Batches;

        Assert.True(batches.Count > 3000);
        Assert.Equal(batches.Count, batches.Select(b => b.Label).Distinct(StringComparer.Ordinal).Count());
        Assert.All(batches, b => Assert.Equal("retail_orders", b.Source));
        var lines = batches.SelectMany(b => b.JsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(batches.Sum(b => b.Lines), lines.Count);
        Assert.Equal(year.Summary.Totals.RetailOrderLines, lines.Count);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(["order_id", "line_number", "ordered_at", "customer_id", "sku", "category", "quantity", "unit_price", "discount", "channel"],
            first.RootElement.EnumerateObject().Select(p => p.Name));

        var december = batches.Where(b => b.Label.Contains("-202512", StringComparison.Ordinal) && string.CompareOrdinal(b.Label[^10..], "2025121024") < 0).Sum(b => b.Orders);
        var march = batches.Where(b => b.Label.Contains("-202503", StringComparison.Ordinal) && string.CompareOrdinal(b.Label[^10..], "2025031024") < 0).Sum(b => b.Orders);
        Assert.True(december > march * 1.3, $"Christmas season: {december} orders in 10 December days against {march} in March");

        var files = Directory.GetFiles(Path.Combine(year.OutputDirectory, "retail", "orders"), "*.jsonl");
        Assert.Equal(lines.Count, files.Sum(f => File.ReadLines(f).Count()));
        Assert.True(File.ReadLines(Path.Combine(year.OutputDirectory, "retail", "customers.csv")).Count() > 1000);
    }
}

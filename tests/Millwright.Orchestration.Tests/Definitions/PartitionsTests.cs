using Millwright.Orchestration.Definitions;

namespace Millwright.Orchestration.Tests.Definitions;

public sealed class PartitionsTests
{
    private static readonly DynamicPartitionKeys NoDynamic = _ => [];

    [Fact]
    public void Daily_windows_end_at_the_last_complete_day_in_the_time_zone()
    {
        var daily = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 3, 29), "Europe/Paris");

        // 2024-04-01 00:30 in Paris is 2024-03-31 22:30 UTC: March 31 has just ended there.
        var keys = daily.GetKeys(new DateTimeOffset(2024, 3, 31, 22, 30, 0, TimeSpan.Zero), NoDynamic);
        Assert.Equal(["2024-03-29", "2024-03-30", "2024-03-31"], keys);

        // The day clocks go forward lasts 23 hours; the day they go back, 25.
        var (start, end) = daily.Window("2024-03-31");
        Assert.Equal(TimeSpan.FromHours(23), end - start);
        Assert.Equal(new DateTimeOffset(2024, 3, 31, 0, 0, 0, TimeSpan.FromHours(1)), start);
        var (s2, e2) = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 10, 1), "Europe/Paris").Window("2024-10-27");
        Assert.Equal(TimeSpan.FromHours(25), e2 - s2);
    }

    [Fact]
    public void Hourly_weekly_and_monthly_keys()
    {
        var hourly = new TimeWindowPartitions(PartitionCadence.Hourly, new DateTime(2024, 3, 31, 0, 0, 0), "Europe/Paris");
        var hours = hourly.GetKeys(new DateTimeOffset(2024, 3, 31, 3, 0, 0, TimeSpan.Zero), NoDynamic);

        // 02:00 does not exist in Paris that night; 00:00, 01:00, 03:00 and 04:00 have ended by 05:00 local.
        Assert.Equal(["2024-03-31-00:00", "2024-03-31-01:00", "2024-03-31-03:00", "2024-03-31-04:00"], hours);
        var (s, e) = hourly.Window("2024-03-31-01:00");
        Assert.Equal(TimeSpan.FromHours(1), e - s);

        var weekly = new TimeWindowPartitions(PartitionCadence.Weekly, new DateTime(2024, 1, 3));
        Assert.Equal(["2024-01-01", "2024-01-08"], weekly.GetKeys(new DateTimeOffset(2024, 1, 16, 0, 0, 0, TimeSpan.Zero), NoDynamic));
        var monthly = new TimeWindowPartitions(PartitionCadence.Monthly, new DateTime(2024, 1, 1), endOffset: 1);
        Assert.Equal(["2024-01-01", "2024-02-01", "2024-03-01"], monthly.GetKeys(new DateTimeOffset(2024, 3, 10, 0, 0, 0, TimeSpan.Zero), NoDynamic));
        Assert.Contains("expected yyyy-MM-dd", Assert.Throws<OrchestrationException>(() => monthly.ValidateKey("2024-02-15")).Message, StringComparison.Ordinal);
        Assert.Throws<OrchestrationException>(() => new TimeWindowPartitions(PartitionCadence.Daily, DateTime.Today, "Mars/Olympus"));
    }

    [Fact]
    public void Multi_partitions_take_any_number_of_dimensions()
    {
        var multi = new MultiPartitions(
        [
            new("date", new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1))),
            new("line", new StaticPartitions(["l1", "l2", "l3"])),
            new("shift", new StaticPartitions(["a", "b"])),
            new("plant", new DynamicPartitions("plants")),
        ]);
        var keys = multi.GetKeys(new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero), name => name == "plants" ? ["lyon", "turin"] : []);
        Assert.Equal(2 * 3 * 2 * 2, keys.Count);
        Assert.Equal("2024-01-01|l1|a|lyon", keys[0]);
        Assert.Equal("l2", multi.Split("2024-01-02|l2|b|turin")["line"]);
        var bad = Assert.Throws<OrchestrationException>(() => multi.ValidateKey("2024-01-02|l9|b|turin"));
        Assert.Contains("dimension line", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_monthly_rollup_reads_every_day_of_its_month()
    {
        var daily = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1));
        var monthly = new TimeWindowPartitions(PartitionCadence.Monthly, new DateTime(2024, 1, 1));
        var now = new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var days = PartitionMapping.Default.UpstreamKeys("2024-02-01", monthly, daily, now, _ => []);
        Assert.Equal(29, days.Count);
        Assert.Equal(("2024-02-01", "2024-02-29"), (days[0], days[^1]));
        Assert.Equal(["2024-03-31"], PartitionMapping.Last.UpstreamKeys(null, null, daily, now, _ => []));

        var multi = new MultiPartitions([new("date", daily), new("line", new StaticPartitions(["l1", "l2"]))]);
        Assert.Equal(["2024-01-05"], PartitionMapping.Default.UpstreamKeys("2024-01-05|l2", multi, daily, now, _ => []));
    }

    [Fact]
    public void A_range_lists_keys_inclusive()
    {
        var daily = new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1));
        var now = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(["2024-01-30", "2024-01-31"], daily.Range("2024-01-30", "2024-01-31", now, _ => []));
        Assert.Contains("does not exist yet", Assert.Throws<OrchestrationException>(() => daily.Range("2024-01-30", "2024-02-05", now, _ => [])).Message, StringComparison.Ordinal);
    }
}

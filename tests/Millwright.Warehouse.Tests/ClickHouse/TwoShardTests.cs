using System.Data;
using System.Globalization;

namespace Millwright.Warehouse.Tests.ClickHouse;

/// <summary>
/// Scale-out on one machine: the two throwaway servers of ./test.sh are one cluster (millwright_two_shards) with a
/// shard each. A Distributed table on the first server spreads rows over a MergeTree table on each shard by vehicle;
/// Millwright loads and queries through it like any table.
/// </summary>
public sealed class TwoShardTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_load_into_a_distributed_table_spreads_over_both_shards_and_a_query_sees_all_of_it()
    {
        await using var first = Warehouses.Open(TestClickHouse.Options);
        await using var second = Warehouses.Open(TestClickHouse.Options with { ConnectionString = TestClickHouse.SecondShardConnectionString });
        var database = "fleet_" + Guid.NewGuid().ToString("N")[..8];
        const string local = "(vehicle_id Int32, battery_soc Float64, at DateTime) ENGINE = MergeTree ORDER BY (vehicle_id, at)";
        foreach (var shard in new[] { first, second })
        {
            await shard.CreateSchemaAsync(database, Ct);
            await shard.ExecuteAsync($"CREATE TABLE {database}.readings_local {local}", Ct);
        }

        await first.ExecuteAsync($"CREATE TABLE {database}.readings AS {database}.readings_local ENGINE = Distributed({TestClickHouse.Cluster}, {database}, readings_local, vehicle_id)", Ct);
        var rows = new DataTable();
        rows.Columns.Add("vehicle_id", typeof(int));
        rows.Columns.Add("battery_soc", typeof(double));
        rows.Columns.Add("at", typeof(DateTime));
        var start = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < 10_000; i++)
        {
            rows.Rows.Add(i % 40, (i % 100) / 100.0, start.AddMinutes(i));
        }

        var loaded = await first.BulkLoadAsync(RelationName.Of(database, "readings"), rows.CreateDataReader(), cancellationToken: Ct);

        Assert.Equal(10_000, loaded);
        var onFirst = await CountAsync(first, $"{database}.readings_local");
        var onSecond = await CountAsync(second, $"{database}.readings_local");
        Assert.Equal(10_000, onFirst + onSecond);
        Assert.True(onFirst > 0 && onSecond > 0, $"every row went to one shard: {onFirst} and {onSecond}");
        Assert.Equal(10_000, await CountAsync(first, $"{database}.readings"));

        // One query over the cluster: each shard aggregates its own vehicles and the first server merges the results.
        await using var result = await first.QueryAsync($"SELECT vehicle_id, count() AS n FROM {database}.readings GROUP BY vehicle_id ORDER BY vehicle_id", Ct);
        var perVehicle = await result.ReadAllAsync(Ct).ToListAsync(Ct);
        Assert.Equal(40, perVehicle.Count);
        Assert.All(perVehicle, r => Assert.Equal(250L, Convert.ToInt64(r[1], CultureInfo.InvariantCulture)));

        // A bad value stops the load before any shard has a row of it.
        var bad = new DataTable();
        bad.Columns.Add("vehicle_id", typeof(string));
        bad.Rows.Add("1");
        bad.Rows.Add("one");
        var error = await Assert.ThrowsAsync<WarehouseException>(() => first.BulkLoadAsync(RelationName.Of(database, "readings"), bad.CreateDataReader(), cancellationToken: Ct));
        Assert.Contains("row 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(10_000, await CountAsync(first, $"{database}.readings"));

        foreach (var shard in new[] { first, second })
        {
            await shard.DropSchemaAsync(database, cascade: true, Ct);
        }
    }

    private static async Task<long> CountAsync(IWarehouse warehouse, string table) =>
        Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT count() FROM {table}", Ct), CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Ingestion.Streams;

namespace Millwright.Ingestion.Tests.Streams;

/// <summary>Stream loads on a warehouse without keys or transactions (ClickHouse): a label answers once, a repeat replays.</summary>
public sealed class StreamLoaderTests : ClickHouseLoadTest
{
    [Fact]
    public async Task A_body_under_a_label_loads_once_and_the_same_label_replays_its_answer_on_clickhouse()
    {
        var contract = new DataContract(Source, 1,
        [
            new ContractColumn("order_id", ColumnType.Integer) { Nullable = false },
            new ContractColumn("amount", ColumnType.Double) { Min = 0 },
        ])
        {
            Table = $"raw.{Source}",
            PrimaryKey = ["order_id"],
            MaxRejectedFraction = 0.5,
        };
        using var loader = new StreamLoader(Warehouse, new FileIngestor(Warehouse), Path.Combine(Root, "spool"));
        static MemoryStream Body(string text) => new(Encoding.UTF8.GetBytes(text));

        var first = await loader.LoadAsync(contract, "batch-1", FileKind.Csv, Body("order_id,amount\n1,10.5\n2,-3\n3,7\n"), Ct);
        var again = await loader.LoadAsync(contract, "batch-1", FileKind.Csv, Body("order_id,amount\n9,1\n"), Ct);

        Assert.Equal((LoadStatus.Success, false, 2L, 1L), (first.Load.Status, first.Replayed, first.Load.RowsLoaded, first.Load.RowsRejected));
        Assert.Equal(3L, Assert.Single(first.Rejections).Line);
        Assert.True(again.Replayed);
        Assert.Equal(first.Load.LoadId, again.Load.LoadId);
        Assert.Equal(2L, Convert.ToInt64(await Warehouse.QueryScalarAsync($"SELECT count() FROM raw.{Source}", Ct), CultureInfo.InvariantCulture));
        Assert.Empty(Directory.GetFiles(Path.Combine(Root, "spool")));
    }
}

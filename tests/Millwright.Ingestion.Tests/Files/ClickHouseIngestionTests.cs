using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;

namespace Millwright.Ingestion.Tests.Files;

/// <summary>
/// Loads into a ClickHouse warehouse (the throwaway server of ./test.sh): the file is read and checked by the embedded
/// reader, its rows reach the raw table through the warehouse's bulk path, the audit log and the quarantine are
/// ClickHouse tables, and what a load refuses is quarantined there by line.
/// </summary>
public sealed class ClickHouseIngestionTests : ClickHouseLoadTest
{
    private DataContract Contract => new(Source, 1,
    [
        new ContractColumn("udi", ColumnType.Integer) { Nullable = false },
        new ContractColumn("product_id", ColumnType.String) { Pattern = "[LMH][0-9]{5}" },
        new ContractColumn("type", ColumnType.String) { Allowed = ["L", "M", "H"] },
        new ContractColumn("air_temperature_k", ColumnType.Double) { Min = 250, Max = 350 },
        new ContractColumn("measured_on", ColumnType.Date),
    ])
    {
        Table = $"raw.{Source}",
        PrimaryKey = ["udi"],
        MaxRejectedFraction = 0.9,
        Format = new FileFormat { Delimiter = "," },
    };

    private async Task<object?> ScalarAsync(string sql) => await Warehouse.QueryScalarAsync(sql, Ct);

    [Fact]
    public async Task A_file_lands_typed_with_its_audit_its_quarantine_by_line_and_loads_once()
    {
        var file = Path.Combine(Root, "readings.csv");
        File.WriteAllText(file, string.Join("\n",
            "UDI,Product ID,Type,Air temperature [K],Measured on",
            "1,M14860,M,298.1,2026-03-01",
            "2,L47181,X,298.2,2026-03-01",
            "3,L47182,L,hot,2026-03-02",
            "4,H29424,H,301.5,2026-03-02",
            "4,H29425,H,302.5,2026-03-03",
            "5,O'Brien\\,L,299,2026-03-03") + "\n");
        var ingestor = new FileIngestor(Warehouse, new IngestionOptions { RawLayerPath = Path.Combine(Root, "raw") });

        var load = await ingestor.IngestAsync(file, Contract, cancellationToken: Ct);

        Assert.True(load.Status == LoadStatus.Success, load.Error);
        Assert.Equal((6L, 2L, 4L), (load.RowsRead, load.RowsLoaded, load.RowsRejected));
        Assert.Equal(301.5, await ScalarAsync($"SELECT air_temperature_k FROM raw.{Source} WHERE udi = 4"));
        Assert.Equal(new DateOnly(2026, 3, 2), await ScalarAsync($"SELECT measured_on FROM raw.{Source} WHERE udi = 4"));
        Assert.Equal(5L, Convert.ToInt64(await ScalarAsync($"SELECT _source_line FROM raw.{Source} WHERE udi = 4"), CultureInfo.InvariantCulture));
        Assert.Equal(file, await ScalarAsync($"SELECT DISTINCT l.file FROM raw.{Source} AS r ANY INNER JOIN ingest.loads AS l ON replaceAll(toString(r._load_id), '-', '') = l.load_id"));
        var quarantined = await ingestor.GetQuarantineAsync(load.LoadId, cancellationToken: Ct);
        Assert.Equal([3L, 4L, 6L, 7L], quarantined.Select(r => r.Line ?? 0).Order());
        Assert.Contains(quarantined, r => r.Line == 7 && r.Rule.Contains("product_id", StringComparison.Ordinal) && r.Record!.Contains("O'Brien\\", StringComparison.Ordinal));
        var audit = Assert.Single(await ingestor.GetLoadsAsync(Source, cancellationToken: Ct));
        Assert.Equal((load.LoadId, LoadStatus.Success, 2L, 4L), (audit.LoadId, audit.Status, audit.RowsLoaded, audit.RowsRejected));

        var again = await ingestor.IngestAsync(file, Contract, cancellationToken: Ct);

        Assert.Equal(LoadStatus.Skipped, again.Status);
        Assert.Equal(load.LoadId, again.SameAsLoadId);
        Assert.Equal(2L, Convert.ToInt64(await ScalarAsync($"SELECT count() FROM raw.{Source}"), CultureInfo.InvariantCulture));
    }
}

using Millwright.Ingestion.Datasets;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests.Datasets;

/// <summary>The real public datasets from ../shared/datasets, loaded under their contracts (skipped where the folder is absent).</summary>
public sealed class PublicDatasetsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-datasets-").FullName;
    private IWarehouse _warehouse = null!;
    private FileIngestor _ingestor = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>MILLWRIGHT_DATASETS, else ../shared/datasets above the repository.</summary>
    private static string? Datasets()
    {
        if (Environment.GetEnvironmentVariable("MILLWRIGHT_DATASETS") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (File.Exists(Path.Combine(candidate, "SHA256SUMS")))
            {
                return candidate;
            }
        }

        return null;
    }

    public ValueTask InitializeAsync()
    {
        _warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")));
        _ingestor = new FileIngestor(_warehouse);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<IReadOnlyList<LoadResult>> LoadAsync(string name)
    {
        var root = Datasets();
        Assert.SkipWhen(root is null, "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");
        var loads = await PublicDatasets.LoadAsync(_ingestor, name, root!, Ct);
        Assert.All(loads, l => Assert.True(l.Status == LoadStatus.Success, l.Error));
        return loads;
    }

    private async Task<string> ScalarAsync(string sql) => Convert.ToString(await _warehouse.QueryScalarAsync(sql, Ct), System.Globalization.CultureInfo.InvariantCulture)!;

    [Fact]
    public async Task Ai4i_2020_loads_all_ten_thousand_rows_with_the_published_counts()
    {
        var load = Assert.Single(await LoadAsync("ai4i2020"));
        Assert.Equal((10_000L, 0L), (load.RowsLoaded, load.RowsRejected));
        Assert.Equal("339", await ScalarAsync("SELECT sum(machine_failure) FROM raw.ai4i2020"));
        Assert.Equal("46,115,95,98,19", await ScalarAsync("SELECT sum(twf) || ',' || sum(hdf) || ',' || sum(pwf) || ',' || sum(osf) || ',' || sum(rnf) FROM raw.ai4i2020"));
        Assert.Equal("1003,6000,2997", await ScalarAsync("SELECT string_agg(n, ',' ORDER BY type) FROM (SELECT type, count(*)::VARCHAR AS n FROM raw.ai4i2020 GROUP BY type)"));
        Assert.Equal("76.6", await ScalarAsync("SELECT max(torque_nm) FROM raw.ai4i2020"));
        Assert.Equal("air_temperature_k", load.ColumnMapping["Air temperature [K]"]);
    }

    [Fact]
    public async Task Cmapss_loads_all_four_subsets_plain_and_gzipped_with_their_rul_files()
    {
        var loads = await LoadAsync("cmapss");
        Assert.Equal(12, loads.Count);
        Assert.Equal("FD001:20631,FD002:53759,FD003:24720,FD004:61249", await ScalarAsync("SELECT string_agg(subset || ':' || n, ',' ORDER BY subset) FROM (SELECT subset, count(*) AS n FROM raw.cmapss_train GROUP BY subset)"));
        Assert.Equal("FD001:13096,FD002:33991,FD003:16596,FD004:41214", await ScalarAsync("SELECT string_agg(subset || ':' || n, ',' ORDER BY subset) FROM (SELECT subset, count(*) AS n FROM raw.cmapss_test GROUP BY subset)"));
        Assert.Equal("FD001:100,FD002:259,FD003:100,FD004:248", await ScalarAsync("SELECT string_agg(subset || ':' || n, ',' ORDER BY subset) FROM (SELECT subset, count(*) AS n FROM raw.cmapss_rul GROUP BY subset)"));
        Assert.Equal("100", await ScalarAsync("SELECT count(DISTINCT unit) FROM raw.cmapss_train WHERE subset = 'FD001'"));
        Assert.Equal("128,362", await ScalarAsync("SELECT min(n) || ',' || max(n) FROM (SELECT unit, max(cycle) AS n FROM raw.cmapss_train WHERE subset = 'FD001' GROUP BY unit)"));
        Assert.Equal("112", await ScalarAsync("SELECT rul FROM raw.cmapss_rul WHERE subset = 'FD001' AND unit = 1"));
    }

    [Fact]
    public async Task Secom_loads_592_columns_with_missing_values_as_null_and_its_labels()
    {
        var loads = await LoadAsync("secom");
        Assert.Equal((1567L, 1567L), (loads[0].RowsLoaded, loads[1].RowsLoaded));
        Assert.Equal(592 + 3, (await _warehouse.GetColumnsAsync(RelationName.Of("raw", "secom"), Ct)).Count);
        Assert.Equal("41951", await ScalarAsync($"SELECT {string.Join(" + ", Enumerable.Range(0, 590).Select(i => $"count(*) FILTER (WHERE c_{i} IS NULL)"))} FROM raw.secom"));
        Assert.Equal("104", await ScalarAsync("SELECT count(*) FROM raw.secom WHERE pass_fail = 1"));
        Assert.Equal("2008-07-19 11:55:00", await ScalarAsync("SELECT strftime(recorded_at, '%Y-%m-%d %H:%M:%S') FROM raw.secom_labels WHERE row_id = 1"));
        Assert.Equal("0", await ScalarAsync("SELECT count(*) FROM raw.secom s JOIN raw.secom_labels l ON l.row_id = s._source_line - 1 WHERE l.label <> s.pass_fail"));
    }

    [Fact]
    public async Task Car_features_load_with_na_as_missing()
    {
        var load = Assert.Single(await LoadAsync("car_features"));
        Assert.Equal(11_914L, load.RowsLoaded);
        Assert.Equal("48", await ScalarAsync("SELECT count(DISTINCT make) FROM raw.car_features"));
        Assert.Equal("3742", await ScalarAsync("SELECT count(*) FROM raw.car_features WHERE market_category IS NULL"));
        Assert.Equal("69", await ScalarAsync("SELECT count(*) FROM raw.car_features WHERE engine_hp IS NULL"));

        // Loading the dataset again changes nothing.
        var again = Assert.Single(await PublicDatasets.LoadAsync(_ingestor, "car_features", Datasets()!, Ct));
        Assert.Equal(LoadStatus.Skipped, again.Status);
        Assert.Equal("11914", await ScalarAsync("SELECT count(*) FROM raw.car_features"));
    }
}

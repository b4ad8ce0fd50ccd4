using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests.Files;

/// <summary>
/// Exactly-once loads on both warehouses: two loads of the same bytes racing each other past the "loaded before?"
/// check still land the rows once (the checksum claim commits with them), and what a killed load can leave (raw rows
/// no audit record accounts for, a Parquet copy and work tables of a load that never committed) is put right, sparing
/// a load that may still be running.
/// </summary>
public abstract class LoadIntegrityTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-integrity-").FullName;
    private readonly string _source = "integrity_" + Guid.NewGuid().ToString("N")[..8];

    protected IWarehouse Warehouse { get; private set; } = null!;

    protected string Root => _root;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract IWarehouse Open();

    public ValueTask InitializeAsync()
    {
        Warehouse = Open();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Warehouse.ExecuteAsync($"DROP TABLE IF EXISTS raw.{_source}", CancellationToken.None);
        await Warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
        GC.SuppressFinalize(this);
    }

    private DataContract Contract => new(_source, 1,
    [
        new ContractColumn("id", ColumnType.Integer) { Nullable = false },
        new ContractColumn("value", ColumnType.Double),
    ])
    {
        Table = $"raw.{_source}",
        PrimaryKey = ["id"],
        Format = new FileFormat { Delimiter = "," },
    };

    private string RawLayer => Path.Combine(_root, "raw");

    private string WriteFile(int rows)
    {
        var path = Path.Combine(_root, $"{_source}.csv");
        File.WriteAllLines(path, ["id,value", .. Enumerable.Range(1, rows).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i * 0.5}"))]);
        return path;
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await Warehouse.QueryScalarAsync(sql, Ct), CultureInfo.InvariantCulture);

    [Fact]
    public async Task Two_loads_of_the_same_bytes_racing_past_the_loaded_before_check_land_them_once()
    {
        if (!Warehouse.Engine.Capabilities().UniqueKeys)
        {
            Assert.Skip($"{Warehouse.Engine.DisplayName()} enforces no key, so no claim can keep a second process's copy of the same bytes out");
        }

        var file = WriteFile(1000);

        // Both loads wait for each other once they have checked the file, so both have passed "loaded before?" when
        // either writes: only the claim of the checksum, committed with the rows, can keep the second copy out.
        var arrived = 0;
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FileIngestor Racer() => new(Warehouse, new IngestionOptions
        {
            RawLayerPath = RawLayer,
            OnStep = (step, _) =>
            {
                if (step != "check")
                {
                    return;
                }

                if (Interlocked.Increment(ref arrived) >= 2)
                {
                    both.TrySetResult();
                }

                if (!both.Task.Wait(TimeSpan.FromSeconds(60), Ct))
                {
                    throw new TimeoutException("the other load never reached its check");
                }
            },
        });
        await new FileIngestor(Warehouse).GetLoadsAsync(cancellationToken: Ct); // the audit tables exist before the race
        var loads = await Task.WhenAll(
            Task.Run(() => Racer().IngestAsync(file, Contract, cancellationToken: Ct), Ct),
            Task.Run(() => Racer().IngestAsync(file, Contract, cancellationToken: Ct), Ct));

        Assert.Equal([LoadStatus.Success, LoadStatus.Skipped], loads.Select(l => l.Status).Order());
        var winner = loads.Single(l => l.Status == LoadStatus.Success);
        Assert.Equal(winner.LoadId, loads.Single(l => l.Status == LoadStatus.Skipped).SameAsLoadId);
        Assert.Equal(1000L, await ScalarAsync($"SELECT count(*) FROM raw.{_source}"));
        Assert.Equal(1000L, await ScalarAsync($"SELECT count(DISTINCT id) FROM raw.{_source}"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM ingest.loads WHERE source = '{_source}' AND status = 'SUCCESS'"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM ingest.load_claims WHERE source = '{_source}'"));
        Assert.Equal([winner.ParquetPath], Directory.EnumerateFiles(Path.Combine(RawLayer, _source), "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task What_a_killed_load_left_is_removed_and_a_load_that_may_still_run_is_spared()
    {
        var ingestor = new FileIngestor(Warehouse, new IngestionOptions { RawLayerPath = RawLayer });
        var good = await ingestor.IngestAsync(WriteFile(10), Contract, cancellationToken: Ct);
        Assert.Equal(LoadStatus.Success, good.Status);

        // A load killed an hour ago: rows without an audit record, its Parquet copy, its work table. One that started a
        // minute ago may still be running in another process: its copy stays.
        var killed = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddHours(-1));
        var running = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddMinutes(-1));
        await Warehouse.ExecuteAsync($"INSERT INTO raw.{_source} (id, value, _load_id, _source_line, _loaded_at) VALUES (11, 1, CAST('{killed}' AS UUID), 2, CAST('2026-01-01 00:00:00' AS TIMESTAMP)), (12, 1, CAST('{killed}' AS UUID), 3, CAST('2026-01-01 00:00:00' AS TIMESTAMP))", Ct);
        var folder = Path.GetDirectoryName(good.ParquetPath)!;
        var orphan = Path.Combine(folder, $"{killed:N}.parquet");
        var young = Path.Combine(folder, $"{running:N}.parquet");
        File.Copy(good.ParquetPath!, orphan);
        File.Copy(good.ParquetPath!, young);
        await Warehouse.ExecuteAsync($"CREATE TABLE ingest.w_{killed:N} (x INTEGER){Warehouse.Dialect.TableSuffix()}", Ct);

        var report = await ingestor.RecoverAsync([Contract], TimeSpan.FromMinutes(10), Ct);

        Assert.Equal(2L, report.Rows[$"raw.{_source}"]);
        Assert.Equal([orphan], report.RawCopies);
        Assert.Equal([$"ingest.w_{killed:N}"], report.WorkTables);
        Assert.Equal(10L, await ScalarAsync($"SELECT count(*) FROM raw.{_source}"));
        Assert.True(File.Exists(good.ParquetPath));
        Assert.True(File.Exists(young));
        Assert.Null(await Warehouse.GetRelationAsync(RelationName.Of("ingest", $"w_{killed:N}"), Ct));
        Assert.True((await ingestor.RecoverAsync([Contract], TimeSpan.FromMinutes(10), Ct)).IsClean);
    }
}

public sealed class DuckDbLoadIntegrityTests : LoadIntegrityTests
{
    protected override IWarehouse Open() => Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(Root, "warehouse.duckdb")));
}

public sealed class PostgresLoadIntegrityTests : LoadIntegrityTests
{
    protected override IWarehouse Open() => Warehouses.Open(WarehouseOptions.Postgres(Millwright.Testing.TestPostgres.ConnectionString));
}

public sealed class ClickHouseLoadIntegrityTests : LoadIntegrityTests
{
    protected override IWarehouse Open() => Warehouses.Open(Millwright.Testing.TestClickHouse.Options);
}

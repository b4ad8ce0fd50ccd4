using Millwright.Domain;
using Millwright.Ingestion.Extraction;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests.Extraction;

/// <summary>The real operational store (its migrations, services and change feed) extracted into DuckDB.</summary>
public sealed class OperationalStoreExtractionTests : IAsyncLifetime
{
    private static readonly OperationScope Admin = OperationScope.For(new Actor("ada.admin", Role.Admin));
    private readonly string _root = Directory.CreateTempSubdirectory("mw-ops-extract-").FullName;
    private OperationsStore _store = null!;
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = OperationsStore.Sqlite(Path.Combine(_root, "operations.db"));
        await _store.MigrateAsync(Ct);
        _warehouse = Warehouses.Open(WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb")));
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private Task<IReadOnlyList<TableExtraction>> ExtractAsync() =>
        new DatabaseExtractor(_warehouse).ExtractAsync(new ExtractionOptions(SourceDatabase.Sqlite, Path.Combine(_root, "operations.db")), cancellationToken: Ct);

    private async Task<long> CountAsync(string table) => Convert.ToInt64(await _warehouse.QueryScalarAsync($"SELECT count(*) FROM raw.{table}", Ct), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Every_operational_table_lands_in_raw_and_later_runs_follow_the_change_feed_and_the_audit_log()
    {
        var master = new MasterData(_store);
        var site = await master.CreateAsync(Admin, new Site { Code = "WS-LIS", Name = "Lisbon workshop", Kind = SiteKind.Workshop }, Ct);
        var part = await master.CreateAsync(Admin, new Part { Sku = "BRK-PAD-F", Name = "Front brake pads", StandardCost = 42.5m, ReorderPoint = 2, ReorderQuantity = 10 }, Ct);

        var first = await ExtractAsync();
        Assert.Contains(first, t => t.Table == "service_orders");
        Assert.DoesNotContain(first, t => t.Table.StartsWith("__", StringComparison.Ordinal) || t.Table is "change_feed" or "idempotency_keys");
        Assert.All(first, t => Assert.Equal("full", t.Mode));
        Assert.Equal(1, await CountAsync("parts"));
        var audit = await CountAsync("audit_log");
        Assert.True(audit >= 2);

        await master.UpdateAsync<Part>(Admin, part.Id, part.Version, p => p.Name = "Front brake pads (ceramic)", Ct);
        await master.CreateAsync(Admin, new Part { Sku = "TYRE-205", Name = "Tyre 205/55", StandardCost = 80m, ReorderPoint = 4, ReorderQuantity = 8 }, Ct);

        var second = (await ExtractAsync()).ToDictionary(t => t.Table);
        Assert.Equal(("change_feed", 2L), (second["parts"].Mode, second["parts"].RowsWritten));
        Assert.Equal(0L, second["sites"].RowsWritten);
        Assert.Equal(("append", 2L), (second["audit_log"].Mode, second["audit_log"].RowsWritten));
        Assert.Equal("Front brake pads (ceramic)", await _warehouse.QueryScalarAsync($"SELECT name FROM raw.parts WHERE id = {part.Id}", Ct));
        Assert.Equal(2, await CountAsync("parts"));
        Assert.Equal(audit + 2, await CountAsync("audit_log"));
        Assert.Equal(site.Code, await _warehouse.QueryScalarAsync($"SELECT code FROM raw.sites WHERE id = {site.Id}", Ct));
    }
}

using Millwright.Testing;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Tests;

/// <summary>A test that loads into the throwaway ClickHouse server: a folder of its own, a raw table of its own, both removed after.</summary>
public abstract class ClickHouseLoadTest : IAsyncLifetime
{
    protected string Root { get; } = Directory.CreateTempSubdirectory("mw-ch-load-").FullName;

    protected string Source { get; } = "load_" + Guid.NewGuid().ToString("N")[..8];

    protected IWarehouse Warehouse { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        Warehouse = Warehouses.Open(TestClickHouse.Options);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Warehouse.DropRelationAsync(RelationName.Of("raw", Source), CancellationToken.None);
        await Warehouse.DisposeAsync();
        Directory.Delete(Root, recursive: true);
        GC.SuppressFinalize(this);
    }
}

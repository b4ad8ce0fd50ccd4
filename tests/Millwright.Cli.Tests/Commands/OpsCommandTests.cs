using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;

namespace Millwright.Cli.Tests.Commands;

public sealed class OpsCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public OpsCommandTests() => File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: test\n");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Migrate_applies_the_schema_once_and_then_reports_it_current()
    {
        var first = await _cli.RunAsync("ops", "migrate");
        var second = await _cli.RunAsync("ops", "migrate");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("applied ", first.Out, StringComparison.Ordinal);
        Assert.Contains("_Initial", first.Out, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("The schema is current.", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_exits_zero_without_drift_and_one_with_a_table_of_the_drift()
    {
        await _cli.RunAsync("ops", "migrate");
        var clean = await _cli.RunAsync("ops", "reconcile");
        Assert.Equal(0, clean.ExitCode);
        Assert.Contains("No drift.", clean.Out, StringComparison.Ordinal);

        await using (var store = OperationsStore.Sqlite(Path.Combine(_cli.Root, ".millwright", "operations.db")))
        {
            var admin = OperationScope.For(new Actor("ada", Role.Admin));
            var master = new MasterData(store);
            var site = await master.CreateAsync(admin, new Site { Code = "S1", Name = "Site", Kind = SiteKind.Workshop }, TestContext.Current.CancellationToken);
            var room = await master.CreateAsync(admin, new StockLocation { Code = "ROOM", Name = "Room", Kind = LocationKind.Stock, SiteId = site.Id }, TestContext.Current.CancellationToken);
            var part = await master.CreateAsync(admin, new Part { Sku = "FUSE-30A", Name = "Fuse" }, TestContext.Current.CancellationToken);
            await using var db = store.CreateContext();
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO stock_balances (part_id, location_id, on_hand, reserved, version) VALUES ({part.Id}, {room.Id}, 3, 0, 1)",
                TestContext.Current.CancellationToken);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var drift = await _cli.RunAsync("ops", "reconcile");

        Assert.Equal(1, drift.ExitCode);
        Assert.Contains("│ FUSE-30A │ ROOM     │ 3       │ 0      │", drift.Out, StringComparison.Ordinal);
        Assert.Contains("Drift: 1 stock balance(s), 0 order(s).", drift.Out, StringComparison.Ordinal);
    }
}

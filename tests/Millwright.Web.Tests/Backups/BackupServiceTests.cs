using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Millwright.Web.Backups;
using Millwright.Workspace;

namespace Millwright.Web.Tests.Backups;

/// <summary>The host's scheduled backups, on a clock the test moves.</summary>
public sealed class BackupServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-backup-service-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_backup_is_taken_when_the_schedule_comes_round_and_not_before()
    {
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: plant\nbackup:\n  schedule: \"0 3 * * *\"\n");
        var settings = SettingsLoader.Load(WorkspaceLayout.At(_root), environment: new Dictionary<string, string>()).Settings;
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 2, 59, 0, TimeSpan.Zero));
        await using var warehouse = Millwright.Warehouse.Warehouses.Open(Millwright.Warehouse.WarehouseOptions.DuckDb(settings.Warehouse.Path!));
        await warehouse.ExecuteAsync("create table kept as select 1 as x", Ct);
        using var backups = new HostBackups(settings, warehouse, clock);
        using var service = new BackupService(settings, backups, clock, NullLogger<BackupService>.Instance);
        await service.StartAsync(Ct);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await Millwright.Pipelines.Lifecycle.WorkspaceBackup.LatestAsync(settings.Backup.Directory, Ct));
        clock.Advance(TimeSpan.FromSeconds(1));
        Millwright.Pipelines.Lifecycle.BackupManifest? taken = null;
        for (var i = 0; taken is null && i < 6000; i++)
        {
            await Task.Delay(10, Ct);
            taken = await Millwright.Pipelines.Lifecycle.WorkspaceBackup.LatestAsync(settings.Backup.Directory, Ct);
        }

        Assert.True(taken is not null, $"no backup in {settings.Backup.Directory}; health: {await backups.HealthAsync(Ct)}; schedule {settings.Backup.Schedule}");

        await service.StopAsync(Ct);
        Assert.Equal(new DateTime(2026, 12, 7, 3, 0, 0), taken.CreatedAt);
        Assert.Equal(new DateTime(2026, 12, 8, 3, 0, 0), (await backups.HealthAsync(Ct)).NextAt);
    }
}

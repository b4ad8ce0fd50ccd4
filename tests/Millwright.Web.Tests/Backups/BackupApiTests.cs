using System.Net;
using System.Text.Json;

namespace Millwright.Web.Tests.Backups;

/// <summary>The running host backs up on request (ADMIN only), and /health says when it last did and when it will next.</summary>
public sealed class BackupApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-backup-api-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: plant\nbackup:\n  directory: backups\n  schedule: \"0 3 * * *\"\n  keep: 3\n");
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task An_admin_backs_up_the_running_host_and_health_reports_the_last_backup()
    {
        using var operatorClient = await _host.AsAsync("otto", "OPERATOR");
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/api/admin/backup", null, Ct)).StatusCode);

        using var admin = await _host.AsAsync("ada", "ADMIN");
        using var response = await admin.PostAsync("/api/admin/backup", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var taken = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var folder = taken.RootElement.GetProperty("folder").GetString()!;
        Assert.StartsWith(Path.Combine(_root, "backups", "millwright-"), folder, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(folder, "operations.db")));

        using var health = JsonDocument.Parse(await admin.GetStringAsync("/health", Ct));
        var backup = health.RootElement.GetProperty("backup");
        Assert.True(backup.TryGetProperty("last_at", out _), backup.ToString());
        Assert.Equal("0 3 * * *", backup.GetProperty("schedule").GetString());
        Assert.Equal(3, backup.GetProperty("next_at").GetDateTime().Hour);
    }
}

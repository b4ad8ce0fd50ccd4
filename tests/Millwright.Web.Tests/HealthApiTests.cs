using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Workspace;

namespace Millwright.Web.Tests;

/// <summary>The host on a real Kestrel socket: what a browser or a monitoring probe sees.</summary>
public sealed class HealthApiTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-web-").FullName;
    private WebApplication? _app;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> StartAsync(Dictionary<string, string>? overrides = null)
    {
        overrides ??= [];
        overrides["web.port"] = "0";
        var loaded = SettingsLoader.Load(WorkspaceLayout.At(_root), overrides, new Dictionary<string, string>());
        _app = MillwrightHost.Build(loaded, logging => logging.ClearProviders());
        await _app.StartAsync(Ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return await TestAccounts.AdminClientAsync(_app.Services, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Health_on_a_fresh_workspace_reports_both_embedded_stores_healthy()
    {
        using var client = await StartAsync();

        using var response = await client.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        var warehouse = body.RootElement.GetProperty("stores").GetProperty("warehouse");
        Assert.Equal("duckdb", warehouse.GetProperty("provider").GetString());
        Assert.StartsWith("DuckDB v", warehouse.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("sqlite", body.RootElement.GetProperty("stores").GetProperty("operations").GetProperty("provider").GetString());
        var orchestration = body.RootElement.GetProperty("stores").GetProperty("orchestration");
        Assert.Equal(("sqlite", "healthy"), (orchestration.GetProperty("provider").GetString(), orchestration.GetProperty("status").GetString()));
        Assert.StartsWith("0 assets in 0 pipeline(s)", orchestration.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Matches("; daemon (held by .+, last pass [0-9.]+ s ago|not running, no pass yet|held by .+, no pass yet); 0 run\\(s\\) queued$", orchestration.GetProperty("detail").GetString());
        Assert.True(File.Exists(Path.Combine(_root, ".millwright", "warehouse.duckdb")));
    }

    [Fact]
    public async Task Health_reports_a_postgres_warehouse_it_reaches()
    {
        using var client = await StartAsync(new() { ["warehouse.provider"] = "postgres", ["warehouse.connection"] = TestPostgres.ConnectionString });

        using var body = JsonDocument.Parse(await client.GetStringAsync("/health", Ct));

        Assert.StartsWith("PostgreSQL 15", body.RootElement.GetProperty("stores").GetProperty("warehouse").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_503_and_names_the_failing_store_when_the_warehouse_is_unreachable()
    {
        var port = TestPorts.Unused();
        using var client = await StartAsync(new()
        {
            ["warehouse.provider"] = "postgres",
            ["warehouse.connection"] = $"Host=127.0.0.1;Port={port};Username=mw;Password=topsecret;Database=w",
        });

        using var response = await client.GetAsync("/health", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(text);
        var warehouse = body.RootElement.GetProperty("stores").GetProperty("warehouse");
        Assert.Equal("unhealthy", warehouse.GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{port}", warehouse.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", body.RootElement.GetProperty("stores").GetProperty("operations").GetProperty("status").GetString());
        Assert.DoesNotContain("topsecret", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_tells_an_anonymous_caller_each_stores_status_and_nothing_about_where_they_are()
    {
        using var signedIn = await StartAsync(new() { ["operations.provider"] = "postgres", ["operations.connection"] = TestPostgres.ConnectionString });
        using var anonymous = new HttpClient { BaseAddress = signedIn.BaseAddress };

        using var response = await anonymous.GetAsync("/health", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        using var body = JsonDocument.Parse(text);
        Assert.Equal("healthy", body.RootElement.GetProperty("stores").GetProperty("warehouse").GetString());
        Assert.DoesNotContain(_root, text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DuckDB", text, StringComparison.Ordinal);
    }
}

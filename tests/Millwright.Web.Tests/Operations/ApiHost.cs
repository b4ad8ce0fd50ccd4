using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Workspace;
using Npgsql;

namespace Millwright.Web.Tests.Operations;

/// <summary>The whole host on a real socket, with its operational store on SQLite or on a fresh PostgreSQL database.</summary>
public sealed class ApiHost : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-api-").FullName;
    private WebApplication? _app;
    private string? _database;

    public Uri Address { get; private set; } = null!;

    public static async Task<ApiHost> StartAsync(bool postgres, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null)
    {
        var host = new ApiHost();
        var overrides = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["web.port"] = "0" };
        if (postgres)
        {
            host._database = "mw_api_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString))
            {
                await admin.CreateCommand($"CREATE DATABASE {host._database}").ExecuteNonQueryAsync(cancellationToken);
            }

            overrides["operations.provider"] = "postgres";
            overrides["operations.connection"] = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = host._database }.ConnectionString;
        }

        var loaded = SettingsLoader.Load(WorkspaceLayout.At(host._root), overrides, new Dictionary<string, string>());
        host._app = MillwrightHost.Build(loaded, logging => logging.ClearProviders());
        await host._app.StartAsync(cancellationToken);
        host.Address = new Uri(host._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return host;
    }

    /// <summary>The host's own warehouse (the embedded DuckDB file is the host's while it runs).</summary>
    public Millwright.Warehouse.IWarehouse Warehouse => _app!.Services.GetRequiredService<Millwright.Warehouse.IWarehouse>();

    public Millwright.Identity.Accounts Accounts => _app!.Services.GetRequiredService<Millwright.Identity.Accounts>();

    /// <summary>A client with an API token of user <paramref name="name"/>, who holds <paramref name="role"/> (made on first use).</summary>
    public async Task<HttpClient> AsAsync(string name, string role, long? mechanicId = null) =>
        TestAccounts.Client(Address, await Accounts.TokenAsync(name, TestAccounts.Roles(role), mechanicId));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Directory.Delete(_root, recursive: true);
        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(TestPostgres.ConnectionString);
            await admin.CreateCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)").ExecuteNonQueryAsync();
        }
    }
}

internal static class Http
{
    /// <summary>POSTs JSON and returns the status and the parsed body (a problem document on failure).</summary>
    public static async Task<(int Status, JsonNode? Body)> PostAsync(this HttpClient client, string path, object? body, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await ParseAsync(response, cancellationToken));
    }

    /// <summary>POSTs and insists on success; returns the body.</summary>
    public static async Task<JsonNode> OkAsync(this HttpClient client, string path, object? body, CancellationToken cancellationToken)
    {
        var (status, json) = await client.PostAsync(path, body, cancellationToken);
        Assert.True(status is 200 or 201, $"POST {path} gave {status}: {json?.ToJsonString()}");
        return json!;
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(path, cancellationToken);
        var json = await ParseAsync(response, cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} gave {(int)response.StatusCode}: {json?.ToJsonString()}");
        return json!;
    }

    public static async Task<JsonNode?> ParseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static long Id(this JsonNode node) => node["id"]!.GetValue<long>();
}

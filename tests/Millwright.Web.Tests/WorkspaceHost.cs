using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Workspace;

namespace Millwright.Web.Tests;

/// <summary>`millwright up` in-process on a prepared workspace folder, on a free port, with an ADMIN's client for it.</summary>
internal sealed class WorkspaceHost : IAsyncDisposable
{
    private WorkspaceHost(WebApplication app, HttpClient client, Uri address)
    {
        App = app;
        Client = client;
        Address = address;
    }

    public WebApplication App { get; }

    /// <summary>Signed in with an API token of an ADMIN.</summary>
    public HttpClient Client { get; }

    public Uri Address { get; }

    public Millwright.Identity.Accounts Accounts => App.Services.GetRequiredService<Millwright.Identity.Accounts>();

    /// <summary>A client with a token of <paramref name="name"/>, a user holding <paramref name="roles"/> (made on first use).</summary>
    public async Task<HttpClient> AsAsync(string name, params string[] roles) =>
        TestAccounts.Client(Address, await Accounts.TokenAsync(name, TestAccounts.Roles(roles)));

    public static Task<WorkspaceHost> StartAsync(string root, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        StartAsync(root, environment, null, null, cancellationToken);

    /// <summary>A host with the secret its workspace's CLI presents, and what runs the command lines it is sent.</summary>
    public static async Task<WorkspaceHost> StartAsync(string root, IReadOnlyDictionary<string, string>? environment, Millwright.Web.Security.HostOwner? owner, Millwright.Web.Cli.ICliRelay? relay, CancellationToken cancellationToken)
    {
        var loaded = SettingsLoader.Load(WorkspaceLayout.At(root), new Dictionary<string, string> { ["web.port"] = "0" }, environment ?? new Dictionary<string, string>());
        var app = MillwrightHost.Build(loaded, logging => logging.ClearProviders(), owner: owner, relay: relay);
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new WorkspaceHost(app, await TestAccounts.AdminClientAsync(app.Services, address), address);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

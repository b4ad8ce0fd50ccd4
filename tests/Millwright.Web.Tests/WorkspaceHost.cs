using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Millwright.Workspace;

namespace Millwright.Web.Tests;

/// <summary>`millwright up` in-process on a prepared workspace folder, on a free port, with a client for it.</summary>
internal sealed class WorkspaceHost : IAsyncDisposable
{
    private WorkspaceHost(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<WorkspaceHost> StartAsync(string root, IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default)
    {
        var loaded = SettingsLoader.Load(WorkspaceLayout.At(root), new Dictionary<string, string> { ["web.port"] = "0" }, environment ?? new Dictionary<string, string>());
        var app = MillwrightHost.Build(loaded, logging => logging.ClearProviders());
        await app.StartAsync(cancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new WorkspaceHost(app, new HttpClient { BaseAddress = address });
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}

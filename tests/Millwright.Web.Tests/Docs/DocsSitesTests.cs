using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Web.Docs;
using Millwright.Workspace;

namespace Millwright.Web.Tests.Docs;

public sealed class DocsSitesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-docs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Site(string folder)
    {
        var target = Path.Combine(_root, folder);
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "index.html"), "<!doctype html><title>docs</title>");
        File.WriteAllText(Path.Combine(target, "manifest.json"), "{\"nodes\":{}}");
        File.WriteAllText(Path.Combine(target, "secret.txt"), "not part of the site");
        return target;
    }

    private static Uri Address(WebApplication app) => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    [Fact]
    public async Task Docs_serve_gives_the_site_and_its_artifacts_and_nothing_else()
    {
        var app = DocsSites.BuildServer(Site("target"), new Uri("http://127.0.0.1:0"));
        await using var _ = app;
        await app.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = Address(app) };

        Assert.Contains("<title>docs</title>", await http.GetStringAsync("/", Ct), StringComparison.Ordinal);
        var manifest = await http.GetAsync("/manifest.json", Ct);
        Assert.Equal("application/json", manifest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/secret.txt", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/catalog.json", Ct)).StatusCode);
    }

    [Fact]
    public void A_folder_without_a_generated_site_is_refused_with_the_remedy()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => DocsSites.BuildServer(Path.Combine(_root, "empty"), new Uri("http://127.0.0.1:0")));
        Assert.Contains("millwright dbt docs generate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Millwright_up_serves_each_pipelines_docs_under_docs()
    {
        Directory.CreateDirectory(Path.Combine(_root, "pipelines", "fleet"));
        File.WriteAllText(Path.Combine(_root, "pipelines", "fleet", "dbt_project.yml"), "name: fleet\n");
        Site(Path.Combine("pipelines", "fleet", "target"));
        Directory.CreateDirectory(Path.Combine(_root, "pipelines", "retail"));
        File.WriteAllText(Path.Combine(_root, "pipelines", "retail", "dbt_project.yml"), "name: retail\n");
        var loaded = SettingsLoader.Load(WorkspaceLayout.At(_root), new Dictionary<string, string> { ["web.port"] = "0" }, new Dictionary<string, string>());
        var app = MillwrightHost.Build(loaded, logging => logging.ClearProviders());
        await using var _ = app;
        await app.StartAsync(Ct);
        using var http = await TestAccounts.AdminClientAsync(app.Services, Address(app));

        Assert.Contains("<title>docs</title>", await http.GetStringAsync("/docs/fleet/", Ct), StringComparison.Ordinal);
        Assert.Equal("{\"nodes\":{}}", await http.GetStringAsync("/docs/fleet/manifest.json", Ct));
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = http.BaseAddress };
        noRedirect.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        var bare = await noRedirect.GetAsync("/docs/fleet", Ct);
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/docs/fleet/", bare.Headers.Location?.ToString());
        var missing = await http.GetAsync("/docs/retail/", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("millwright dbt docs generate", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}

using Microsoft.AspNetCore.StaticFiles;
using Millwright.Workspace;

namespace Millwright.Web.Docs;

/// <summary>
/// Serves dbt documentation sites: the target/ folder `millwright dbt docs generate` writes (index.html beside
/// manifest.json, catalog.json and run_results.json). `millwright up` serves each pipeline's project at
/// /docs/{pipeline}/; `millwright dbt docs serve` serves one project at /.
/// </summary>
public static class DocsSites
{
    private static readonly string[] SiteFiles = ["index.html", "manifest.json", "catalog.json", "run_results.json", "sources.json"];

    /// <summary>A host that serves one docs site at the root of <paramref name="url"/>.</summary>
    public static WebApplication BuildServer(string targetPath, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!File.Exists(Path.Combine(targetPath, "index.html")))
        {
            throw new DirectoryNotFoundException($"{targetPath} has no index.html: run 'millwright dbt docs generate' first");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Millwright docs", Args = [] });
        builder.WebHost.UseUrls(url.ToString());
        builder.Logging.ClearProviders();
        var app = builder.Build();
        Serve(app, "/", targetPath, authorize: false);
        return app;
    }

    /// <summary>Maps /docs/{name}/ to the target/ folder of every dbt project under the workspace's pipelines/.</summary>
    public static void MapPipelineDocs(WebApplication app, WorkspaceLayout workspace)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(workspace);
        if (!Directory.Exists(workspace.PipelinesDirectory))
        {
            return;
        }

        foreach (var project in Directory.GetFiles(workspace.PipelinesDirectory, "dbt_project.yml", SearchOption.AllDirectories))
        {
            var dir = Path.GetDirectoryName(project)!;
            var name = Path.GetRelativePath(workspace.PipelinesDirectory, dir).Replace('\\', '/');
            Serve(app, $"/docs/{name}/", Path.Combine(dir, "target"), authorize: true);
        }
    }

    /// <summary>Files of <paramref name="folder"/> under <paramref name="prefix"/>; only the site's own files, never other paths.</summary>
    /// <summary>
    /// Serves one site; inside <c>millwright up</c> it needs the ANALYST or OPERATOR role (<paramref name="authorize"/>),
    /// while <c>dbt docs serve</c> is a local preview on loopback, as dbt's own is.
    /// </summary>
    private static void Serve(WebApplication app, string prefix, string folder, bool authorize)
    {
        var contentTypes = new FileExtensionContentTypeProvider();
        var endpoint = app.MapGet(prefix + "{file?}", (HttpContext http, string? file) =>
        {
            // The page loads its data relative to its own address, so /docs/x must become /docs/x/.
            if (file is null && http.Request.Path.Value is { } requested && !requested.EndsWith('/'))
            {
                return Results.Redirect(requested + "/");
            }

            file ??= "index.html";
            if (!SiteFiles.Contains(file))
            {
                return Results.NotFound();
            }

            var path = Path.Combine(folder, file);
            if (!File.Exists(path))
            {
                return file == "index.html"
                    ? Results.Content($"<p>No documentation yet: run <code>millwright dbt docs generate</code> in {System.Net.WebUtility.HtmlEncode(Path.GetDirectoryName(folder))}.</p>", "text/html; charset=utf-8", statusCode: 404)
                    : Results.NotFound();
            }

            contentTypes.TryGetContentType(path, out var type);
            return Results.File(path, type ?? "application/octet-stream", enableRangeProcessing: false);
        });
        if (authorize)
        {
            endpoint.RequireAuthorization(Security.Policies.PipelinesRead);
        }

        endpoint.ExcludeFromDescription();
    }
}

using System.Reflection;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using MudBlazor.Services;

namespace Millwright.Web.Shell;

/// <summary>
/// The browser app: Blazor components rendered on the server (interactive over the circuit), MudBlazor for the
/// components, and the static files they need (Blazor's script, MudBlazor's CSS and script) served from the build.
/// </summary>
internal static partial class WebApp
{
    /// <summary>
    /// The static files come from the manifests the build writes beside the program (named after it, not after the
    /// host's application name), so they are found whether it runs from a build, a test or an installed tool.
    /// </summary>
    public static void UseAssets(IWebHostBuilder host)
    {
        if (RuntimeManifest() is { } manifest)
        {
            host.UseSetting(WebHostDefaults.StaticWebAssetsKey, manifest);
            host.ConfigureAppConfiguration((context, configuration) => StaticWebAssetsLoader.UseStaticWebAssets(context.HostingEnvironment, configuration.Build()));
        }
    }

    public static IServiceCollection AddMillwrightApp(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddScoped<Session>();
        services.AddSingleton<Millwright.Operations.Views.WorkOrderViews>();
        services.AddSingleton<Millwright.Operations.Views.StockViews>();
        services.AddSingleton<Millwright.Operations.Views.AssetViews>();
        services.AddSingleton<LiveChanges>();
        services.AddSingleton<Dashboards.DashboardCatalog>();
        services.AddSingleton(sp => new Millwright.Dashboards.DashboardEngine(sp.GetRequiredService<Millwright.Warehouse.IWarehouse>(), TimeProvider.System));
        services.AddSingleton(sp => new Explorer.SqlExplorer(sp.GetRequiredService<Millwright.Warehouse.IWarehouse>(), sp.GetRequiredService<Millwright.Dashboards.DashboardEngine>(), sp.GetRequiredService<Workspace.LoadedSettings>(), TimeProvider.System));
        services.AddSingleton(sp => new Explorer.SavedQueries(sp.GetRequiredService<Workspace.LoadedSettings>(), TimeProvider.System));
        services.AddHostedService(sp => sp.GetRequiredService<LiveChanges>());
        return services;
    }

    public static void MapMillwrightApp(this WebApplication app)
    {
        // The lineage canvas the dbt docs site uses, for the asset graph page (behind sign-in like every endpoint).
        app.MapGet("/app/lineage.js", async (CancellationToken ct) =>
            Results.Text(await Millwright.Modeling.Artifacts.DocsAssets.LineageScriptAsync(ct).ConfigureAwait(false), "text/javascript"))
            .ExcludeFromDescription();

        // Behind sign-in like every endpoint: the sign-in form needs none of them. A program built without them (a
        // host inside another project's tests) still serves the APIs; its pages say the app's files are missing.
        if (EndpointsManifest() is { } endpoints)
        {
            app.MapStaticAssets(endpoints);
        }
        else
        {
            AssetsMissing(app.Logger, AppContext.BaseDirectory);
        }

        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the web app's static files (Blazor's script, MudBlazor) were not built beside {Program}; its pages will not start, the APIs serve as usual")]
    private static partial void AssetsMissing(ILogger logger, string program);

    private static string? RuntimeManifest() => Beside("staticwebassets.runtime.json");

    private static string? EndpointsManifest() => Beside("staticwebassets.endpoints.json");

    private static string? Beside(string suffix)
    {
        var name = Assembly.GetEntryAssembly()?.GetName().Name;
        var path = name is null ? null : Path.Combine(AppContext.BaseDirectory, $"{name}.{suffix}");
        return path is not null && File.Exists(path) ? path : null;
    }
}

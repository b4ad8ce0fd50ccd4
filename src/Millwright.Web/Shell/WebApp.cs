using System.Reflection;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using MudBlazor.Services;

namespace Millwright.Web.Shell;

/// <summary>
/// The browser app: Blazor components rendered on the server (interactive over the circuit), MudBlazor for the
/// components, and the static files they need (Blazor's script, MudBlazor's CSS and script) served from the build.
/// </summary>
internal static class WebApp
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
        services.AddHostedService(sp => sp.GetRequiredService<LiveChanges>());
        return services;
    }

    public static void MapMillwrightApp(this WebApplication app)
    {
        var endpoints = EndpointsManifest();
        // Behind sign-in like every endpoint: the sign-in form needs none of them.
        _ = endpoints is null ? app.MapStaticAssets() : app.MapStaticAssets(endpoints);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }

    private static string? RuntimeManifest() => Beside("staticwebassets.runtime.json");

    private static string? EndpointsManifest() => Beside("staticwebassets.endpoints.json");

    private static string? Beside(string suffix)
    {
        var name = Assembly.GetEntryAssembly()?.GetName().Name;
        var path = name is null ? null : Path.Combine(AppContext.BaseDirectory, $"{name}.{suffix}");
        return path is not null && File.Exists(path) ? path : null;
    }
}

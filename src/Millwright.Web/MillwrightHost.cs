using Millwright.Warehouse;
using Millwright.Web.Health;
using Millwright.Workspace;

namespace Millwright.Web;

/// <summary>Builds the one process that serves a workspace: health now; APIs, UI and the daemon plug in here.</summary>
public static class MillwrightHost
{
    /// <summary>
    /// Builds the host for <paramref name="loaded"/>, listening on the settings' <c>web.host</c> and
    /// <c>web.port</c> (port 0 picks a free one).
    /// </summary>
    public static WebApplication Build(LoadedSettings loaded, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var settings = loaded.Settings;
        Directory.CreateDirectory(loaded.Workspace.StateDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "Millwright",
            ContentRootPath = loaded.Workspace.Root,
            Args = [],
        });
        builder.WebHost.UseUrls(settings.Web.Url.ToString());
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

            // A failure to start (a port in use) reaches the caller as an exception; the caller reports it in one line.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddSingleton(loaded);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => Warehouses.Open(ToWarehouseOptions(settings.Warehouse)));
        builder.Services.AddSingleton<StoreHealth>();

        var app = builder.Build();
        app.MapHealthApi();
        app.MapGet("/", (MillwrightSettings s) => Results.Content(HomePage.Render(s), "text/html; charset=utf-8"));
        return app;
    }

    /// <summary>The warehouse adapter options for the warehouse settings.</summary>
    public static WarehouseOptions ToWarehouseOptions(StoreSettings warehouse)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        return warehouse.Provider switch
        {
            StoreProvider.DuckDb => WarehouseOptions.DuckDb(warehouse.Path!),
            StoreProvider.Postgres => WarehouseOptions.Postgres(warehouse.Connection!),
            _ => throw new SettingsException($"warehouse.provider {warehouse.Provider.ToConfigName()} is not a warehouse engine"),
        };
    }
}

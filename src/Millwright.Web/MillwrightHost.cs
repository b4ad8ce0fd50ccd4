using Millwright.Operations.Data;
using Millwright.Warehouse;
using Millwright.Web.Health;
using Millwright.Web.Operations;
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
        builder.Services.AddSingleton(_ => Warehouses.Open(Pipelines.WorkspaceOrchestration.WarehouseOptionsFor(settings.Warehouse)));
        builder.Services.AddSingleton<StoreHealth>();
        builder.Services.AddOperations(settings.Operations);
        builder.Services.AddSingleton<Orchestration.OrchestrationHost>();
        builder.Services.AddSingleton<Ingest.IngestEndpoint>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Orchestration.OrchestrationHost>());
        builder.Services.ConfigureHttpJsonOptions(o => OperationsJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Millwright API";
            document.Info.Description = "Operations (/api/ops): the EV maintenance system of record. Every write names its actor in the X-Millwright-Actor and X-Millwright-Role headers. Orchestration (/api/orchestration): assets, runs and their events, backfills, schedules and sensors.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (http, next) =>
        {
            http.Response.Headers[RequestScope.CorrelationHeader] = RequestScope.CorrelationId(http);
            await next(http).ConfigureAwait(false);
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthApi();
        app.MapOperationsApi();
        Orchestration.OrchestrationApi.MapOrchestrationApi(app);
        Ingest.IngestApi.MapIngestApi(app);
        Docs.DocsSites.MapPipelineDocs(app, loaded.Workspace);
        app.MapGet("/", (MillwrightSettings s) => Results.Content(HomePage.Render(s), "text/html; charset=utf-8"));
        return app;
    }

    /// <summary>Opens the operational store the settings name: a SQLite file or a PostgreSQL database.</summary>
    public static OperationsStore OpenOperations(StoreSettings operations, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return operations.Provider switch
        {
            StoreProvider.Sqlite => OperationsStore.Sqlite(operations.Path!, clock),
            StoreProvider.Postgres => OperationsStore.Postgres(operations.Connection!, operations.Target, clock),
            _ => throw new SettingsException($"operations.provider {operations.Provider.ToConfigName()} is not an operational store"),
        };
    }
}

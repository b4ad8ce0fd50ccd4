using System.Reflection;
using Millwright.Operations.Data;
using Millwright.Warehouse;
using Millwright.Web.Health;
using Millwright.Web.Operations;
using Millwright.Web.Security;
using Millwright.Web.Shell;
using Millwright.Workspace;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Millwright.Web;

/// <summary>Builds the one process that serves a workspace: health now; APIs, UI and the daemon plug in here.</summary>
public static class MillwrightHost
{
    /// <summary>
    /// Builds the host for <paramref name="loaded"/>, listening on the settings' <c>web.host</c> and
    /// <c>web.port</c> (port 0 picks a free one).
    /// </summary>
    public static WebApplication Build(LoadedSettings loaded, Action<ILoggingBuilder>? logging = null, Logging.LogFormat logFormat = Logging.LogFormat.Text, HostOwner? owner = null, Cli.ICliRelay? relay = null)
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
        builder.WebHost.UseUrls([settings.Web.Url.ToString(), .. settings.Web.MetricsPort is { } metricsPort ? [$"http://127.0.0.1:{metricsPort}"] : Array.Empty<string>()]);
        if (settings.Web.Tls)
        {
            var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(settings.Web.TlsCertificate!, settings.Web.TlsKey);
            builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
        }

        Shell.WebApp.UseAssets(builder.WebHost);
        builder.Logging.ClearProviders();
        if (logging is null)
        {
            Serilog.SerilogLoggingBuilderExtensions.AddSerilog(builder.Logging, Logging.HostLogging.Create(loaded.Workspace.StateDirectory, logFormat), dispose: true);
        }
        else
        {
            logging(builder.Logging);
        }

        builder.Services.AddSingleton(loaded);
        builder.Services.AddSingleton(owner ?? HostOwner.None);
        if (relay is not null)
        {
            builder.Services.AddSingleton(relay);
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Web);
        builder.Services.AddMillwrightSecurity(settings.Web, settings.Operations, loaded.Workspace.StateDirectory);
        builder.Services.AddSingleton(_ => Warehouses.Open(settings.Warehouse.Options));
        builder.Services.AddSingleton<StoreHealth>();
        builder.Services.AddSingleton<Metrics.MillwrightMetrics>();
        builder.Services.AddSingleton<Logging.RunEventLog>();
        // target_info names the service and the workspace (it said unknown_service:dotnet), so a scrape is told apart from others.
        var version = typeof(MillwrightHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("millwright", serviceVersion: version?.Split('+')[0], autoGenerateServiceInstanceId: false)
                .AddAttributes([new KeyValuePair<string, object>("millwright.workspace", settings.Name)]))
            .WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddMeter(Metrics.MillwrightMetrics.MeterName, "Npgsql")
            .AddPrometheusExporter());
        builder.Services.AddOperations(settings.Operations);
        builder.Services.AddSingleton<Orchestration.OrchestrationHost>();
        builder.Services.AddSingleton<Dashboards.CardErrors>();
        builder.Services.AddSingleton<Ingest.IngestEndpoint>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Orchestration.OrchestrationHost>());
        builder.Services.AddHostedService<Orchestration.CleanupService>();
        builder.Services.AddSingleton(sp => new Backups.HostBackups(sp.GetRequiredService<MillwrightSettings>(), sp.GetRequiredService<Millwright.Warehouse.IWarehouse>(), TimeProvider.System));
        builder.Services.AddHostedService(sp => new Backups.BackupService(sp.GetRequiredService<MillwrightSettings>(), sp.GetRequiredService<Backups.HostBackups>(), TimeProvider.System, sp.GetRequiredService<ILogger<Backups.BackupService>>()));
        builder.Services.AddMillwrightApp();
        builder.Services.ConfigureHttpJsonOptions(o => OperationsJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Millwright API";
            document.Info.Description = "Every endpoint but /health needs an API token (Authorization: Bearer mw_..., from `millwright tokens create`) or the web app's sign-in cookie; what a caller may do follows the roles of their user. Operations (/api/ops): the EV maintenance system of record. Orchestration (/api/orchestration): assets, runs and their events, backfills, schedules and sensors.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();

        // An address that matches nothing: a browser gets the app's page saying so (still a 404), a script or an API
        // client the problem details it can parse.
        app.UseWhen(WantsPage, page => page.UseStatusCodePagesWithReExecute("/not-found"));
        app.UseWhen(http => !WantsPage(http), api => api.UseStatusCodePages());
        app.Use(async (http, next) =>
        {
            http.Response.Headers[RequestScope.CorrelationHeader] = RequestScope.CorrelationId(http);
            await next(http).ConfigureAwait(false);
        });
        if (settings.Web.MetricsPort is { } only)
        {
            app.Use(async (http, next) =>
            {
                if (http.Connection.LocalPort == only && http.Request.Path != "/metrics")
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                await next(http).ConfigureAwait(false);
            });
        }

        app.UseMillwrightSecurity(settings.Web);

        // What a request logs carries its correlation id and its user.
        app.Use(async (http, next) =>
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Millwright.Http");
            using (logger.BeginScope(new Dictionary<string, object?> { ["CorrelationId"] = RequestScope.CorrelationId(http), ["User"] = http.User.Identity?.Name }))
            {
                await next(http).ConfigureAwait(false);
            }
        });
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthApi();
        Backups.BackupApi.MapBackupApi(app);
        Cli.CliRelay.MapCliRelay(app);
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Metrics);
        if (settings.Web.MetricsPort is { } local)
        {
            // The metrics port listens on 127.0.0.1 only and serves /metrics alone, without a token, for a Prometheus on this machine.
            app.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{local}").AllowAnonymous();
        }
        app.MapSignIn();
        app.MapOperationsApi();
        Orchestration.OrchestrationApi.MapOrchestrationApi(app);
        Ingest.IngestApi.MapIngestApi(app);
        Dashboards.DashboardsApi.MapDashboardsApi(app);
        Explorer.ExplorerApi.MapExplorerApi(app);
        Docs.DocsSites.MapPipelineDocs(app, loaded.Workspace);
        app.MapMillwrightApp();
        return app;
    }

    /// <summary>A person's browser asking for a page: a GET that accepts HTML, outside the API, metrics and health paths.</summary>
    private static bool WantsPage(HttpContext http) =>
        HttpMethods.IsGet(http.Request.Method)
        && http.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true)
        && !NotPages.Any(p => http.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] NotPages = ["/api", "/openapi", "/metrics", "/health", "/_blazor", "/_framework"];

    /// <summary>Where users and API tokens live: beside the operational store's tables.</summary>
    public static Millwright.Identity.AccountStoreOptions AccountStoreFor(StoreSettings operations) => SecurityServices.AccountStoreFor(operations);

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

/// <summary>What the first start of a workspace did about users: the <c>admin</c> password to show once, if one was made.</summary>
public sealed class FirstRun
{
    private readonly Security.FirstRunAdmin _admin;

    internal FirstRun(Security.FirstRunAdmin admin) => _admin = admin;

    /// <summary>The new admin's password (null when users already existed).</summary>
    public string? AdminPassword => _admin.Password;

    /// <summary>True when the password was made up here rather than taken from MILLWRIGHT_ADMIN_PASSWORD.</summary>
    public bool Generated => _admin.Generated;
}

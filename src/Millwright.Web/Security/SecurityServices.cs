using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Millwright.Identity;
using Millwright.Workspace;

namespace Millwright.Web.Security;

/// <summary>
/// Authentication (a cookie for the browser, bearer API tokens for machines and the CLI), authorization (every endpoint
/// needs a user unless it says otherwise; roles come from the user's identity), anti-forgery for cookie requests that
/// change state, Host header filtering and sign-in rate limiting.
/// </summary>
internal static class SecurityServices
{
    public const string SignInRateLimit = "signin";
    private const string Selector = "millwright";

    public static void AddMillwrightSecurity(this IServiceCollection services, WebSettings web, StoreSettings operations, string stateDirectory)
    {
        // Cookie and anti-forgery keys live with the workspace (readable by its owner only), so sign-ins survive a restart.
        var keys = Directory.CreateDirectory(Path.Combine(stateDirectory, "keys"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keys.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("millwright");
        services.AddMillwrightAccounts(AccountStoreFor(operations)).AddCookieSignIn();
        services.AddHostedService<AccountsSetup>();
        services.AddSingleton<FirstRunAdmin>();
        services.AddSingleton(sp => new FirstRun(sp.GetRequiredService<FirstRunAdmin>()));
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Selector;
                o.DefaultChallengeScheme = Selector;
                o.DefaultForbidScheme = Selector;
            })
            .AddPolicyScheme(Selector, "Cookie or bearer token", o => o.ForwardDefaultSelector = http =>
                TokenAuthenticationHandler.BearerToken(http.Request) is not null ? TokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddCookie(IdentityConstants.ApplicationScheme, o =>
            {
                o.Cookie.Name = "millwright.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.Events = new CookieAuthenticationEvents
                {
                    OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync,
                    OnRedirectToLogin = context =>
                    {
                        if (IsBrowserPage(context.Request))
                        {
                            context.Response.Redirect(context.RedirectUri);
                            return Task.CompletedTask;
                        }

                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        return Results.Problem(
                            statusCode: StatusCodes.Status401Unauthorized,
                            title: "Not authenticated",
                            detail: "sign in at /signin, or send an API token as 'Authorization: Bearer <token>' (`millwright tokens create`)").ExecuteAsync(context.HttpContext);
                    },
                };
            });

        // A disabled user or a changed password ends cookie sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationResults>();
        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var (name, roles) in Policies.Roles)
        {
            authorization.AddPolicy(name, p => p.RequireAuthenticatedUser().RequireRole(roles.Select(r => r.Name())));
        }

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "millwright.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "X-CSRF-Token";
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(SignInRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });

        var hosts = web.AllowedHosts.Count > 0 ? web.AllowedHosts : web.IsLoopback ? ["localhost", "127.0.0.1", "[::1]"] : [];
        if (hosts.Count > 0)
        {
            // On loopback the default refuses other Host names, which closes DNS rebinding from a web page.
            services.AddHostFiltering(o =>
            {
                o.AllowedHosts = [.. hosts];
                o.AllowEmptyHosts = false;
                o.IncludeFailureMessage = true;
            });
        }
    }

    public static void UseMillwrightSecurity(this WebApplication app, WebSettings web)
    {
        if (web.AllowedHosts.Count > 0 || web.IsLoopback)
        {
            app.UseHostFiltering();
        }

        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        // A request that rides on the sign-in cookie and changes state must carry the anti-forgery token (form field or
        // X-CSRF-Token header); bearer-token requests carry no ambient credential and need none. The web app's circuit
        // (a SignalR hub) is exempt: its cookie is SameSite=Strict, so no other site's page can open one. So are the
        // circuit's own endpoints beside the hub (the page's disconnect beacon, sent as it is left, carries no token and
        // was refused, leaving its circuit to time out and a warning in the log at every navigation).
        app.Use(async (http, next) =>
        {
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
                && !http.Request.Path.StartsWithSegments("/_blazor", StringComparison.Ordinal)
                && http.User.Identity is { IsAuthenticated: true, AuthenticationType: var type } && type == IdentityConstants.ApplicationScheme
                && http.GetEndpoint()?.Metadata is { } metadata
                && metadata.GetMetadata<IAntiforgeryMetadata>() is null
                && metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is null)
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
                {
                    await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing anti-forgery token", detail: "a request signed in with the cookie that changes something must send the anti-forgery token (X-CSRF-Token header or form field)").ExecuteAsync(http).ConfigureAwait(false);
                    return;
                }
            }

            await next(http).ConfigureAwait(false);
        });
    }

    /// <summary>The account tables live in the operational store.</summary>
    public static AccountStoreOptions AccountStoreFor(StoreSettings operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return operations.Provider switch
        {
            StoreProvider.Sqlite => new AccountStoreOptions(AccountStoreProvider.Sqlite, new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(operations.Path!), ForeignKeys = true, Pooling = true, DefaultTimeout = 30 }.ToString()),
            StoreProvider.Postgres => new AccountStoreOptions(AccountStoreProvider.Postgres, Millwright.Operations.Data.OperationsStore.WithPoolDefaults(operations.Connection!)),
            _ => throw new SettingsException($"operations.provider {operations.Provider.ToConfigName()} cannot hold users"),
        };
    }

    /// <summary>A person's browser asking for a page (not an API call, not a script).</summary>
    private static bool IsBrowserPage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The password of the <c>admin</c> made on first run, to be shown once; null when none was made.</summary>
internal sealed class FirstRunAdmin
{
    public string? Password { get; set; }

    public bool Generated { get; set; }
}

/// <summary>Migrates the account tables and creates the first admin when there are no users, before the host listens.</summary>
internal sealed partial class AccountsSetup(Accounts accounts, WebSettings web, FirstRunAdmin firstRun, ILogger<AccountsSetup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await accounts.MigrateAsync(cancellationToken).ConfigureAwait(false);
            if (await accounts.EnsureAdminAsync(web.InitialAdminPassword, cancellationToken).ConfigureAwait(false) is { } password)
            {
                firstRun.Password = password;
                firstRun.Generated = web.InitialAdminPassword is null;
            }
        }
        catch (System.Data.Common.DbException e)
        {
            Unavailable(logger, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "user accounts are unavailable (the operational store did not answer): {Error}")]
    private static partial void Unavailable(ILogger logger, string error);
}

using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Millwright.Identity;

namespace Millwright.Web.Security;

/// <summary>
/// <c>Authorization: Bearer mw_...</c>: the token is looked up by its SHA-256; an unknown, revoked or expired token or
/// a disabled user gets 401 with <c>WWW-Authenticate: Bearer error="invalid_token"</c>. The host's own secret (in
/// <c>.millwright/host.json</c>, readable by the workspace's owner only) authenticates the workspace's CLI as ADMIN.
/// </summary>
internal sealed class TokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Accounts accounts, HostOwner owner)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } secret)
        {
            return AuthenticateResult.NoResult();
        }

        if (owner.Matches(secret))
        {
            var cli = AccountClaims.Identity(0, HostOwner.Name, [AccountRole.Admin], null, SchemeName, "host");
            return AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(cli), SchemeName));
        }

        var identity = await accounts.AuthenticateTokenAsync(secret, SchemeName, Context.RequestAborted).ConfigureAwait(false);
        return identity is null
            ? AuthenticateResult.Fail("the token is unknown, revoked or expired, or its user is disabled")
            : AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failed = BearerToken(Request) is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = failed ? "Bearer error=\"invalid_token\"" : "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Not authenticated",
            detail: failed ? "the bearer token is unknown, revoked or expired, or its user is disabled" : "sign in at /signin, or send an API token as 'Authorization: Bearer <token>' (`millwright tokens create`)")
            .ExecuteAsync(Context).ConfigureAwait(false);
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>The secret this host gave its workspace's CLI (none for a host built without one, as in tests).</summary>
public sealed class HostOwner(string? secret)
{
    public const string Name = "workspace-cli";

    public static HostOwner None { get; } = new(null);

    /// <summary>A fresh secret for a host's lifetime.</summary>
    public static HostOwner Create() => new("mwh_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    public string? Secret => secret;

    internal bool Matches(string presented) =>
        secret is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(presented), System.Text.Encoding.UTF8.GetBytes(secret));
}

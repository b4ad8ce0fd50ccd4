using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Millwright.Domain;
using Millwright.Identity;
using Millwright.Operations.Data;
using Millwright.Web.Operations;

namespace Millwright.Web.Shell;

/// <summary>
/// The signed-in person of one browser circuit: their name and roles (from their identity, as on every request) and,
/// when they hold an operational role, the actor the operations use cases act for.
/// </summary>
internal sealed class Session(AuthenticationStateProvider authentication)
{
    private ClaimsPrincipal? _user;

    public async Task<ClaimsPrincipal> UserAsync()
    {
        _user ??= (await authentication.GetAuthenticationStateAsync().ConfigureAwait(false)).User;
        return _user;
    }

    public async Task<IReadOnlyList<AccountRole>> RolesAsync() => AccountClaims.Roles(await UserAsync().ConfigureAwait(false));

    /// <summary>The actor for the operations use cases, or null when the user holds no operational role.</summary>
    public async Task<Actor?> ActorAsync()
    {
        var user = await UserAsync().ConfigureAwait(false);
        return AccountClaims.Roles(user).Any(r => r.IsOperational()) ? RequestScope.From(user, "-").Actor : null;
    }

    /// <summary>A scope for one action the user takes; its correlation id ties the action's audit rows together.</summary>
    public async Task<OperationScope> ScopeAsync() => RequestScope.From(await UserAsync().ConfigureAwait(false), "web-" + Guid.NewGuid().ToString("N")[..16]);
}

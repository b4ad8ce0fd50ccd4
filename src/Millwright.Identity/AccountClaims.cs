using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Millwright.Identity;

/// <summary>The claims a signed-in user carries, the same whether they came with a cookie or a token.</summary>
public static class AccountClaims
{
    public const string MechanicId = "millwright/mechanic_id";

    /// <summary>"cookie" or "token:ID": how the request was authenticated.</summary>
    public const string Via = "millwright/via";

    public static ClaimsIdentity Identity(long userId, string name, IEnumerable<AccountRole> roles, long? mechanicId, string authenticationType, string via)
    {
        var identity = new ClaimsIdentity(authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, userId.ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(ClaimTypes.Name, name));
        foreach (var role in roles.Distinct())
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, role.Name()));
        }

        if (mechanicId is { } m)
        {
            identity.AddClaim(new Claim(MechanicId, m.ToString(CultureInfo.InvariantCulture)));
        }

        identity.AddClaim(new Claim(Via, via));
        return identity;
    }

    /// <summary>The roles a principal holds (claims that are not a role name are ignored).</summary>
    public static IReadOnlyList<AccountRole> Roles(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return [.. principal.FindAll(ClaimTypes.Role).Select(c => AccountRoles.TryParse(c.Value, out var r) ? r : (AccountRole?)null).OfType<AccountRole>().Distinct().Order()];
    }

    public static long? Mechanic(ClaimsPrincipal principal) =>
        principal?.FindFirst(MechanicId)?.Value is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}

/// <summary>Cookie sign-in builds its principal with the same claims as a token.</summary>
internal sealed class MillwrightClaimsFactory(UserManager<MillwrightUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<MillwrightUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(MillwrightUser user)
    {
        var identity = await base.GenerateClaimsAsync(user).ConfigureAwait(false);
        foreach (var role in await UserManager.GetRolesAsync(user).ConfigureAwait(false))
        {
            identity.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, role));
        }

        if (user.MechanicId is { } m)
        {
            identity.AddClaim(new Claim(AccountClaims.MechanicId, m.ToString(CultureInfo.InvariantCulture)));
        }

        identity.AddClaim(new Claim(AccountClaims.Via, "cookie"));
        return identity;
    }
}

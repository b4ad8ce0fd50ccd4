using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Millwright.Identity;

/// <summary>Password sign-in for the browser: Identity's sign-in manager, with lockout on repeated failures.</summary>
public sealed class CookieSignIn
{
    private readonly SignInManager<MillwrightUser> _signIn;

    internal CookieSignIn(SignInManager<MillwrightUser> signIn) => _signIn = signIn;

    /// <summary>Checks the password and, when right, issues the sign-in cookie on the current response.</summary>
    public async Task<SignInOutcome> PasswordSignInAsync(string userName, string password)
    {
        var result = await _signIn.PasswordSignInAsync(userName, password, isPersistent: false, lockoutOnFailure: true).ConfigureAwait(false);
        return result.Succeeded ? SignInOutcome.SignedIn : result.IsLockedOut ? SignInOutcome.LockedOut : SignInOutcome.Failed;
    }

    public Task SignOutAsync() => _signIn.SignOutAsync();
}

public static class CookieSignInServices
{
    /// <summary>Adds Identity's sign-in manager and <see cref="CookieSignIn"/> (the host registers the cookie scheme).</summary>
    public static IdentityBuilder AddCookieSignIn(this IdentityBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddSignInManager();
        builder.Services.AddScoped(sp => new CookieSignIn(sp.GetRequiredService<SignInManager<MillwrightUser>>()));
        return builder;
    }
}

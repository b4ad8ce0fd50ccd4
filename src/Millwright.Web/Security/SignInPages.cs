using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Millwright.Identity;
using Microsoft.AspNetCore.Mvc;
using Millwright.Workspace;

namespace Millwright.Web.Security;

/// <summary>
/// <c>GET /signin</c> (the form), <c>POST /signin</c> (user name and password; lockout after repeated failures, rate
/// limited per address) and <c>POST /signout</c>. The web app's own pages replace this form's looks, not its rules.
/// </summary>
internal static class SignInPages
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/signin", (HttpContext http, IAntiforgery antiforgery, MillwrightSettings settings, string? returnUrl) =>
            Page(http, antiforgery, settings, LocalOrRoot(returnUrl), null)).AllowAnonymous().ExcludeFromDescription();

        endpoints.MapPost("/signin", async ([FromForm] SignInForm form, HttpContext http, IAntiforgery antiforgery, MillwrightSettings settings, CookieSignIn signIn) =>
        {
            var returnUrl = LocalOrRoot(form.ReturnUrl);
            if (string.IsNullOrWhiteSpace(form.UserName) || string.IsNullOrEmpty(form.Password))
            {
                return Page(http, antiforgery, settings, returnUrl, "Enter your user name and password.");
            }

            return await signIn.PasswordSignInAsync(form.UserName.Trim(), form.Password).ConfigureAwait(false) switch
            {
                SignInOutcome.SignedIn => Results.Redirect(returnUrl),
                SignInOutcome.LockedOut => Page(http, antiforgery, settings, returnUrl, "Too many failed attempts: this user is locked for a few minutes, or disabled."),
                _ => Page(http, antiforgery, settings, returnUrl, "Wrong user name or password."),
            };
        }).AllowAnonymous().RequireRateLimiting(SecurityServices.SignInRateLimit).ExcludeFromDescription();

        endpoints.MapPost("/signout", async ([FromForm] SignOutForm form, CookieSignIn signIn) =>
        {
            _ = form;
            await signIn.SignOutAsync().ConfigureAwait(false);
            return Results.Redirect("/signin");
        }).ExcludeFromDescription();
        return endpoints;
    }

    internal static string LocalOrRoot(string? url) =>
        url is { Length: > 0 } && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, MillwrightSettings settings, string returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var name = WebUtility.HtmlEncode(settings.Name);
        var message = error is null ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(error)}</p>";
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · Millwright · {{name}}</title>
              <link rel="icon" href="{{Shell.Favicon.DataUri}}">
              <style>
                body { font-family: system-ui, sans-serif; background: #f5f7fa; color: #1f2933; display: grid; place-items: center; min-height: 100vh; margin: 0; }
                form { background: #fff; padding: 2rem 2.5rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12); width: 20rem; }
                h1 { font-size: 1.3rem; margin: 0 0 1.2rem; } label { display: block; margin: .8rem 0 .3rem; color: #52606d; }
                input[type=text], input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; border: 1px solid #cbd2d9; border-radius: 4px; font-size: 1rem; }
                button { margin-top: 1.3rem; width: 100%; padding: .6rem; background: #2f6fde; color: #fff; border: 0; border-radius: 4px; font-size: 1rem; cursor: pointer; }
                .error { color: #b42318; background: #fef3f2; padding: .5rem .7rem; border-radius: 4px; }
              </style>
            </head>
            <body>
              <form method="post" action="/signin">
                <h1>Millwright · {{name}}</h1>
                {{message}}
                <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
                <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
                <label for="userName">User name</label>
                <input type="text" id="userName" name="userName" autocomplete="username" required autofocus>
                <label for="password">Password</label>
                <input type="password" id="password" name="password" autocomplete="current-password" required>
                <button type="submit">Sign in</button>
              </form>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: error is null ? 200 : 401);
    }
}

internal sealed class SignInForm
{
    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string? ReturnUrl { get; set; }
}

/// <summary>Sign-out carries nothing but the anti-forgery token; binding a form makes the endpoint demand one.</summary>
internal sealed class SignOutForm
{
    public string? ReturnUrl { get; set; }
}

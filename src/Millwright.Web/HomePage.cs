using System.Net;
using System.Text;
using Millwright.Workspace;

namespace Millwright.Web;

/// <summary>The landing page: what this workspace is and where its stores are.</summary>
internal static class HomePage
{
    public static string Render(MillwrightSettings settings, System.Security.Claims.ClaimsPrincipal user, Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet tokens)
    {
        var roles = string.Join(", ", Millwright.Identity.AccountClaims.Roles(user).Select(r => Millwright.Identity.AccountRoles.Name(r)));
        var signOut = $"<form method=\"post\" action=\"/signout\"><input type=\"hidden\" name=\"{WebUtility.HtmlEncode(tokens.FormFieldName)}\" value=\"{WebUtility.HtmlEncode(tokens.RequestToken)}\"><button type=\"submit\">Sign out</button></form>";
        var rows = new StringBuilder();
        foreach (var (key, value) in settings.Describe())
        {
            rows.Append("<tr><th>").Append(WebUtility.HtmlEncode(key)).Append("</th><td>").Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }

        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>Millwright · {{WebUtility.HtmlEncode(settings.Name)}}</title>
              <style>
                body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }
                table { border-collapse: collapse; } th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #e4e7eb; }
                th { color: #52606d; font-weight: 500; }
                header { display: flex; gap: .8rem; justify-content: flex-end; align-items: center; color: #52606d; } header form { margin: 0; }
              </style>
            </head>
            <body>
              <header><span id="user">{{WebUtility.HtmlEncode(user.Identity?.Name)}}</span> <span id="roles">{{WebUtility.HtmlEncode(roles)}}</span> {{signOut}}</header>
              <h1>Millwright · {{WebUtility.HtmlEncode(settings.Name)}}</h1>
              <p>Workspace settings (secrets masked). Store health: <a href="/health">/health</a>.</p>
              <table>{{rows}}</table>
            </body>
            </html>
            """;
    }
}

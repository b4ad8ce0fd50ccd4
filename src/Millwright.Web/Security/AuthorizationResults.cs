using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Millwright.Identity;

namespace Millwright.Web.Security;

/// <summary>
/// Writes the answer when authorization fails: an API caller gets 401 or 403 as a problem document that names the
/// roles needed; a browser that is not signed in is sent to the sign-in page; a signed-in person on a web app page their
/// roles do not open sees the app say so.
/// </summary>
internal sealed class AuthorizationResults : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null)
        {
            // A page of the web app: its frame renders, and the router shows the signed-in person why the page stays
            // closed (the page itself renders only over the circuit, where the router checks the same policy again).
            await next(context).ConfigureAwait(false);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            // Roles that would meet every requirement that failed (reading and changing runs are two policies on one endpoint).
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<RolesAuthorizationRequirement>().ToList() ?? [];
            var needed = failed.Count == 0 ? [] : failed.Skip(1).Aggregate(failed[0].AllowedRoles.ToList(), (common, r) => [.. common.Intersect(r.AllowedRoles)]);
            var roles = AccountClaims.Roles(context.User);
            await Results.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: $"{context.User.Identity?.Name} ({(roles.Count == 0 ? "no roles" : string.Join(", ", roles.Select(r => r.Name())))}) may not do this" + (needed.Count > 0 ? $"; it needs one of: {string.Join(", ", needed)}" : ""),
                extensions: new Dictionary<string, object?> { ["rule"] = "auth.role" })
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}

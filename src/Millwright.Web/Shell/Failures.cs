namespace Millwright.Web.Shell;

/// <summary>What a screen says when a use case refuses: the same words the API's problem details carry.</summary>
internal static class Failures
{
    /// <summary>The refusal's text, or null when the failure is not a refusal (a bug, which the circuit reports).</summary>
    public static string? Describe(Exception exception) => Operations.ProblemMapping.Map(exception) switch
    {
        Microsoft.AspNetCore.Http.HttpValidationProblemDetails v => string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
        { Detail: { } detail } => detail,
        _ => null,
    };
}

using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Millwright.Domain;

namespace Millwright.Web.Operations;

/// <summary>Turns every failure into RFC 7807 problem details: 400 with field names, 403, 404, 409, 422 with the broken rule.</summary>
internal sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem is null)
        {
            Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            return false;
        }

        problem.Instance = httpContext.Request.Path;
        problem.Extensions["correlationId"] = RequestScope.CorrelationId(httpContext);
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unhandled error on {Method} {Path}")]
    private static partial void Unhandled(ILogger logger, Exception exception, string method, PathString path);

    internal static ProblemDetails? Map(Exception exception) => exception switch
    {
        ValidationFailedException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid",
            Detail = v.Message,
        },
        BadHttpRequestException { InnerException: JsonException json } => Json(json),
        JsonException json => Json(json),
        Orchestration.PipelinesUnavailableException unavailable => new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "Not available", Detail = unavailable.Message },
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new ProblemDetails { Status = StatusCodes.Status413PayloadTooLarge, Title = "The body is too large", Detail = "the request body is larger than this endpoint accepts (30 MB)" },
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest, Title = "The request is invalid", Detail = bad.Message },
        Millwright.Dashboards.DashboardException d => new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "The dashboard request is invalid", Detail = d.Message },
        PreconditionRequiredException p => new ProblemDetails { Status = StatusCodes.Status428PreconditionRequired, Title = "The version is required", Detail = p.Message },
        NotFoundException nf => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = nf.Message },
        ConcurrencyConflictException c => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = c.Message },
        ForbiddenException f => WithRule(new ProblemDetails { Status = StatusCodes.Status403Forbidden, Title = "Not allowed for this role", Detail = f.Message }, f.Rule),
        DomainRuleException r => WithRule(new ProblemDetails { Status = StatusCodes.Status422UnprocessableEntity, Title = "A business rule refused the request", Detail = r.Message }, r.Rule),
        _ => null,
    };

    private static ProblemDetails WithRule(ProblemDetails problem, string rule)
    {
        problem.Extensions["rule"] = rule;
        return problem;
    }

    private static HttpValidationProblemDetails Json(JsonException json)
    {
        var field = string.IsNullOrEmpty(json.Path) ? "body" : json.Path.TrimStart('$', '.');
        var message = json.Message.Split(" Path:", 2)[0];
        if (MissingRequired().Match(message) is { Success: true } missing)
        {
            field = missing.Groups[1].Value;
            message = "is required";
        }

        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field.Length == 0 ? "body" : field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is invalid",
            Detail = $"{(field.Length == 0 ? "body" : field)}: {message}",
        };
    }

    [GeneratedRegex("missing required properties including: '([^']+)'")]
    private static partial Regex MissingRequired();
}

using System.Globalization;
using System.Text.Json;
using Millwright.Orchestration;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines;
using Millwright.Web.Operations;

namespace Millwright.Web.Orchestration;

/// <summary>
/// <c>/api/orchestration</c>: assets with their latest status, the graph, runs and their events (JSON or streamed as
/// server-sent events), launch, cancel, re-execute, backfills, schedules and sensors, and the daemon.
/// </summary>
internal static class OrchestrationApi
{
    public static IEndpointRouteBuilder MapOrchestrationApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/orchestration").WithTags("Orchestration").RequireAuthorization(Security.Policies.PipelinesRead);

        // Reading needs ANALYST or OPERATOR; anything that changes runs, backfills, sensors, schedules or partitions needs OPERATOR.
        ((IEndpointConventionBuilder)api).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<Microsoft.AspNetCore.Routing.HttpMethodMetadata>().Any(m => m.HttpMethods.Any(method => !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))))
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(Security.Policies.PipelinesWrite));
            }
        });
        api.MapGet("/assets", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return Results.Json((await o.Orchestrator.GetAssetsAsync(ct).ConfigureAwait(false)).Select(Asset), OperationsJson.Options);
        });
        api.MapGet("/assets/{*key}", async (string key, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (!TryKey(key, out var asset) || !o.Orchestrator.Definitions.Contains(asset))
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no asset {key}");
            }

            var view = (await o.Orchestrator.GetAssetsAsync(ct).ConfigureAwait(false)).Single(a => a.Spec.Key == asset);
            var history = await o.Storage.GetAssetEventsAsync(asset.Path, 100, ct).ConfigureAwait(false);
            var partitions = view.Spec.Partitions is null ? null : await o.Orchestrator.GetPartitionsAsync(asset, ct).ConfigureAwait(false);
            return Results.Json(new
            {
                asset = Asset(view),
                downstream = o.Orchestrator.Definitions.Downstream(asset).Select(k => k.Path),
                checks = o.Orchestrator.Definitions.Owner(asset).Checks.Where(c => c.Asset == asset).Select(c => new { c.Name, c.Blocking, c.Description }),
                history = history.Select(Event),
                partitions,
            }, OperationsJson.Options);
        });
        api.MapGet("/pipelines", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return Results.Json(new
            {
                pipelines = o.Pipelines.Pipelines.Select(p => new { name = p.Name, description = p.Description, assets = p.Assets, sensors = p.Sensors, schedules = p.Schedules, dbtProject = p.DbtProject is null ? null : Path.GetFileName(p.DbtProject) }),
                lastLoad = host.LastLoad,
            }, OperationsJson.Options);
        });
        // Loads pipelines/ again now (the host also does it by itself within seconds of a change); a pipeline that does
        // not load is refused with its error and the ones loaded before keep running.
        api.MapPost("/pipelines/reload", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var load = await host.ReloadAsync(ct).ConfigureAwait(false);
            return load.Error is { } error ? Refused("pipelines", error) : Results.Json(load, OperationsJson.Options);
        });
        api.MapGet("/graph", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            var views = await o.Orchestrator.GetAssetsAsync(ct).ConfigureAwait(false);
            return Results.Json(new
            {
                nodes = views.Select(v => new { key = v.Spec.Key.Path, group = v.Spec.GroupName, kinds = v.Spec.Kinds, status = v.Status, stale = v.Stale, step = o.Orchestrator.Definitions.Owner(v.Spec.Key).Name }),
                edges = views.SelectMany(v => v.Spec.Deps.Select(d => new { from = d.Asset.Path, to = v.Spec.Key.Path })),
            }, OperationsJson.Options);
        });
        api.MapGet("/runs", async (OrchestrationHost host, string? status, string? asset, string? backfill, DateTimeOffset? before, string? beforeRunId, int? limit, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            IReadOnlyList<RunStatus>? statuses = null;
            if (status is not null)
            {
                try
                {
                    statuses = status.Split(',').Select(RunStatuses.Parse).ToList();
                }
                catch (ArgumentException)
                {
                    return Invalid("status", $"'{status}' is not a list of {string.Join(", ", Enum.GetValues<RunStatus>().Select(s => s.Name()))}");
                }
            }

            var runs = await o.Storage.GetRunsAsync(new RunFilter { Statuses = statuses, Asset = asset, BackfillId = backfill, CreatedBefore = before, BeforeRunId = before is null ? null : beforeRunId, Limit = Math.Clamp(limit ?? 50, 1, 1000) }, ct).ConfigureAwait(false);
            return Results.Json(runs.Select(Run), OperationsJson.Options);
        });
        api.MapGet("/runs/{id}", async (string id, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return await o.Storage.GetRunAsync(id, ct).ConfigureAwait(false) is { } run
                ? Results.Json(Run(run), OperationsJson.Options)
                : Results.Problem(statusCode: 404, title: "Not found", detail: $"no run {id}");
        });
        api.MapGet("/runs/{id}/events", async (string id, long? after, HttpContext http, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (await o.Storage.GetRunAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no run {id}");
            }

            var from = after ?? (long.TryParse(http.Request.Headers["Last-Event-ID"], CultureInfo.InvariantCulture, out var last) ? last : 0);
            if (http.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.Ordinal) == true))
            {
                await StreamAsync(http, o.Storage, id, from, ct).ConfigureAwait(false);
                return Results.Empty;
            }

            return Results.Json((await o.Storage.GetRunEventsAsync(id, from, 5000, ct).ConfigureAwait(false)).Select(Event), OperationsJson.Options);
        });
        api.MapPost("/runs", async (HttpContext h, LaunchBody body, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            try
            {
                var run = await o.Orchestrator.SubmitAsync(new LaunchRequest
                {
                    Selection = body.Selection ?? "*",
                    Exclude = body.Exclude,
                    PartitionKey = body.Partition,
                    Tags = RunLaunch.Tags(body.Tags, h.User),
                    Config = body.Config is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } c ? c.GetRawText() : null,
                    Priority = body.Priority ?? 0,
                }, ct).ConfigureAwait(false);
                return Results.Json(Run(run), OperationsJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (OrchestrationException e)
            {
                return Refused("selection", e.Message);
            }
        });
        api.MapPost("/runs/{id}/cancel", async (string id, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (await o.Storage.GetRunAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no run {id}");
            }

            try
            {
                var status = await o.Orchestrator.CancelAsync(id, ct).ConfigureAwait(false);
                return Results.Json(new { runId = id, status = status.Name() }, OperationsJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (OrchestrationException e)
            {
                return Results.Problem(statusCode: 409, title: "Conflict", detail: e.Message);
            }
        });
        api.MapPost("/runs/{id}/reexecute", async (string id, bool? fromFailure, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (await o.Storage.GetRunAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no run {id}");
            }

            try
            {
                var run = await o.Orchestrator.ReexecuteAsync(id, fromFailure ?? true, ct).ConfigureAwait(false);
                return Results.Json(Run(run), OperationsJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (OrchestrationException e)
            {
                return Results.Problem(statusCode: 409, title: "Conflict", detail: e.Message);
            }
        });
        api.MapGet("/backfills", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return Results.Json(await o.Storage.GetBackfillsAsync(null, 100, ct).ConfigureAwait(false), OperationsJson.Options);
        });
        api.MapPost("/backfills", async (HttpContext h, BackfillBody body, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            try
            {
                var backfill = await o.Orchestrator.BackfillAsync(body.Selection, body.Partitions, body.From, body.To, RunLaunch.Tags(body.Tags, h.User), ct).ConfigureAwait(false);
                return Results.Json(backfill, OperationsJson.Options, statusCode: StatusCodes.Status202Accepted);
            }
            catch (OrchestrationException e)
            {
                return Refused("selection", e.Message);
            }
        });
        api.MapGet("/instigators", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return Results.Json(await o.Orchestrator.GetInstigatorsAsync(ct).ConfigureAwait(false), OperationsJson.Options);
        });
        foreach (var (action, running) in new[] { ("start", true), ("stop", false) })
        {
            api.MapPost($"/instigators/{{name}}/{action}", async (string name, OrchestrationHost host, CancellationToken ct) =>
            {
                var o = await ReadyAsync(host, ct).ConfigureAwait(false);
                try
                {
                    await o.Orchestrator.SetInstigatorRunningAsync(name, running, ct).ConfigureAwait(false);
                    return Results.Json((await o.Orchestrator.GetInstigatorsAsync(ct).ConfigureAwait(false)).Single(i => i.Name == name), OperationsJson.Options);
                }
                catch (OrchestrationException e)
                {
                    return Results.Problem(statusCode: 404, title: "Not found", detail: e.Message);
                }
            });
        }

        api.MapGet("/partitions/{name}", async (string name, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            return o.Orchestrator.DynamicPartitionSets.Contains(name)
                ? Results.Json(await o.Storage.GetDynamicPartitionsAsync(name, ct).ConfigureAwait(false), OperationsJson.Options)
                : Results.Problem(statusCode: 404, title: "Not found", detail: $"no asset uses dynamic partitions '{name}'");
        });
        api.MapPost("/partitions/{name}", async (string name, PartitionKeysBody body, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (!o.Orchestrator.DynamicPartitionSets.Contains(name))
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no asset uses dynamic partitions '{name}'");
            }

            try
            {
                await o.Orchestrator.AddDynamicPartitionsAsync(name, body.Keys, ct).ConfigureAwait(false);
            }
            catch (OrchestrationException e)
            {
                return Refused("keys", e.Message);
            }

            return Results.Json(await o.Storage.GetDynamicPartitionsAsync(name, ct).ConfigureAwait(false), OperationsJson.Options);
        });
        api.MapDelete("/partitions/{name}/{key}", async (string name, string key, OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            if (!o.Orchestrator.DynamicPartitionSets.Contains(name))
            {
                return Results.Problem(statusCode: 404, title: "Not found", detail: $"no asset uses dynamic partitions '{name}'");
            }

            await o.Orchestrator.RemoveDynamicPartitionAsync(name, key, ct).ConfigureAwait(false);
            return Results.NoContent();
        });
        api.MapGet("/daemon", async (OrchestrationHost host, CancellationToken ct) =>
        {
            var o = await ReadyAsync(host, ct).ConfigureAwait(false);
            var lease = await o.Storage.GetLeaseAsync(Millwright.Orchestration.Daemon.OrchestrationDaemon.LeaseName, DateTimeOffset.UtcNow, ct).ConfigureAwait(false);
            return Results.Json(new { holder = lease?.Holder, expiresAt = lease?.ExpiresAt, thisHost = host.DaemonHolder, storage = o.Storage.Describe }, OperationsJson.Options);
        });
        return endpoints;
    }

    /// <summary>The orchestration, or a 503 problem naming why the pipelines did not load.</summary>
    private static async Task<WorkspaceOrchestration> ReadyAsync(OrchestrationHost host, CancellationToken ct)
    {
        try
        {
            return await host.ReadyAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new PipelinesUnavailableException($"pipelines did not load: {e.Message}", e);
        }
    }

    private static async Task StreamAsync(HttpContext http, IOrchestrationStorage storage, string runId, long after, CancellationToken ct)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        while (!ct.IsCancellationRequested)
        {
            var run = await storage.GetRunAsync(runId, ct).ConfigureAwait(false);
            var events = await storage.GetRunEventsAsync(runId, after, 1000, ct).ConfigureAwait(false);
            foreach (var e in events)
            {
                await http.Response.WriteAsync($"id: {e.Id}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(Event(e), OperationsJson.Options)}\n\n", ct).ConfigureAwait(false);
                after = e.Id;
            }

            await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            if (events.Count == 0 && run is not null && run.Status.IsFinished())
            {
                await http.Response.WriteAsync("event: end\ndata: {}\n\n", ct).ConfigureAwait(false);
                return;
            }

            if (events.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            }
        }
    }

    private static bool TryKey(string text, out AssetKey key)
    {
        try
        {
            key = new AssetKey(text);
            return true;
        }
        catch (OrchestrationException)
        {
            key = default;
            return false;
        }
    }

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "The request is invalid");

    /// <summary>A well-formed request the orchestrator refused (selection, partition, tags, file, config): 422 with the reason.</summary>
    private static IResult Refused(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message, title: "The request was refused", statusCode: StatusCodes.Status422UnprocessableEntity);

    private static object Asset(AssetView v) => new
    {
        key = v.Spec.Key.Path,
        group = v.Spec.GroupName,
        description = v.Spec.Description,
        owners = v.Spec.Owners,
        tags = v.Spec.Tags,
        kinds = v.Spec.Kinds.Where(k => k.Length > 0),
        deps = v.Spec.Deps.Select(d => d.Asset.Path),
        status = v.Status,
        stale = v.Stale,
        external = v.External,
        lastMaterializedAt = v.LastMaterializedAt,
        lastRunId = v.LastRunId,
        inProgressRunId = v.InProgressRunId,
        metadata = v.Metadata is { } m ? JsonDocument.Parse(m).RootElement : (JsonElement?)null,
        partitionsDefinition = v.Spec.Partitions?.Description,
        partitions = v.Partitions,
        automation = v.Spec.Automation?.ToString(),
        maximumLagMinutes = v.Spec.MaximumLag?.TotalMinutes,
        checks = v.Checks.Select(c => new { name = c.CheckName, c.Passed, c.Blocking, c.EvaluatedAt, c.RunId, c.Description }),
    };

    private static object Run(RunRecord r) => new
    {
        runId = r.RunId,
        status = r.Status.Name(),
        assets = r.Assets,
        partition = r.PartitionKey,
        tags = r.Tags,
        createdAt = r.CreatedAt,
        startedAt = r.StartedAt,
        endedAt = r.EndedAt,
        durationMs = r.StartedAt is { } s ? ((r.EndedAt ?? DateTimeOffset.UtcNow) - s).TotalMilliseconds : (double?)null,
        host = r.Host,
        parentRunId = r.ParentRunId,
        rootRunId = r.RootRunId,
        backfillId = r.BackfillId,
        instigator = r.Instigator,
        priority = r.Priority,
        error = r.Error,
    };

    private static object Event(EventRecord e) => new
    {
        id = e.Id,
        runId = e.RunId,
        timestamp = e.Timestamp,
        type = e.Type,
        step = e.StepKey,
        asset = e.AssetKey,
        partition = e.PartitionKey,
        check = e.CheckName,
        level = e.Level,
        message = e.Message,
        data = e.Data is { } d ? JsonDocument.Parse(d).RootElement : (JsonElement?)null,
    };
}

/// <summary>The workspace's pipelines did not load, so the orchestration API cannot answer (503).</summary>
internal sealed class PipelinesUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>POST /api/orchestration/partitions/{name}.</summary>
internal sealed record PartitionKeysBody(IReadOnlyList<string> Keys);

/// <summary>POST /api/orchestration/runs.</summary>
internal sealed record LaunchBody(string? Selection, string? Exclude = null, string? Partition = null, Dictionary<string, string>? Tags = null, JsonElement? Config = null, int? Priority = null);

/// <summary>POST /api/orchestration/backfills: explicit partitions, or a from/to range (both ends included; all when neither).</summary>
internal sealed record BackfillBody(string Selection, IReadOnlyList<string>? Partitions = null, string? From = null, string? To = null, Dictionary<string, string>? Tags = null);

using System.CommandLine;
using System.Globalization;
using Millwright.Orchestration;
using Millwright.Orchestration.Daemon;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary>millwright assets | runs | backfill | schedules | sensors | daemon: the orchestrator from the command line.</summary>
internal static class OrchestrationCommands
{
    public static IEnumerable<Command> Create(CommandContext context) =>
    [
        Assets(context),
        Runs(context),
        Backfill(context),
        Instigators(context, "schedules", "schedule"),
        Instigators(context, "sensors", "sensor"),
        Partitions(context),
        Daemon(context),
    ];

    /// <summary>
    /// The workspace's orchestrator: the running host's own when the verb runs there (its runs are the host's, and the
    /// host keeps it), else one opened for this command.
    /// </summary>
    internal static async Task<Lease> OpenAsync(CommandContext context, ParseResult parsed, CancellationToken ct, bool live = false)
    {
        var io = context.Io;
        if (context.Host is { } host)
        {
            return new Lease(await host.OrchestrationAsync(ct).ConfigureAwait(false), Owned: false);
        }

        var loaded = context.LoadSettings(parsed);
        var orchestration = await WorkspaceOrchestration.OpenAsync(loaded, options => live ? options with { OnEvent = e => Progress(io, e) } : options, ct).ConfigureAwait(false);
        foreach (var warning in orchestration.Pipelines.Warnings)
        {
            await io.Error.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
        }

        // A run whose host died is shown as failed, never as still running.
        foreach (var lost in await orchestration.Orchestrator.RecoverLostRunsAsync(ct).ConfigureAwait(false))
        {
            await io.Error.WriteLineAsync($"run {lost} marked FAILURE: its host is gone").ConfigureAwait(false);
        }

        return new Lease(orchestration, Owned: true);
    }

    /// <summary>An orchestrator for one command: disposed after it only when the command opened it.</summary>
    internal sealed record Lease(WorkspaceOrchestration Orchestration, bool Owned) : IAsyncDisposable
    {
        public Orchestrator Orchestrator => Orchestration.Orchestrator;

        public IOrchestrationStorage Storage => Orchestration.Storage;

        public LoadedPipelines Pipelines => Orchestration.Pipelines;

        public ValueTask DisposeAsync() => Owned ? Orchestration.DisposeAsync() : ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="request"/> to its end in this process with live progress. On the host, whose orchestrator
    /// reports to the host's log, the run's events are read back from storage as they are written.
    /// </summary>
    internal static async Task<RunRecord> MaterializeAsync(CommandContext context, Lease o, LaunchRequest request, CancellationToken ct)
    {
        var run = await o.Orchestrator.SubmitAsync(request, ct).ConfigureAwait(false);
        return await ExecuteAsync(context, o, run.RunId, ct).ConfigureAwait(false);
    }

    /// <summary>Executes a queued run here to its end, its progress shown as it goes.</summary>
    private static async Task<RunRecord> ExecuteAsync(CommandContext context, Lease o, string runId, CancellationToken ct)
    {
        var execution = o.Orchestrator.ExecuteAsync(runId, ct);
        if (o.Owned)
        {
            return await execution.ConfigureAwait(false);
        }

        long after = 0;
        while (true)
        {
            var finished = execution.IsCompleted;
            var events = await o.Storage.GetRunEventsAsync(runId, after, 1000, ct).ConfigureAwait(false);
            foreach (var e in events)
            {
                Progress(context.Io, e);
                after = e.Id;
            }

            if (finished && events.Count == 0)
            {
                return await execution.ConfigureAwait(false);
            }

            if (events.Count == 0)
            {
                await Task.WhenAny(execution, Task.Delay(TimeSpan.FromMilliseconds(200), ct)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One line per event that matters while a run goes, on standard error.</summary>
    private static void Progress(CliIo io, EventRecord e)
    {
        var time = e.Timestamp.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var what = e.Type switch
        {
            EventTypes.RunStart => $"run {e.RunId}: {e.Message}",
            EventTypes.StepStart => e.Message,
            EventTypes.Materialization => $"OK {e.Message}{Rows(e.Data)}",
            EventTypes.StepRetry => $"RETRY {e.Message}",
            EventTypes.StepFailure => $"ERROR {e.Message}",
            EventTypes.AssetFailed => $"ERROR {e.Message}",
            EventTypes.AssetSkipped => $"SKIP {e.Message}",
            EventTypes.CheckEvaluation => $"{(e.Level == "info" ? "PASS" : e.Level == "warning" ? "WARN" : "FAIL")} check {e.CheckName} on {e.AssetKey}: {e.Message}",
            EventTypes.Log when e.Level is "warning" or "error" => $"{e.StepKey}: {e.Message}",
            EventTypes.RunSuccess or EventTypes.RunFailure or EventTypes.RunCanceled => $"{e.Type.Replace("RUN_", "", StringComparison.Ordinal)}: {e.Message}",
            _ => null,
        };
        if (what is not null)
        {
            lock (io)
            {
                io.Error.WriteLine($"{time}  {what}");
            }
        }
    }

    private static string Rows(string? data)
    {
        if (data is null)
        {
            return "";
        }

        using var json = System.Text.Json.JsonDocument.Parse(data);
        var parts = new List<string>();
        if (json.RootElement.TryGetProperty("row_count", out var rows))
        {
            parts.Add($"{rows} rows");
        }

        if (json.RootElement.TryGetProperty("duration_ms", out var ms) && ms.ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            parts.Add($"{ms.GetDouble():0} ms");
        }

        return parts.Count > 0 ? $" ({string.Join(", ", parts)})" : "";
    }

    private static Command Assets(CommandContext context)
    {
        var command = new Command("assets", "The asset graph of the workspace's pipelines");
        var select = new Option<string?>("--select", "-s") { Description = "Assets in selection syntax (default: all), e.g. 'raw/*', '+fct_orders', 'group:staging'" };
        var ls = new Command("ls", "List assets with their latest status, checks and partitions") { select };
        ls.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var keys = parsed.GetValue(select) is { } s ? o.Orchestrator.Definitions.Select(s).ToHashSet() : null;
            var table = new Table().AddColumns("asset", "group", "kinds", "status", "last materialized", "checks", "partitions", "depends on");
            foreach (var a in (await o.Orchestrator.GetAssetsAsync(ct).ConfigureAwait(false)).Where(a => keys is null || keys.Contains(a.Spec.Key)))
            {
                var failing = a.Checks.Count(c => !c.Passed);
                table.AddRow(
                    Markup.Escape(a.Spec.Key.Path),
                    Markup.Escape(a.Spec.GroupName),
                    Markup.Escape(string.Join(",", a.Spec.Kinds.Where(k => k.Length > 0))),
                    a.Status + (a.Stale ? " (stale)" : ""),
                    a.LastMaterializedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    a.Checks.Count == 0 ? "-" : failing == 0 ? $"{a.Checks.Count} passed" : $"{failing} of {a.Checks.Count} failing",
                    a.Partitions is { } p ? $"{p.Materialized}/{p.Total} ({p.Failed} failed)" : "-",
                    Markup.Escape(string.Join(", ", a.Spec.Deps.Select(d => d.Asset.Path))));
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(ls);

        var assetKey = new Argument<string>("asset") { Description = "A partitioned asset" };
        var only = new Option<string?>("--status") { Description = "Only partitions in this state: MATERIALIZED, FAILED or MISSING" };
        var partitionsOf = new Command("partitions", "Each partition of an asset and its state") { assetKey, only };
        partitionsOf.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var key = parsed.GetValue(assetKey)!;
            if (!o.Orchestrator.Definitions.Contains(key))
            {
                throw new CliException($"no asset {key}");
            }

            var table = new Table().AddColumns("partition", "status", "last materialized", "run");
            var filter = parsed.GetValue(only)?.ToUpperInvariant();
            foreach (var p in (await o.Orchestrator.GetPartitionsAsync(key, ct).ConfigureAwait(false)).Where(p => filter is null || p.Status == filter))
            {
                table.AddRow(Markup.Escape(p.Key), p.Status, p.LastMaterializedAt?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-", p.RunId ?? "-");
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(partitionsOf);

        var materializeSelect = new Option<string>("--select", "-s") { Description = "Assets to materialize, in selection syntax", Required = true };
        var exclude = new Option<string?>("--exclude") { Description = "Assets to leave out" };
        var partition = new Option<string?>("--partition") { Description = "The partition key of partitioned assets" };
        var tags = new Option<string[]>("--tag") { Description = "A run tag, KEY=VALUE (repeatable)" };
        var config = new Option<string?>("--config") { Description = "Run config: a JSON object keyed by step name" };
        var materialize = new Command("materialize", "Materialize assets now, in this process, with live progress") { materializeSelect, exclude, partition, tags, config };
        materialize.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct, live: true).ConfigureAwait(false);
            var run = await MaterializeAsync(context, o, new LaunchRequest
            {
                Selection = parsed.GetValue(materializeSelect)!,
                Exclude = parsed.GetValue(exclude),
                PartitionKey = parsed.GetValue(partition),
                Tags = Tags(parsed.GetValue(tags)),
                Config = parsed.GetValue(config),
            }, ct).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync($"run {run.RunId} {run.Status.Name()}" + (run.Error is { } e ? $": {e}" : "")).ConfigureAwait(false);
            return run.Status == RunStatus.Success ? MillwrightCli.Ok : MillwrightCli.Failure;
        });
        command.Subcommands.Add(materialize);
        return command;
    }

    private static Command Runs(CommandContext context)
    {
        var command = new Command("runs", "Runs: list, show with the event log, cancel, retry");
        var status = new Option<string?>("--status") { Description = "Only runs in these states, e.g. FAILURE or QUEUED,STARTED" };
        var limit = new Option<int>("--limit") { Description = "How many runs (newest first)", DefaultValueFactory = _ => 20 };
        var ls = new Command("ls", "List runs, newest first") { status, limit };
        ls.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            IReadOnlyList<RunStatus>? statuses;
            try
            {
                statuses = parsed.GetValue(status)?.Split(',').Select(RunStatuses.Parse).ToList();
            }
            catch (ArgumentException)
            {
                throw new CliException($"--status {parsed.GetValue(status)}: expected one or more of {string.Join(", ", Enum.GetValues<RunStatus>().Select(s => s.Name()))}");
            }

            var table = new Table().AddColumns("run", "status", "assets", "partition", "by", "created", "duration");
            foreach (var r in await o.Storage.GetRunsAsync(new RunFilter { Statuses = statuses, Limit = parsed.GetValue(limit) }, ct).ConfigureAwait(false))
            {
                table.AddRow(
                    r.RunId,
                    r.Status.Name(),
                    Markup.Escape(r.Assets.Count <= 3 ? string.Join(", ", r.Assets) : $"{string.Join(", ", r.Assets.Take(2))} +{r.Assets.Count - 2}"),
                    Markup.Escape(r.PartitionKey ?? "-"),
                    Markup.Escape(r.Instigator ?? "manual"),
                    r.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    r.StartedAt is { } s ? $"{((r.EndedAt ?? DateTimeOffset.UtcNow) - s).TotalSeconds:0.00}s" : "-");
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(ls);

        var id = new Argument<string>("run-id") { Description = "The run" };
        var show = new Command("show", "A run and its event log") { id };
        show.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var run = await o.Storage.GetRunAsync(parsed.GetValue(id)!, ct).ConfigureAwait(false) ?? throw new CliException($"no run {parsed.GetValue(id)}");
            var io = context.Io;
            await io.Out.WriteLineAsync($"run        {run.RunId}").ConfigureAwait(false);
            await io.Out.WriteLineAsync($"status     {run.Status.Name()}{(run.Error is { } err ? " - " + err : "")}").ConfigureAwait(false);
            await io.Out.WriteLineAsync($"assets     {string.Join(", ", run.Assets)}").ConfigureAwait(false);
            await io.Out.WriteLineAsync($"partition  {run.PartitionKey ?? "-"}").ConfigureAwait(false);
            await io.Out.WriteLineAsync($"by         {run.Instigator ?? "manual"}{(run.ParentRunId is { } p ? $" (re-execution of {p})" : "")}").ConfigureAwait(false);
            await io.Out.WriteLineAsync($"host       {run.Host ?? "-"}").ConfigureAwait(false);
            foreach (var (k, v) in run.Tags)
            {
                await io.Out.WriteLineAsync($"tag        {k}={v}").ConfigureAwait(false);
            }

            await foreach (var e in o.Storage.ReadRunEventsAsync(run.RunId, ct).ConfigureAwait(false))
            {
                await io.Out.WriteLineAsync($"{e.Timestamp.ToLocalTime():HH:mm:ss.fff}  {e.Type,-22} {e.StepKey ?? ""}{(e.StepKey is null ? "" : "  ")}{e.Message}").ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(show);

        var cancelId = new Argument<string>("run-id") { Description = "The run" };
        var cancel = new Command("cancel", "Cancel a queued or running run (a running one stops within a heartbeat, on whichever host runs it)") { cancelId };
        cancel.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var result = await o.Orchestrator.CancelAsync(parsed.GetValue(cancelId)!, ct).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync($"run {parsed.GetValue(cancelId)} {result.Name()}").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(cancel);

        var retryId = new Argument<string>("run-id") { Description = "The finished run" };
        var all = new Option<bool>("--all") { Description = "Re-execute every asset of the run, not only those that failed or were skipped" };
        var queue = new Option<bool>("--queue") { Description = "Queue the new run for the daemon instead of running it here" };
        var retry = new Command("retry", "Re-execute a run from its failure (or all of it with --all)") { retryId, all, queue };
        retry.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct, live: !parsed.GetValue(queue)).ConfigureAwait(false);
            var run = await o.Orchestrator.ReexecuteAsync(parsed.GetValue(retryId)!, !parsed.GetValue(all), ct).ConfigureAwait(false);
            if (parsed.GetValue(queue))
            {
                await context.Io.Out.WriteLineAsync($"run {run.RunId} QUEUED: {string.Join(", ", run.Assets)}").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            var ended = await ExecuteAsync(context, o, run.RunId, ct).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync($"run {ended.RunId} {ended.Status.Name()}" + (ended.Error is { } e ? $": {e}" : "")).ConfigureAwait(false);
            return ended.Status == RunStatus.Success ? MillwrightCli.Ok : MillwrightCli.Failure;
        });
        command.Subcommands.Add(retry);
        return command;
    }

    private static Command Backfill(CommandContext context)
    {
        var select = new Option<string>("--select", "-s") { Description = "The partitioned assets to backfill", Required = true };
        var from = new Option<string?>("--from") { Description = "First partition key (default: the first)" };
        var to = new Option<string?>("--to") { Description = "Last partition key, included (default: the last)" };
        var partitions = new Option<string[]>("--partition") { Description = "Exact partition keys instead of a range (repeatable)" };
        var queue = new Option<bool>("--queue") { Description = "Leave the runs to the daemon (millwright up / millwright daemon) instead of running them here" };
        var command = new Command("backfill", "Materialize a range of partitions: one run per partition, resumable") { select, from, to, partitions, queue };
        command.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var io = context.Io;
            var backfill = await o.Orchestrator.BackfillAsync(parsed.GetValue(select)!, parsed.GetValue(partitions) is { Length: > 0 } p ? p : null, parsed.GetValue(from), parsed.GetValue(to), null, ct).ConfigureAwait(false);
            await io.Error.WriteLineAsync($"backfill {backfill.Id}: {backfill.Partitions.Count} partition(s) of {string.Join(", ", backfill.Assets)}").ConfigureAwait(false);
            if (parsed.GetValue(queue))
            {
                await io.Out.WriteLineAsync($"backfill {backfill.Id} REQUESTED").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            await o.Orchestrator.SubmitBackfillRunsAsync(backfill, int.MaxValue, ct).ConfigureAwait(false);
            var runs = (await o.Storage.GetRunsAsync(new RunFilter { BackfillId = backfill.Id, Statuses = [RunStatus.Queued], Limit = int.MaxValue }, ct).ConfigureAwait(false)).OrderBy(r => r.PartitionKey, StringComparer.Ordinal).ToList();
            var failed = 0;
            await io.ErrorConsole.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var task = progress.AddTask($"backfill {backfill.Id[..8]}", maxValue: runs.Count);
                using var gate = new SemaphoreSlim(Math.Max(1, o.Orchestrator.Options.MaxConcurrentRuns));
                await Task.WhenAll(runs.Select(async run =>
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        var ended = await o.Orchestrator.ExecuteAsync(run.RunId, ct).ConfigureAwait(false);
                        if (ended.Status != RunStatus.Success)
                        {
                            Interlocked.Increment(ref failed);
                            lock (io)
                            {
                                io.Error.WriteLine($"partition {ended.PartitionKey}: {ended.Status.Name()} {ended.Error}");
                            }
                        }
                    }
                    finally
                    {
                        gate.Release();
                        task.Increment(1);
                    }
                })).ConfigureAwait(false);
            }).ConfigureAwait(false);
            await o.Orchestrator.SubmitBackfillRunsAsync((await o.Storage.GetBackfillAsync(backfill.Id, ct).ConfigureAwait(false))!, 0, ct).ConfigureAwait(false);
            await io.Out.WriteLineAsync($"backfill {backfill.Id}: {runs.Count - failed} of {runs.Count} partition(s) succeeded").ConfigureAwait(false);
            return failed == 0 ? MillwrightCli.Ok : MillwrightCli.Failure;
        });
        return command;
    }

    private static Command Instigators(CommandContext context, string name, string kind)
    {
        var command = new Command(name, $"The workspace's {name}: list, start, stop");
        var ls = new Command("ls", $"List {name} with their state, last tick and next tick");
        ls.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var table = new Table().AddColumns("name", "state", "what", "target", "last tick", "next tick");
            foreach (var i in (await o.Orchestrator.GetInstigatorsAsync(ct).ConfigureAwait(false)).Where(i => i.Kind == kind))
            {
                table.AddRow(
                    Markup.Escape(i.Name),
                    i.Running ? "RUNNING" : "STOPPED",
                    Markup.Escape(i.Description),
                    Markup.Escape(i.Target),
                    i.LastTick is { } t ? Markup.Escape(TickText(t)) : "-",
                    i.NextTick?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-");
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(ls);
        foreach (var (verb, running) in new[] { ("start", true), ("stop", false) })
        {
            var which = new Argument<string>("name") { Description = $"The {kind}" };
            var sub = new Command(verb, $"{(running ? "Start" : "Stop")} a {kind} (stored: every host sees it)") { which };
            sub.SetAction(async (parsed, ct) =>
            {
                await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
                var target = parsed.GetValue(which)!;
                if (!(await o.Orchestrator.GetInstigatorsAsync(ct).ConfigureAwait(false)).Any(i => i.Name == target && i.Kind == kind))
                {
                    throw new CliException($"no {kind} named '{target}'");
                }

                await o.Orchestrator.SetInstigatorRunningAsync(target, running, ct).ConfigureAwait(false);
                await context.Io.Out.WriteLineAsync($"{kind} {target} {(running ? "RUNNING" : "STOPPED")}").ConfigureAwait(false);
                return MillwrightCli.Ok;
            });
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static Command Partitions(CommandContext context)
    {
        var command = new Command("partitions", "Dynamic partition sets: list, add and remove keys");
        var set = new Argument<string>("set") { Description = "The dynamic partition set" };
        var ls = new Command("ls", "The keys of a dynamic partition set") { set };
        ls.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            var name = parsed.GetValue(set)!;
            if (!o.Orchestrator.DynamicPartitionSets.Contains(name))
            {
                throw new CliException($"no asset uses dynamic partitions '{name}'");
            }

            foreach (var key in await o.Storage.GetDynamicPartitionsAsync(name, ct).ConfigureAwait(false))
            {
                await context.Io.Out.WriteLineAsync(key).ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(ls);

        var addSet = new Argument<string>("set") { Description = "The dynamic partition set" };
        var keys = new Argument<string[]>("keys") { Description = "Keys to add", Arity = ArgumentArity.OneOrMore };
        var add = new Command("add", "Add keys to a dynamic partition set") { addSet, keys };
        add.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            await o.Orchestrator.AddDynamicPartitionsAsync(parsed.GetValue(addSet)!, parsed.GetValue(keys)!, ct).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync($"{parsed.GetValue(keys)!.Length} key(s) in {parsed.GetValue(addSet)}").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(add);

        var rmSet = new Argument<string>("set") { Description = "The dynamic partition set" };
        var rmKey = new Argument<string>("key") { Description = "The key to remove" };
        var rm = new Command("rm", "Remove a key from a dynamic partition set") { rmSet, rmKey };
        rm.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct).ConfigureAwait(false);
            await o.Orchestrator.RemoveDynamicPartitionAsync(parsed.GetValue(rmSet)!, parsed.GetValue(rmKey)!, ct).ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(rm);
        return command;
    }

    private static Command Daemon(CommandContext context)
    {
        var command = new Command("daemon", "Run the orchestration daemon alone (schedules, sensors, automation, backfills, queued runs, retention) until Ctrl-C; `millwright up` runs it too");
        command.SetAction(async (parsed, ct) =>
        {
            await using var o = await OpenAsync(context, parsed, ct, live: true).ConfigureAwait(false);
            var io = context.Io;
            var daemon = new OrchestrationDaemon(o.Orchestrator, new DaemonOptions { OnMessage = m => { lock (io) { io.Error.WriteLine(m); } } });
            await io.Error.WriteLineAsync($"daemon {daemon.Holder}: {o.Orchestrator.Definitions.TopologicalOrder.Count} assets, {o.Orchestrator.Definitions.Schedules.Count} schedule(s), {o.Orchestrator.Definitions.Sensors.Count} sensor(s); state in {o.Storage.Describe}. Press Ctrl-C to stop.").ConfigureAwait(false);
            await daemon.RunAsync(ct).ConfigureAwait(false);
            await io.Error.WriteLineAsync("daemon stopped").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return command;
    }

    private static string TickText(TickRecord t)
    {
        var runs = t.RunIds.Count > 0 ? $" ({t.RunIds.Count} run(s))" : "";
        var why = (t.Error ?? t.SkipReason) is { } reason ? ": " + reason : "";
        return $"{t.TickAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} {t.Status.ToString().ToUpperInvariant()}{runs}{why}";
    }

    private static Dictionary<string, string> Tags(string[]? tags)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags ?? [])
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"--tag {tag}: expected KEY=VALUE");
            }

            result[tag[..eq]] = tag[(eq + 1)..];
        }

        return result;
    }
}

using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Globalization;
using System.Text.Json;
using Millwright.Modeling;
using Millwright.Modeling.Execution;

namespace Millwright.Cli.Commands;

/// <summary>millwright dbt …: runs dbt projects natively, with dbt's flags and dbt's style of output.</summary>
internal static class DbtCliCommand
{
    private sealed class Flags
    {
        public Option<string?> ProjectDir { get; } = new("--project-dir") { Description = "The dbt project folder (default: the current folder)" };

        public Option<string?> ProfilesDir { get; } = new("--profiles-dir") { Description = "The folder with profiles.yml (default: DBT_PROFILES_DIR, the project folder, ~/.dbt)" };

        public Option<string?> Target { get; } = new("--target", "-t") { Description = "The profile target to use (default: the profile's 'target')" };

        public Option<string[]> Select { get; } = new("--select", "-s") { Description = "Nodes to include, in dbt's selection syntax", AllowMultipleArgumentsPerToken = true };

        public Option<string[]> Exclude { get; } = new("--exclude") { Description = "Nodes to leave out, in dbt's selection syntax", AllowMultipleArgumentsPerToken = true };

        public Option<string> IndirectSelection { get; } = OneOf(new("--indirect-selection") { Description = "Which tests of the selected nodes run too: eager (any parent selected; the default), cautious (all parents selected), buildable (all parents selected or upstream of the selection), empty", DefaultValueFactory = _ => "eager" }, "eager", "cautious", "buildable", "empty");

        public Option<string?> Vars { get; } = new("--vars") { Description = "Variables as a YAML or JSON mapping, e.g. '{start_date: 2024-01-01}'" };

        public Option<bool> FullRefresh { get; } = new("--full-refresh") { Description = "Rebuild seeds (and, later, incremental models) from scratch" };

        public Option<int?> Threads { get; } = new("--threads") { Description = "How many nodes run at once (default: the target's threads)" };

        public Option<bool> FailFast { get; } = new("--fail-fast", "-x") { Description = "Stop at the first failure" };

        public Option<bool> StoreFailures { get; } = new("--store-failures") { Description = "Keep each test's failing rows in a table" };

        private static Option<string> OneOf(Option<string> option, params string[] values)
        {
            option.AcceptOnlyFromAmong(values);
            return option;
        }

        public IEnumerable<Option> All => [ProjectDir, ProfilesDir, Target, Select, Exclude, IndirectSelection, Vars, FullRefresh, Threads, FailFast, StoreFailures];
    }

    public static Command Create(CommandContext context)
    {
        var command = new Command("dbt", "Run a dbt project natively: parse, compile, seed, run, test, snapshot, build, ls, docs generate");
        command.Subcommands.Add(Verb(context, "parse", "Read the project and write target/manifest.json", DbtCommand.Parse));
        command.Subcommands.Add(Verb(context, "compile", "Render every selected model and test to SQL under target/compiled", DbtCommand.Compile));
        command.Subcommands.Add(Verb(context, "seed", "Load the selected seed CSV files into tables", DbtCommand.Seed));
        command.Subcommands.Add(Verb(context, "run", "Build the selected models in dependency order", DbtCommand.Run));
        command.Subcommands.Add(Verb(context, "test", "Run the selected data tests", DbtCommand.Test));
        command.Subcommands.Add(Verb(context, "snapshot", "Record the history of the selected snapshots (type-2: dbt_valid_from, dbt_valid_to)", DbtCommand.Snapshot));
        command.Subcommands.Add(Verb(context, "build", "Seed, run and test the selected nodes in DAG order; a failing test skips what depends on it", DbtCommand.Build));
        command.Subcommands.Add(OperationVerb(context));
        command.Subcommands.Add(Verb(context, "deps", "Install the local packages of packages.yml into dbt_packages/", DbtCommand.Deps));
        var source = new Command("source", "Source tables");
        source.Subcommands.Add(Verb(context, "freshness", "Check how recently each source table was loaded against its freshness policy; write target/sources.json", DbtCommand.SourceFreshness));
        command.Subcommands.Add(source);
        command.Subcommands.Add(ListVerb(context, "ls"));
        command.Subcommands.Add(ListVerb(context, "list"));
        var docs = new Command("docs", "Documentation artifacts");
        docs.Subcommands.Add(Verb(context, "generate", "Compile the project and write target/manifest.json, catalog.json and the documentation site (index.html)", DbtCommand.DocsGenerate));
        docs.Subcommands.Add(ServeVerb(context));
        command.Subcommands.Add(docs);
        return command;
    }

    private static Command Verb(CommandContext context, string name, string description, DbtCommand kind)
    {
        var flags = new Flags();
        var command = new Command(name, description);
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var options = Options(context, parsed, flags) with
            {
                // compile and docs generate report only what failed, as dbt does; the other verbs report every node.
                OnNodeFinished = result =>
                {
                    if (kind is not (DbtCommand.Compile or DbtCommand.DocsGenerate) || result.Status == NodeStatus.Error)
                    {
                        Line(io, NodeLine(result));
                    }
                },
                OnMessage = message => Line(io, message),
            };
            DbtRunSummary summary;
            try
            {
                summary = await DbtRunner.RunAsync(kind, options, cancellationToken).ConfigureAwait(false);
            }
            catch (ModelingException e)
            {
                Line(io, "Encountered an error:");
                foreach (var line in e.Message.Split('\n'))
                {
                    Line(io, "  " + line.TrimEnd());
                }

                return MillwrightCli.Failure;
            }

            if (kind == DbtCommand.Deps)
            {
                Line(io, $"Done in {Seconds(summary.Elapsed)}");
                return MillwrightCli.Ok;
            }

            if (kind == DbtCommand.Parse)
            {
                Line(io, $"Wrote {Path.Combine(summary.TargetPath, "manifest.json")} in {Seconds(summary.Elapsed)}");
                return MillwrightCli.Ok;
            }

            Summarize(io, kind, summary);
            return summary.Errored > 0 || summary.Skipped > 0 ? MillwrightCli.Failure : MillwrightCli.Ok;
        });
        return command;
    }

    private static Command ServeVerb(CommandContext context)
    {
        var projectDir = new Option<string?>("--project-dir") { Description = "The dbt project folder (default: the current folder)" };
        var port = new Option<int>("--port") { Description = "Port to listen on (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Serve the documentation site of target/ (models, columns, tests with last results, lineage) until Ctrl-C") { projectDir, port, host };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var dir = parsed.GetValue(projectDir) is { } d ? Path.Combine(io.WorkingDirectory, d) : io.WorkingDirectory;
            var target = Path.Combine(dir, "target");
            if (!File.Exists(Path.Combine(target, "index.html")))
            {
                throw new CliException($"{target} has no documentation site: run 'millwright dbt docs generate' first");
            }

            var app = Web.Docs.DocsSites.BuildServer(target, new Uri($"http://{parsed.GetValue(host)}:{parsed.GetValue(port)}"));
            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new CliException($"cannot listen on port {parsed.GetValue(port)}: {e.Message}");
                }

                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
                await io.Out.WriteLineAsync($"Serving the docs of {dir} at {address}").ConfigureAwait(false);
                await io.Out.WriteLineAsync("Press Ctrl-C to stop.").ConfigureAwait(false);
                await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        return command;
    }

    private static Command OperationVerb(CommandContext context)
    {
        var flags = new Flags();
        var macro = new Argument<string>("MACRO") { Description = "The macro to call" };
        var args = new Option<string?>("--args") { Description = "Its arguments as a YAML or JSON mapping, e.g. '{table: orders, days: 7}'" };
        var command = new Command("run-operation", "Call a macro of the project (run_query, statements, grants, housekeeping)") { macro, args };
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var options = Options(context, parsed, flags) with
            {
                Operation = parsed.GetValue(macro),
                OperationArgs = parsed.GetValue(args),
                OnMessage = message => Line(io, message),
            };
            try
            {
                var summary = await DbtRunner.RunAsync(DbtCommand.RunOperation, options, cancellationToken).ConfigureAwait(false);
                Line(io, $"Ran {parsed.GetValue(macro)} in {Seconds(summary.Elapsed)}");
                return MillwrightCli.Ok;
            }
            catch (ModelingException e)
            {
                Line(io, "Encountered an error while running operation:");
                foreach (var line in e.Message.Split('\n'))
                {
                    Line(io, "  " + line.TrimEnd());
                }

                return MillwrightCli.Failure;
            }
        });
        return command;
    }

    private static Command ListVerb(CommandContext context, string name)
    {
        var flags = new Flags();
        var resourceType = new Option<string[]>("--resource-type") { Description = "Only these resource types: model, seed, test, source", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "selector (default), name, path or json", DefaultValueFactory = _ => "selector" };
        output.AcceptOnlyFromAmong("selector", "name", "path", "json");
        var command = new Command(name, "List the selected nodes") { resourceType, output };
        foreach (var option in flags.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var options = Options(context, parsed, flags) with
            {
                ResourceTypes = parsed.GetValue(resourceType) ?? [],
                OnMessage = message => io.Error.WriteLine(message),
            };
            var summary = await DbtRunner.RunAsync(DbtCommand.List, options, cancellationToken).ConfigureAwait(false);
            foreach (var node in summary.Nodes)
            {
                var text = parsed.GetValue(output) switch
                {
                    "name" => node.Name,
                    "path" => node.OriginalFilePath,
                    "json" => JsonSerializer.Serialize(new Dictionary<string, string?>
                    {
                        ["unique_id"] = node.UniqueId,
                        ["name"] = node.Name,
                        ["resource_type"] = node.ResourceType,
                        ["original_file_path"] = node.OriginalFilePath,
                        ["relation"] = node.Relation,
                    }),
                    _ => node.Selector,
                };
                await io.Out.WriteLineAsync(text).ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        return command;
    }

    private static DbtOptions Options(CommandContext context, ParseResult parsed, Flags flags)
    {
        var io = context.Io;
        var projectDir = parsed.GetValue(flags.ProjectDir) is { } dir ? Path.Combine(io.WorkingDirectory, dir) : io.WorkingDirectory;
        var profilesDir = parsed.GetValue(flags.ProfilesDir) is { } p ? Path.Combine(io.WorkingDirectory, p) : null;
        var environment = io.Environment;
        Func<string, string?> variable = environment is null ? Environment.GetEnvironmentVariable : name => environment.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);

        // A pipeline's project in a workspace runs as the orchestrator runs it: on the workspace's warehouse, unless
        // a profile is named (--profiles-dir, DBT_PROFILES_DIR) or the project has its own profiles.yml.
        DbtConnection? connection = null;
        if (profilesDir is null && string.IsNullOrEmpty(variable("DBT_PROFILES_DIR")))
        {
            var loaded = context.LoadSettings(parsed);
            connection = Pipelines.WorkspaceDbt.ConnectionFor(loaded.Workspace.PipelinesDirectory, loaded.Settings.Warehouse.Options, projectDir);
        }

        return new DbtOptions
        {
            ProjectDir = projectDir,
            ProfilesDir = profilesDir,
            Connection = connection,
            Target = parsed.GetValue(flags.Target),
            Select = parsed.GetValue(flags.Select) ?? [],
            Exclude = parsed.GetValue(flags.Exclude) ?? [],
            IndirectSelection = parsed.GetValue(flags.IndirectSelection) switch
            {
                "cautious" => Modeling.IndirectSelection.Cautious,
                "buildable" => Modeling.IndirectSelection.Buildable,
                "empty" => Modeling.IndirectSelection.Empty,
                _ => Modeling.IndirectSelection.Eager,
            },
            Vars = parsed.GetValue(flags.Vars),
            FullRefresh = parsed.GetValue(flags.FullRefresh),
            Threads = parsed.GetValue(flags.Threads),
            FailFast = parsed.GetValue(flags.FailFast),
            StoreFailures = parsed.GetValue(flags.StoreFailures),
            Environment = variable,
        };
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    private static void Line(CliIo io, string text)
    {
        // Nodes finish on several threads; one line at a time.
        lock (io)
        {
            io.Out.WriteLine($"{DateTime.Now:HH:mm:ss}  {text}");
        }
    }

    internal static string NodeLine(NodeResult r)
    {
        var (left, right) = (r.ResourceType, r.Status) switch
        {
            ("seed", NodeStatus.Success) => ($"OK loaded seed file {r.Description}", r.Message),
            ("snapshot", NodeStatus.Success) => ($"OK snapshotted {r.Description}", "OK"),
            ("model", NodeStatus.Success) => (r.Message.StartsWith("compiled", StringComparison.Ordinal) ? $"OK compiled model {r.Description}" : r.Message.Replace("OK created", "OK created", StringComparison.Ordinal), r.Message.StartsWith("compiled", StringComparison.Ordinal) ? "COMPILED" : "OK"),
            ("test", NodeStatus.Success) => ($"OK compiled test {r.Description}", "COMPILED"),
            ("source", _) => ($"{(r.Status switch { NodeStatus.Pass => "PASS", NodeStatus.Warn => "WARN", NodeStatus.Fail => "ERROR STALE", _ => "ERROR" })} freshness of {r.Description}", r.Status switch { NodeStatus.Pass => "PASS", NodeStatus.Warn => "WARN", NodeStatus.Fail => "ERROR STALE", _ => "ERROR" }),
            (_, NodeStatus.Pass) => ($"PASS {r.Description}", "PASS"),
            (_, NodeStatus.Fail) => ($"FAIL {r.Failures} {r.Description}", $"FAIL {r.Failures}"),
            (_, NodeStatus.Warn) => ($"WARN {r.Failures} {r.Description}", $"WARN {r.Failures}"),
            (_, NodeStatus.Skipped) => ($"SKIP {r.ResourceType} {r.Description}", "SKIP"),
            _ => ($"ERROR {(r.ResourceType is "test" or "unit_test" ? "" : "creating ")}{r.ResourceType} {r.Description}", "ERROR"),
        };
        var prefix = $"{r.Index} of {r.Total} {left} ";
        var dots = new string('.', Math.Max(3, 80 - prefix.Length));
        var timing = r.Status == NodeStatus.Skipped ? "" : " in " + Seconds(r.Duration);
        return $"{prefix}{dots} [{right}{timing}]";
    }

    private static void Summarize(CliIo io, DbtCommand kind, DbtRunSummary summary)
    {
        var counts = summary.Results
            .GroupBy(r => r.ResourceType)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key switch { "test" => "data test", "unit_test" => "unit test", var other => other }}{(g.Count() == 1 ? "" : "s")}");
        Line(io, "");
        Line(io, $"Finished running {string.Join(", ", counts)} in {Seconds(summary.Elapsed)}.");
        var problems = summary.Results.Where(r => r.Status is NodeStatus.Error or NodeStatus.Fail or NodeStatus.Warn).ToList();
        Line(io, "");
        if (summary.Errored == 0)
        {
            Line(io, summary.Warned == 0 ? "Completed successfully" : $"Completed with {summary.Warned} warning{(summary.Warned == 1 ? "" : "s")}:");
        }
        else
        {
            Line(io, $"Completed with {summary.Errored} error{(summary.Errored == 1 ? "" : "s")}, {summary.Warned} warning{(summary.Warned == 1 ? "" : "s")} and {summary.Skipped} skipped:");
        }

        foreach (var problem in problems)
        {
            Line(io, "");
            Line(io, $"{(problem.Status == NodeStatus.Warn ? "Warning" : "Failure")} in {problem.ResourceType} {problem.Name}");
            foreach (var line in problem.Message.Split('\n'))
            {
                Line(io, "  " + line.TrimEnd());
            }

            if (problem.CompiledPath is not null && problem.ResourceType is "test" or "unit_test")
            {
                Line(io, "  compiled code at " + Path.GetRelativePath(io.WorkingDirectory, problem.CompiledPath));
            }
        }

        Line(io, "");
        var total = summary.Results.Count;
        Line(io, kind is DbtCommand.Compile or DbtCommand.DocsGenerate
            ? $"Done. COMPILED={summary.Passed} ERROR={summary.Errored} TOTAL={total}{(kind == DbtCommand.DocsGenerate ? $"; catalog written to {Path.Combine(summary.TargetPath, "catalog.json")}" : "")}"
            : string.Create(CultureInfo.InvariantCulture, $"Done. PASS={summary.Passed} WARN={summary.Warned} ERROR={summary.Errored} SKIP={summary.Skipped} TOTAL={total}"));
    }
}

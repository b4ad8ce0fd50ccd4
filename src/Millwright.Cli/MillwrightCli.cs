using System.CommandLine;
using Millwright.Cli.Commands;
using Millwright.Warehouse;
using Millwright.Workspace;

namespace Millwright.Cli;

/// <summary>The <c>millwright</c> command line: parses, runs one verb, maps failures to exit codes.</summary>
internal static class MillwrightCli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;

    /// <summary>
    /// Runs one command line. A verb that uses the warehouse or the orchestrator, typed while the workspace's
    /// `millwright up` runs, runs on that host (<see cref="HostRelay"/>).
    /// </summary>
    public static Task<int> RunAsync(string[] args, CliIo io, CancellationToken cancellationToken = default) => RunAsync(args, io, null, cancellationToken);

    /// <summary>Runs one command line; <paramref name="host"/> is set when this call is a relayed run inside the host.</summary>
    public static async Task<int> RunAsync(string[] args, CliIo io, Web.Cli.HostSession? host, CancellationToken cancellationToken)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("Millwright: a data platform for maintenance and manufacturing analytics.");
        globals.AddTo(root);
        var context = new CommandContext(io, globals, host);
        root.Subcommands.Add(InitCommand.Create(context));
        root.Subcommands.Add(NewCommand.Create(context));
        root.Subcommands.Add(UpCommand.Create(context));
        root.Subcommands.Add(LogsCommand.Create(context));
        root.Subcommands.Add(CleanupCommand.Create(context));
        root.Subcommands.Add(SqlCommand.Create(context));
        root.Subcommands.Add(WarehouseCommand.Create(context));
        root.Subcommands.Add(OpsCommand.Create(context));
        root.Subcommands.Add(ConfigCommand.Create(context));
        root.Subcommands.Add(DbtCliCommand.Create(context));
        root.Subcommands.Add(IngestCommand.Create(context));
        root.Subcommands.Add(SimulateCommand.Create(context));
        root.Subcommands.Add(MlCommand.Create(context));
        foreach (var command in AccountCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in BackupCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in OrchestrationCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await io.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await io.Error.WriteLineAsync("Run 'millwright --help' for usage.").ConfigureAwait(false);
            return Usage;
        }

        var verbose = parsed.GetValue(globals.Verbose);
        try
        {
            if (host is null && HostRelay.Find(parsed, context) is { } live)
            {
                return await HostRelay.RunAsync(live, args, io, cancellationToken).ConfigureAwait(false);
            }

            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = io.Out,
                Error = io.Error,
                EnableDefaultExceptionHandler = false,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await io.Error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            await io.Error.WriteLineAsync("error: " + OneLine(e.Message)).ConfigureAwait(false);
            if (verbose)
            {
                await io.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return Failure;
        }
        catch (Exception e)
        {
            await io.Error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {OneLine(e.Message)}").ConfigureAwait(false);
            await io.Error.WriteLineAsync(verbose ? e.ToString() : "Run again with --verbose for the stack trace.").ConfigureAwait(false);
            return Failure;
        }
    }

    private static bool IsUserFacing(Exception e) =>
        e is CliException or SettingsException or HttpRequestException or WarehouseException or Modeling.ModelingException or Orchestration.OrchestrationException or Pipelines.PipelineException or Ingestion.IngestionException or Simulation.SimulationException or IOException or UnauthorizedAccessException or FormatException
            or System.Data.Common.DbException;

    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}

/// <summary>Options every verb takes.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Workspace { get; } = new("--workspace", "-w")
    {
        Description = "The workspace folder (default: the nearest folder with a millwright.yml, else the current folder)",
        Recursive = true,
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a setting, e.g. --set warehouse.provider=postgres (repeatable; wins over millwright.yml and MILLWRIGHT__ variables)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show stack traces with errors",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Workspace);
        root.Options.Add(Set);
        root.Options.Add(Verbose);
    }
}

/// <summary>What a verb needs: the console, how to load the workspace's settings, and the host it runs on, if any.</summary>
internal sealed class CommandContext(CliIo io, GlobalOptions globals, Web.Cli.HostSession? host = null)
{
    public CliIo Io => io;

    public GlobalOptions Globals => globals;

    /// <summary>The running host this verb was sent to (its stores and orchestrator), or null in a process of its own.</summary>
    public Web.Cli.HostSession? Host => host;

    /// <summary>The workspace the command line names (--workspace) or stands in, whether or not it exists.</summary>
    public WorkspaceLayout Layout(ParseResult parsed)
    {
        var workspace = parsed.GetValue(globals.Workspace);
        return workspace is null
            ? WorkspaceLayout.Discover(io.WorkingDirectory)
            : WorkspaceLayout.At(Path.Combine(io.WorkingDirectory, workspace));
    }

    /// <summary>
    /// The workspace's settings. Outside a workspace (no millwright.yml here or above) this fails, so that no verb but
    /// <c>init</c>, <c>new</c> and <c>up</c> leaves a .millwright/ in a folder that was not one; <paramref name="requireWorkspace"/>
    /// false lets a verb that only reads (config show) run on the defaults.
    /// </summary>
    public LoadedSettings LoadSettings(ParseResult parsed, IReadOnlyDictionary<string, string>? extra = null, bool requireWorkspace = true)
    {
        var workspace = parsed.GetValue(globals.Workspace);
        var layout = Layout(parsed);
        if (workspace is not null && !Directory.Exists(layout.Root))
        {
            throw new CliException($"workspace folder {layout.Root} does not exist (run 'millwright init {workspace}' to create it)");
        }

        if (requireWorkspace && !layout.HasConfigFile)
        {
            throw new CliException(workspace is null
                ? $"not in a Millwright workspace: neither {io.WorkingDirectory} nor a folder above it holds a millwright.yml (run `millwright init` to create one here, or pass --workspace DIR)"
                : $"{layout.Root} is not a Millwright workspace: it holds no millwright.yml (run `millwright init {workspace}` to make it one)");
        }

        var overrides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var assignment in parsed.GetValue(globals.Set) ?? [])
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"--set {assignment}: expected KEY=VALUE, e.g. --set web.port=8080");
            }

            overrides[assignment[..eq].Trim()] = assignment[(eq + 1)..];
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            overrides[key] = value;
        }

        var loaded = SettingsLoader.Load(layout, overrides, io.Environment);
        foreach (var warning in loaded.Warnings)
        {
            io.Error.WriteLine("warning: " + warning);
        }

        return loaded;
    }

    /// <summary>The workspace's warehouse: on the host, the host's own (lent); else opened for this command.</summary>
    public IWarehouse OpenWarehouse(LoadedSettings loaded)
    {
        var options = loaded.Settings.Warehouse.Options;
        return host is not null && host.WarehouseOptions == options ? host.Warehouse : Warehouses.Open(options);
    }
}

using System.CommandLine;
using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.EntityFrameworkCore;
using Millwright.Simulation;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Millwright.Web;
using Millwright.Web.Security;
using Millwright.Workspace;

namespace Millwright.Cli.Commands;

internal static class UpCommand
{
    public static Command Create(CommandContext context)
    {
        var port = new Option<int?>("--port", "-p") { Description = "Port to listen on (default: web.port, 5000; 0 picks a free port)" };
        var host = new Option<string?>("--host") { Description = "Address to listen on (default: web.host, 127.0.0.1)" };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not fill an empty operational store with simulated demo history" };
        var logFormat = new Option<Millwright.Web.Logging.LogFormat>("--log-format") { Description = "The console log: text (a line per event) or json (an object per event, with run, step, asset, correlation id and user); .millwright/logs/ always holds JSON lines (`millwright logs`)", DefaultValueFactory = _ => Millwright.Web.Logging.LogFormat.Text };
        var command = new Command("up", "Run Millwright: the web app, APIs, /health and the orchestration daemon for this workspace, until Ctrl-C; an empty workspace gets simulated demo history") { port, host, noDemo, logFormat };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var extra = new Dictionary<string, string>();
            if (parsed.GetValue(port) is { } p)
            {
                extra["web.port"] = p.ToString(CultureInfo.InvariantCulture);
            }

            if (parsed.GetValue(host) is { } h)
            {
                extra["web.host"] = h;
            }

            // A folder that does not exist yet, or is empty and in no workspace, becomes a new workspace with the
            // shipped pipelines, as `millwright init` makes it.
            var folder = parsed.GetValue(context.Globals.Workspace) is { } w ? Path.Combine(io.WorkingDirectory, w) : io.WorkingDirectory;
            if (!Directory.Exists(folder) || (!Directory.EnumerateFileSystemEntries(folder).Any() && !WorkspaceLayout.Discover(folder).HasConfigFile))
            {
                await InitCommand.CreateAsync(io, folder, name: null, withPipelines: true).ConfigureAwait(false);
            }

            var loaded = context.LoadSettings(parsed, extra);
            using var owner = WorkspaceLock.Acquire(loaded.Workspace);
            var settings = loaded.Settings;
            var url = settings.Web.Url;
            var secret = HostOwner.Create();
            var app = MillwrightHost.Build(loaded, logFormat: parsed.GetValue(logFormat), owner: secret, relay: new HostRelay.Runner());
            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new CliException($"cannot listen on {url}: {e.Message}");
                }

                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? url.ToString();
                owner.Announce(new Uri(address), secret.Secret!);
                await io.Out.WriteLineAsync($"Millwright '{settings.Name}' is running at {address}").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  workspace  {loaded.Workspace.Root}").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  warehouse  {settings.Warehouse.ProviderName} {settings.Warehouse.Target}").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  operations {settings.Operations.Provider.ToConfigName()} {settings.Operations.Target}").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  runs       {settings.Orchestration.Store.Provider.ToConfigName()} {settings.Orchestration.Store.Target} (daemon: schedules, sensors, automation, backfills)").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  api        {address.TrimEnd('/')}/api/ops, {address.TrimEnd('/')}/api/orchestration").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  health     {address.TrimEnd('/')}/health").ConfigureAwait(false);
                await io.Out.WriteLineAsync($"  sign in    {address.TrimEnd('/')}/signin (users: `millwright users`, API tokens: `millwright tokens`)").ConfigureAwait(false);
                if (!settings.Web.IsLoopback && !settings.Web.Tls)
                {
                    await io.Error.WriteLineAsync($"warning: listening on {settings.Web.Host} without TLS: passwords, cookies and tokens cross the network in clear text; set web.tls.certificate and web.tls.key, or put Millwright behind a TLS proxy").ConfigureAwait(false);
                }

                if (app.Services.GetRequiredService<Millwright.Web.FirstRun>() is { AdminPassword: { } password } firstRun)
                {
                    await io.Out.WriteLineAsync(firstRun.Generated
                        ? $"First run: created user 'admin' (ADMIN) with password {password}\n  It is shown only now: sign in and keep it safe (`millwright users password admin` changes it)."
                        : "First run: created user 'admin' (ADMIN) with the password in MILLWRIGHT_ADMIN_PASSWORD.").ConfigureAwait(false);
                }

                await io.Out.WriteLineAsync("Press Ctrl-C to stop.").ConfigureAwait(false);
                await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                Task firstBuild = Task.CompletedTask;
                if (!parsed.GetValue(noDemo) && await DemoHistoryAsync(context, loaded, cancellationToken).ConfigureAwait(false))
                {
                    firstBuild = FirstBuildAsync(context, app, cancellationToken);
                }

                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                await firstBuild.ConfigureAwait(false);
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await io.Out.WriteLineAsync("Millwright stopped.").ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        return command;
    }

    /// <summary>Present while the demo history is being written (.millwright/demo.partial, holding when it started).</summary>
    internal const string DemoMarker = "demo.partial";

    /// <summary>
    /// An operational store with no vehicles or machines gets a year of a 150-vehicle business (the shop's last 120 days) from the simulator
    /// (seed 42), written while the host already serves, so every page has data. Stopping meanwhile keeps what was
    /// written (each step is its own transaction).
    /// </summary>
    private static async Task<bool> DemoHistoryAsync(CommandContext context, LoadedSettings loaded, CancellationToken cancellationToken)
    {
        var io = context.Io;
        var partial = Path.Combine(loaded.Workspace.StateDirectory, DemoMarker);
        await using (var store = MillwrightHost.OpenOperations(loaded.Settings.Operations))
        {
            await using var db = store.CreateContext();
            if (await db.Assets.AnyAsync(cancellationToken).ConfigureAwait(false))
            {
                if (File.Exists(partial))
                {
                    await io.Error.WriteLineAsync($"warning: the demo history started {(await File.ReadAllTextAsync(partial, cancellationToken).ConfigureAwait(false)).Trim()} was stopped part-way (its process ended before it finished): the operational store holds only part of the year, and its first build never ran. For the whole demo, run `millwright up` in a new folder; to keep what is here, delete {partial}.").ConfigureAwait(false);
                }

                return false;
            }
        }

        var options = new SimulationOptions { Seed = 42, Scale = 0.3, Days = 365, RetailDays = 120, OutputDirectory = loaded.Workspace.Resolve(Path.Combine("landing", "simulated")) };
        await io.Out.WriteLineAsync($"An empty workspace: writing demo history ({options.Days} days of a 150-vehicle fleet, its workshops and a plant, and {options.RetailDays} days of a shop; `up --no-demo` skips this)").ConfigureAwait(false);
        await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Until the history is whole, a marker says it is being written: a process killed meanwhile is told at the next `up`.
            await File.WriteAllTextAsync(partial, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            var summary = await SimulateCommand.RunAsync(context, loaded, options, cancellationToken).ConfigureAwait(false);
            File.Delete(partial);
            var t = summary.Totals;
            await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Demo history ready in {summary.Elapsed.TotalSeconds:0.0} s: {t.Vehicles} vehicles, {t.ServiceOrders:N0} service orders, {t.TelemetryReadings:N0} telemetry readings, {t.ProductionRuns:N0} production runs, {t.RetailOrders:N0} retail orders")).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await io.Out.WriteLineAsync("Demo history stopped part-way; what was written stays.").ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// After the demo history, one run builds every pipeline (extraction, dataset loads, models, tests) on the daemon,
    /// and `up` says when it has finished, so a new workspace shows its KPIs without a command.
    /// </summary>
    private static async Task FirstBuildAsync(CommandContext context, Microsoft.AspNetCore.Builder.WebApplication app, CancellationToken cancellationToken)
    {
        var io = context.Io;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        cancellationToken = stop.Token;
        try
        {
            if (await Millwright.Web.Orchestration.FirstBuild.QueueAsync(app, cancellationToken).ConfigureAwait(false) is not { } build)
            {
                return;
            }

            await io.Out.WriteLineAsync($"First build: run {build.Run.RunId} extracts the operational store and builds the {build.Pipelines} pipeline(s), {build.Run.Assets.Count} assets (`millwright runs show {build.Run.RunId}`)").ConfigureAwait(false);
            await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            var run = await build.FinishedAsync(cancellationToken).ConfigureAwait(false);
            var took = run.StartedAt is { } s && run.EndedAt is { } e ? string.Create(CultureInfo.InvariantCulture, $" in {(e - s).TotalSeconds:0.0} s") : "";
            await io.Out.WriteLineAsync(run.Status == Millwright.Orchestration.Storage.RunStatus.Success
                ? $"First build succeeded{took}: the KPIs are in the warehouse (`millwright sql \"select * from marts.mart_executive_kpis\"`)"
                : $"First build {run.Status.ToString().ToUpperInvariant()}{took}: `millwright runs show {run.RunId}` says why").ConfigureAwait(false);
            await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException e)
        {
            await io.Error.WriteLineAsync($"First build not started: the pipelines did not load: {e.Message} (fix the pipeline; `up` loads it again by itself)").ConfigureAwait(false);
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using Millwright.Simulation;
using Millwright.Web;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary>millwright simulate: a deterministic history of the fleet, the workshop, the plant and the shop.</summary>
internal static class SimulateCommand
{
    public static Command Create(CommandContext context)
    {
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed on an empty store writes the same rows", DefaultValueFactory = _ => 42 };
        var scale = new Option<double>("--scale") { Description = "Size of the business: 1 = 500 vehicles, three workshops, a plant of three lines", DefaultValueFactory = _ => 1.0 };
        var days = new Option<int>("--days") { Description = "Days of history", DefaultValueFactory = _ => 365 };
        var start = new Option<string?>("--start") { Description = "First simulated day, yyyy-MM-dd (default: --days before today)" };
        var only = new Option<string[]>("--only") { Description = "Simulate only these: fleet, manufacturing, retail", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--output") { Description = "Folder for process-parameter (AI4I-shaped) and retail files (default: landing/simulated in the workspace)" };
        var follow = new Option<bool>("--follow") { Description = "After the history, keep producing events in real time until Ctrl-C" };
        var speed = new Option<double>("--speed") { Description = "With --follow: simulated seconds per real second", DefaultValueFactory = _ => 1.0 };
        var followFor = new Option<double?>("--follow-for") { Description = "With --follow: stop after this many simulated hours (default: until Ctrl-C)" };
        var viaApi = new Option<string?>("--via-api") { Description = "Drive a running Millwright's /api/ops at this URL instead of writing the store directly; runs live from now (implies --follow, no history)" };
        var retailRate = new Option<double?>("--retail-orders-per-day") { Description = "Retail orders on an ordinary weekday (default: 140 x scale); with --follow and --stream, the rate batches are posted at" };
        var stream = new Option<string?>("--stream") { Description = "Post each hour's retail orders to this Millwright's stream load (e.g. http://127.0.0.1:5000); needs --token of an OPERATOR" };
        var token = new Option<string?>("--token") { Description = "API token for --via-api (a user with the ADMIN role) and --stream (OPERATOR); default: the MILLWRIGHT_TOKEN environment variable" };
        var command = new Command("simulate", "Write a deterministic history into the operational store: fleet telemetry and breakdowns, the workshop's orders, stock and invoices, plant production; retail orders as files or a stream")
        {
            seed, scale, days, start, only, output, follow, followFor, speed, viaApi, stream, retailRate, token,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var loaded = context.LoadSettings(parsed);
            var parts = parsed.GetValue(only) is { Length: > 0 } o ? o.Select(x => x.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal) : null;
            foreach (var unknown in parts?.Where(p => p is not ("fleet" or "manufacturing" or "retail")) ?? [])
            {
                throw new CliException($"--only {unknown}: expected fleet, manufacturing or retail");
            }

            DateTime? first = null;
            if (parsed.GetValue(start) is { } s)
            {
                first = DateTime.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
                    ? d : throw new CliException($"--start {s}: expected a date as yyyy-MM-dd");
            }

            using var http = new HttpClient();
            Func<RetailBatch, CancellationToken, Task>? sink = null;
            string Token(string option) =>
                parsed.GetValue(token) ?? io.Variable("MILLWRIGHT_TOKEN")
                ?? throw new CliException($"{option} needs an API token: --token or MILLWRIGHT_TOKEN (`millwright tokens create --user NAME`)");
            if (parsed.GetValue(stream) is { } url)
            {
                http.BaseAddress = new Uri(url.TrimEnd('/') + "/");
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("--stream"));
                sink = (batch, ct) => PostAsync(http, batch, ct);
            }

            var api = parsed.GetValue(viaApi);
            if (api is not null && (parsed.GetResult(days) is { Implicit: false } || parsed.GetValue(start) is not null))
            {
                throw new CliException("--via-api runs live from now on the server's clock: it takes no --days or --start");
            }

            var options = new SimulationOptions
            {
                // A day per transaction, unless a running host (its web app, its daemon) writes to the store meanwhile.
                DayTransactions = Workspace.WorkspaceLock.FindLive(loaded.Workspace) is null,
                Seed = parsed.GetValue(seed),
                Scale = parsed.GetValue(scale),
                Days = api is null ? parsed.GetValue(days) : 0,
                Start = first,
                Fleet = parts?.Contains("fleet") ?? true,
                Manufacturing = parts?.Contains("manufacturing") ?? true,
                Retail = parts?.Contains("retail") ?? true,
                OutputDirectory = loaded.Workspace.Resolve(parsed.GetValue(output) ?? Path.Combine("landing", "simulated")),
                Follow = parsed.GetValue(follow) || api is not null,
                FollowFor = parsed.GetValue(followFor) is { } hours ? TimeSpan.FromHours(hours) : null,
                Speed = parsed.GetValue(speed),
                RetailSink = sink,
                RetailOrdersPerDay = parsed.GetValue(retailRate),
            };
            SimulationSummary summary;
            if (api is not null)
            {
                using var client = new HttpClient { BaseAddress = new Uri(api.TrimEnd('/') + "/") };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token("--via-api"));
                summary = await Simulator.RunViaApiAsync(client, options with { Progress = new Progress(p => io.Error.WriteLine($"simulated {p.Day:yyyy-MM-dd} through {api}: {p.Totals.ServiceOrders:N0} service orders, {p.Totals.TelemetryReadings:N0} readings")) }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                summary = await RunAsync(context, loaded, options, cancellationToken).ConfigureAwait(false);
            }

            Print(io, summary, options);
            return MillwrightCli.Ok;
        });
        return command;
    }

    /// <summary>Runs a simulation into the workspace's operational store with a progress bar (or progress lines when not interactive).</summary>
    public static async Task<SimulationSummary> RunAsync(CommandContext context, Workspace.LoadedSettings loaded, SimulationOptions options, CancellationToken cancellationToken)
    {
        var io = context.Io;
        var operations = loaded.Settings.Operations;
        Task<SimulationSummary> Run(IProgress<SimulationProgress>? progress) =>
            Simulator.RunAsync(clock => MillwrightHost.OpenOperations(operations, clock), options with { Progress = progress }, cancellationToken);

        if (!io.Interactive || options.Follow)
        {
            var lastMonth = -1;
            return await Run(new Progress(p =>
            {
                if (p.Day.Month != lastMonth || p.DaysDone == p.DaysTotal)
                {
                    lastMonth = p.Day.Month;
                    io.Error.WriteLine($"simulated {p.Day:yyyy-MM-dd} ({p.DaysDone}/{p.DaysTotal} days): {p.Totals.ServiceOrders:N0} service orders, {p.Totals.TelemetryReadings:N0} readings");
                }
            })).ConfigureAwait(false);
        }

        SimulationSummary? summary = null;
        await io.ErrorConsole.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask($"simulating {options.Days} days", maxValue: Math.Max(1, options.Days));
            summary = await Run(new Progress(p =>
            {
                task.Value = p.DaysDone;
                task.Description = $"{p.Day:yyyy-MM-dd}  {p.Totals.ServiceOrders:N0} orders";
            })).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return summary!;
    }

    private static void Print(CliIo io, SimulationSummary summary, SimulationOptions options)
    {
        var t = summary.Totals;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("what", "rows");
        void Row(string what, long count) => table.AddRow(what, count.ToString("N0", CultureInfo.InvariantCulture));
        Row("vehicles", t.Vehicles);
        Row("mechanics", t.Mechanics);
        Row("machines", t.Equipment);
        Row("telemetry readings", t.TelemetryReadings);
        Row("charge sessions", t.ChargeSessions);
        Row("battery health snapshots", t.BatteryHealthSnapshots);
        Row("alerts", t.Alerts);
        Row("service orders", t.ServiceOrders);
        Row("  of which breakdowns", t.Breakdowns);
        Row("  completed", t.CompletedOrders);
        Row("work events", t.WorkEvents);
        Row("parts issued", t.PartsIssued);
        Row("purchase orders", t.PurchaseOrders);
        Row("invoices", t.Invoices);
        Row("production runs", t.ProductionRuns);
        Row("machine state events", t.EquipmentStateEvents);
        Row("process samples (AI4I)", t.ProcessSamples);
        Row("retail orders", t.RetailOrders);
        Row("retail order lines", t.RetailOrderLines);
        io.Console.Write(table);
        io.Console.MarkupLine(Markup.Escape($"Simulated {summary.Start:yyyy-MM-dd} to {summary.End:yyyy-MM-dd} (seed {options.Seed}, scale {options.Scale.ToString(CultureInfo.InvariantCulture)}) in {summary.Elapsed.TotalSeconds:0.0} s; files under {options.OutputDirectory}."));
    }

    private static async Task PostAsync(HttpClient http, RetailBatch batch, CancellationToken cancellationToken)
    {
        using var content = new StringContent(batch.JsonLines, System.Text.Encoding.UTF8, "application/x-ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/ingest/{batch.Source}") { Content = content };
        request.Headers.Add("label", batch.Label);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new CliException($"stream load of {batch.Label} to {http.BaseAddress}api/ingest/{batch.Source} failed: {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>Reports synchronously on the simulation's thread (System.Progress would post to the thread pool and reorder lines).</summary>
    private sealed class Progress(Action<SimulationProgress> report) : IProgress<SimulationProgress>
    {
        public void Report(SimulationProgress value) => report(value);
    }
}

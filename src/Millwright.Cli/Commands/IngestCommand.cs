using System.CommandLine;
using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Datasets;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;
using Millwright.Workspace;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary>millwright ingest file | dataset | status | quarantine: loads into the raw layer under data contracts.</summary>
internal static class IngestCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("ingest", "Load files into the raw layer under data contracts: validation, quarantine, audit");
        command.Subcommands.Add(FileVerb(context));
        command.Subcommands.Add(DatasetVerb(context));
        command.Subcommands.Add(DbVerb(context));
        command.Subcommands.Add(StatusVerb(context));
        command.Subcommands.Add(QuarantineVerb(context));
        return command;
    }

    private static (IWarehouse Warehouse, FileIngestor Ingestor, LoadedSettings Loaded) Open(CommandContext context, ParseResult parsed)
    {
        var loaded = context.LoadSettings(parsed);
        var warehouse = context.OpenWarehouse(loaded);
        return (warehouse, new FileIngestor(warehouse, new IngestionOptions { RawLayerPath = Path.Combine(loaded.Workspace.StateDirectory, "raw"), OnStep = FaultPoints.Hook(context.Io.Variable, context.Io.Error) }), loaded);
    }

    /// <summary>
    /// In a process of its own, a load first puts right what an earlier killed load left (the host does it when it
    /// starts, and a verb sent to it finds it done), and says what it removed.
    /// </summary>
    private static async Task RecoverAsync(CommandContext context, LoadedSettings loaded, CancellationToken ct)
    {
        if (context.Host is not null)
        {
            return;
        }

        var report = await Pipelines.WorkspaceOrchestration.RecoverLoadsAsync(loaded, ct).ConfigureAwait(false);
        foreach (var (table, rows) in report.Rows)
        {
            await context.Io.Error.WriteLineAsync($"recovered: removed {rows:N0} row(s) of {table} that no committed load accounts for").ConfigureAwait(false);
        }

        if (report.RawCopies.Count + report.WorkTables.Count > 0)
        {
            await context.Io.Error.WriteLineAsync($"recovered: removed {report.RawCopies.Count} Parquet copie(s) and {report.WorkTables.Count} work table(s) of loads that never committed").ConfigureAwait(false);
        }
    }

    /// <summary>A contract by file path, or by source name from pipelines/*/contracts/.</summary>
    private static DataContract FindContract(LoadedSettings loaded, string io, string nameOrPath)
    {
        var path = Path.Combine(io, nameOrPath);
        return File.Exists(path)
            ? DataContract.Load(path)
            : ContractCatalog.Load(loaded.Workspace.PipelinesDirectory).Find(nameOrPath)
                ?? throw new CliException($"no contract '{nameOrPath}': give a contract file, or add pipelines/<pipeline>/contracts/{nameOrPath}.yml");
    }

    private static Command FileVerb(CommandContext context)
    {
        var files = new Argument<string[]>("files") { Description = "CSV, TSV, JSON lines or Parquet files (gzip too)", Arity = ArgumentArity.OneOrMore };
        var contract = new Option<string>("--contract", "-c") { Description = "The contract: a file, or a name in pipelines/*/contracts/", Required = true };
        var constants = new Option<string[]>("--const") { Description = "A value for a constant column, NAME=VALUE (repeatable)" };
        var verb = new Command("file", "Load files under a contract; a file already loaded is skipped") { files, contract, constants };
        verb.SetAction(async (parsed, ct) =>
        {
            var (warehouse, ingestor, loaded) = Open(context, parsed);
            await using (warehouse.ConfigureAwait(false))
            {
                var dataContract = FindContract(loaded, context.Io.WorkingDirectory, parsed.GetValue(contract)!);
                await RecoverAsync(context, loaded, ct).ConfigureAwait(false);
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var assignment in parsed.GetValue(constants) ?? [])
                {
                    var eq = assignment.IndexOf('=', StringComparison.Ordinal);
                    values[eq > 0 ? assignment[..eq] : throw new CliException($"--const {assignment}: expected NAME=VALUE")] = assignment[(eq + 1)..];
                }

                var paths = parsed.GetValue(files)!.Select(f => Path.Combine(context.Io.WorkingDirectory, f)).ToList();
                var results = await RunAsync(context, paths.Select(p => (p, dataContract, (IReadOnlyDictionary<string, string>)values)).ToList(), ingestor, ct).ConfigureAwait(false);
                return await SummarizeAsync(context, ingestor, results, ct).ConfigureAwait(false);
            }
        });
        return verb;
    }

    private static Command DatasetVerb(CommandContext context)
    {
        var name = new Argument<string>("name") { Description = $"One of: {string.Join(", ", PublicDatasets.Names)}" };
        var from = new Option<string?>("--from") { Description = "The datasets folder (default: MILLWRIGHT_DATASETS); nothing is downloaded" };
        var verb = new Command("dataset", "Load a public dataset (AI4I 2020, C-MAPSS, SECOM, car features) from a local folder under its contract") { name, from };
        verb.SetAction(async (parsed, ct) =>
        {
            var folder = parsed.GetValue(from) is { } f ? Path.Combine(context.Io.WorkingDirectory, f)
                : context.Io.Environment?.GetValueOrDefault("MILLWRIGHT_DATASETS") ?? Environment.GetEnvironmentVariable("MILLWRIGHT_DATASETS")
                ?? throw new CliException("give the datasets folder with --from (or MILLWRIGHT_DATASETS); nothing is downloaded");
            if (!Directory.Exists(folder))
            {
                throw new CliException($"{folder}: no such folder");
            }

            var (warehouse, ingestor, loaded) = Open(context, parsed);
            await using (warehouse.ConfigureAwait(false))
            {
                await RecoverAsync(context, loaded, ct).ConfigureAwait(false);
                var files = PublicDatasets.Files(parsed.GetValue(name)!, folder).Select(d => (Path.Combine(folder, d.RelativePath), d.Contract, d.Constants)).ToList();
                var results = await RunAsync(context, files, ingestor, ct).ConfigureAwait(false);
                return await SummarizeAsync(context, ingestor, results, ct).ConfigureAwait(false);
            }
        });
        return verb;
    }

    private static async Task<List<LoadResult>> RunAsync(CommandContext context, List<(string Path, DataContract Contract, IReadOnlyDictionary<string, string> Constants)> files, FileIngestor ingestor, CancellationToken ct)
    {
        var results = new List<LoadResult>();
        await context.Io.ErrorConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn(), new SpinnerColumn()).StartAsync(async progress =>
        {
            foreach (var (path, contract, constants) in files)
            {
                var task = progress.AddTask(Markup.Escape($"{contract.Source} <- {Path.GetFileName(path)}"), maxValue: 1);
                task.IsIndeterminate = true;
                results.Add(await ingestor.IngestAsync(path, contract, constants, ct).ConfigureAwait(false));
                task.IsIndeterminate = false;
                task.Increment(1);
            }
        }).ConfigureAwait(false);
        return results;
    }

    private static async Task<int> SummarizeAsync(CommandContext context, FileIngestor ingestor, List<LoadResult> results, CancellationToken ct)
    {
        var table = new Table().AddColumns("source", "file", "status", "read", "loaded", "rejected", "seconds", "load");
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Source),
                Markup.Escape(Path.GetFileName(r.File)),
                r.Status == LoadStatus.Skipped ? "SKIPPED (already loaded)" : r.Status.ToString().ToUpperInvariant(),
                r.RowsRead.ToString("N0", CultureInfo.InvariantCulture),
                r.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture),
                r.RowsRejected.ToString("N0", CultureInfo.InvariantCulture),
                r.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture),
                r.LoadId);
        }

        context.Io.Console.Write(table);
        foreach (var failed in results.Where(r => r.Status == LoadStatus.Failed))
        {
            await context.Io.Error.WriteLineAsync("error: " + failed.Error).ConfigureAwait(false);
        }

        foreach (var r in results.Where(r => r.RowsRejected > 0 && r.Status != LoadStatus.Skipped))
        {
            foreach (var row in await ingestor.GetQuarantineAsync(r.LoadId, 5, ct).ConfigureAwait(false))
            {
                await context.Io.Error.WriteLineAsync($"quarantined {Path.GetFileName(row.File)}:{row.Line}: {row.Rule}").ConfigureAwait(false);
            }

            if (r.RowsRejected > 5)
            {
                await context.Io.Error.WriteLineAsync($"... {r.RowsRejected - 5:N0} more: millwright ingest quarantine {r.LoadId}").ConfigureAwait(false);
            }
        }

        return results.Any(r => r.Status == LoadStatus.Failed) ? MillwrightCli.Failure : MillwrightCli.Ok;
    }

    private static Command DbVerb(CommandContext context)
    {
        var full = new Option<bool>("--full-refresh") { Description = "Copy every table whole and reset the change-feed positions" };
        var tables = new Option<string[]>("--table") { Description = "Only this table (repeatable)" };
        var schema = new Option<string>("--schema") { Description = "The raw schema", DefaultValueFactory = _ => "raw" };
        var verb = new Command("db", "Extract the operational database (operations.*) into the warehouse's raw schema: changed rows since the last run by the change feed, deletes carried") { full, tables, schema };
        verb.SetAction(async (parsed, ct) =>
        {
            var loaded = context.LoadSettings(parsed);
            var operations = loaded.Settings.Operations;
            var options = await Pipelines.WorkspaceOrchestration.OperationsSourceAsync(operations).ConfigureAwait(false) with
            {
                FullRefresh = parsed.GetValue(full),
                Tables = parsed.GetValue(tables) ?? [],
                TargetSchema = parsed.GetValue(schema)!,
            };
            await using var warehouse = context.OpenWarehouse(loaded);
            var table = new Table().AddColumns("table", "mode", "rows written", "rows deleted", "feed position", "columns added", "seconds");
            var io = context.Io;
            var fault = FaultPoints.Hook(io.Variable, io.Error);
            var results = await new Millwright.Ingestion.Extraction.DatabaseExtractor(warehouse).ExtractAsync(options, t =>
            {
                lock (io)
                {
                    io.Error.WriteLine($"{t.Table}: {t.Mode}, {t.RowsWritten:N0} written, {t.RowsDeleted:N0} deleted");
                }

                fault?.Invoke($"table {t.Table}", t.Duration);
            }, ct).ConfigureAwait(false);
            foreach (var t in results)
            {
                table.AddRow(Markup.Escape(t.Table), t.Mode, t.RowsWritten.ToString("N0", CultureInfo.InvariantCulture), t.RowsDeleted.ToString("N0", CultureInfo.InvariantCulture),
                    t.FeedPosition?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(string.Join(", ", t.AddedColumns)), t.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture));
            }

            io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        return verb;
    }

    private static Command StatusVerb(CommandContext context)
    {
        var source = new Option<string?>("--source") { Description = "Only this source" };
        var limit = new Option<int>("--limit") { Description = "How many loads (newest first)", DefaultValueFactory = _ => 20 };
        var verb = new Command("status", "The audit log: every load with its file, checksum, counts, contract version and outcome") { source, limit };
        verb.SetAction(async (parsed, ct) =>
        {
            var (warehouse, ingestor, _) = Open(context, parsed);
            await using (warehouse.ConfigureAwait(false))
            {
                var table = new Table().AddColumns("load", "source", "file", "status", "read", "loaded", "rejected", "contract", "started", "checksum");
                foreach (var r in await ingestor.GetLoadsAsync(parsed.GetValue(source), parsed.GetValue(limit), ct).ConfigureAwait(false))
                {
                    table.AddRow(r.LoadId, Markup.Escape(r.Source), Markup.Escape(Path.GetFileName(r.File)), r.Status.ToString().ToUpperInvariant(),
                        r.RowsRead.ToString("N0", CultureInfo.InvariantCulture), r.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture), r.RowsRejected.ToString("N0", CultureInfo.InvariantCulture),
                        $"v{r.ContractVersion}", r.StartedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.Checksum[..12]);
                }

                context.Io.Console.Write(table);
                return MillwrightCli.Ok;
            }
        });
        return verb;
    }

    private static Command QuarantineVerb(CommandContext context)
    {
        var load = new Argument<string>("load-id") { Description = "The load" };
        var limit = new Option<int>("--limit") { Description = "How many rows", DefaultValueFactory = _ => 100 };
        var verb = new Command("quarantine", "The rows a load rejected: line, rule broken and the record") { load, limit };
        verb.SetAction(async (parsed, ct) =>
        {
            var (warehouse, ingestor, _) = Open(context, parsed);
            await using (warehouse.ConfigureAwait(false))
            {
                var table = new Table().AddColumns("file", "line", "rule", "record");
                foreach (var row in await ingestor.GetQuarantineAsync(parsed.GetValue(load)!, parsed.GetValue(limit), ct).ConfigureAwait(false))
                {
                    table.AddRow(Markup.Escape(Path.GetFileName(row.File)), row.Line?.ToString(CultureInfo.InvariantCulture) ?? "-", Markup.Escape(row.Rule), Markup.Escape(row.Record ?? ""));
                }

                context.Io.Console.Write(table);
                return MillwrightCli.Ok;
            }
        });
        return verb;
    }
}

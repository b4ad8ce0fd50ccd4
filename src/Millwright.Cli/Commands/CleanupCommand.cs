using System.CommandLine;
using System.Globalization;
using Millwright.Pipelines;
using Millwright.Pipelines.Lifecycle;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class CleanupCommand
{
    public static Command Create(CommandContext context)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would go, with sizes, and delete nothing" };
        var command = new Command("cleanup", "Apply each pipeline's retention (pipeline.yml retention: landing, temp, raw_copies, quarantine): processed landing files, temp files, raw Parquet copies and quarantined rows older than their limit; never a file an unfinished run reads nor a source's latest load; `millwright up` runs it daily") { dryRun };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var loaded = context.LoadSettings(parsed);
            await using var warehouse = context.OpenWarehouse(loaded);
            await using var storage = WorkspaceOrchestration.OpenStorage(loaded.Settings.Orchestration.Store);
            await storage.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var cleanup = new WorkspaceCleanup(loaded.Workspace.PipelinesDirectory, warehouse, storage);
            CleanupPlan plan;
            try
            {
                plan = await cleanup.PlanAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PipelineException e)
            {
                throw new CliException(e.Message);
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("pipeline", "kind", "what", "size", "since");
            foreach (var item in plan.Items)
            {
                table.AddRow(Markup.Escape(item.Pipeline), Kind(item.Kind), Markup.Escape(item.What), Size(item.Bytes), item.Since.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }

            if (plan.Items.Count > 0)
            {
                io.Console.Write(table);
            }

            foreach (var kept in plan.Kept)
            {
                await io.Out.WriteLineAsync($"kept {kept}").ConfigureAwait(false);
            }

            if (parsed.GetValue(dryRun))
            {
                await io.Out.WriteLineAsync($"Dry run: {plan.Items.Count} item(s), {Size(plan.Bytes)} would go; nothing was deleted.").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            await cleanup.ExecuteAsync(plan, cancellationToken).ConfigureAwait(false);
            await io.Out.WriteLineAsync($"Deleted {plan.Items.Count} item(s), {Size(plan.Bytes)}.").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return command;
    }

    private static string Kind(CleanupKind kind) => kind switch
    {
        CleanupKind.LandingFile => "landing file",
        CleanupKind.TempFile => "temp file",
        CleanupKind.RawCopy => "raw copy",
        _ => "quarantine",
    };

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1073741824.0:0.##} GB"),
    };
}

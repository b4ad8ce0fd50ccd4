using System.CommandLine;
using System.Globalization;
using Millwright.Pipelines.Lifecycle;
using Millwright.Workspace;

namespace Millwright.Cli.Commands;

/// <summary><c>millwright backup</c> and <c>millwright restore</c>: a consistent copy of every store, and back.</summary>
internal static class BackupCommands
{
    public static IEnumerable<Command> Create(CommandContext context)
    {
        var to = new Option<string?>("--to") { Description = "The folder to write the backup into (default: backup.directory, .millwright/backups)" };
        var backup = new Command("backup", "Back up the workspace: the operational store (with users), the orchestration store and the warehouse, with a manifest of checksums; keeps backup.keep backups") { to };
        backup.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);

            // On the running host (the verb was sent there), the host's warehouse; else the workspace is held meanwhile.
            using var host = context.Host is null ? HoldWorkspace(loaded) : null;
            await using var warehouse = context.OpenWarehouse(loaded);
            var directory = parsed.GetValue(to) is { } folder ? Path.Combine(context.Io.WorkingDirectory, folder) : null;
            var result = await new WorkspaceBackup(loaded.Settings, warehouse).BackupAsync(directory, cancellationToken).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Backed up to {result.Folder}: {result.Manifest.Files.Count} file(s), {result.Manifest.Bytes / 1048576.0:0.0} MiB in {result.Elapsed.TotalSeconds:0.0} s (restore with `millwright restore {result.Folder}` in an empty workspace)")).ConfigureAwait(false);
            return MillwrightCli.Ok;
        });

        var from = new Argument<string>("BACKUP") { Description = "A backup folder (millwright-yyyyMMdd-HHmmss)" };
        var restore = new Command("restore", "Restore a backup into this workspace, whose stores must be empty (a new `millwright init` folder); every file is checked against the manifest first") { from };
        restore.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            var folder = Path.Combine(context.Io.WorkingDirectory, parsed.GetValue(from)!);
            await WorkspaceBackup.VerifyAsync(folder, cancellationToken).ConfigureAwait(false); // a wrong folder is named before anything else is asked
            using var host = HoldWorkspace(loaded);
            await using var warehouse = context.OpenWarehouse(loaded);
            var manifest = await new WorkspaceBackup(loaded.Settings, warehouse).RestoreAsync(folder, cancellationToken).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Restored the backup of {manifest.Workspace} taken {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC ({manifest.Files.Count} file(s) checked) into {loaded.Workspace.Root}")).ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return [backup, restore];
    }

    /// <summary>Holds the workspace's host lock for the command, so `millwright up` cannot start halfway through.</summary>
    private static WorkspaceLock HoldWorkspace(LoadedSettings loaded)
    {
        try
        {
            return WorkspaceLock.Acquire(loaded.Workspace);
        }
        catch (SettingsException e)
        {
            throw new CliException($"{e.Message}. The host backs up on its own schedule (setting backup.schedule), or ask it now: POST /api/admin/backup with an ADMIN token");
        }
    }
}

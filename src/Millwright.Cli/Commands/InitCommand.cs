using System.CommandLine;
using Millwright.Workspace;

namespace Millwright.Cli.Commands;

internal static class InitCommand
{
    public static Command Create(CommandContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "Folder to create the workspace in", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "Workspace name (default: the folder's name)" };
        var command = new Command("init", "Create a workspace: millwright.yml, pipelines/ and .millwright/ for embedded state") { directory, name };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var target = Path.Combine(io.WorkingDirectory, parsed.GetValue(directory)!);
            var result = WorkspaceLayout.Init(target, parsed.GetValue(name));
            if (result.AlreadyInitialized)
            {
                await io.Out.WriteLineAsync($"Workspace already initialized at {result.Workspace.Root}; millwright.yml left as it was.").ConfigureAwait(false);
            }
            else
            {
                await io.Out.WriteLineAsync($"Created workspace at {result.Workspace.Root}").ConfigureAwait(false);
            }

            foreach (var created in result.Created)
            {
                await io.Out.WriteLineAsync($"  created {created}").ConfigureAwait(false);
            }

            await io.Out.WriteLineAsync("Next: millwright up   (then open http://127.0.0.1:5000)").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return command;
    }
}

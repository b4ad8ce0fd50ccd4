using System.CommandLine;
using Millwright.Pipelines;
using Millwright.Workspace;

namespace Millwright.Cli.Commands;

internal static class InitCommand
{
    public static Command Create(CommandContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "Folder to create the workspace in", DefaultValueFactory = _ => "." };
        var name = new Option<string?>("--name") { Description = "Workspace name (default: the folder's name)" };
        var empty = new Option<bool>("--empty") { Description = "No pipelines: leave pipelines/ empty (`millwright new pipeline` adds them)" };
        var command = new Command("init", $"Create a workspace: millwright.yml, pipelines/ with the shipped pipelines ({string.Join(", ", PipelineTemplates.Workspace)}) and .millwright/ for embedded state") { directory, name, empty };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            await CreateAsync(io, Path.Combine(io.WorkingDirectory, parsed.GetValue(directory)!), parsed.GetValue(name), withPipelines: !parsed.GetValue(empty)).ConfigureAwait(false);
            await io.Out.WriteLineAsync("Next: millwright up   (then open http://127.0.0.1:5000)").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return command;
    }

    /// <summary>Creates a workspace (and, unless told not to, the shipped pipelines in it), saying what it made.</summary>
    public static async Task<WorkspaceInitResult> CreateAsync(CliIo io, string target, string? name, bool withPipelines)
    {
        var result = WorkspaceLayout.Init(target, name);
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

        if (!result.AlreadyInitialized && withPipelines)
        {
            foreach (var template in PipelineTemplates.Workspace)
            {
                var pipeline = PipelineTemplates.Create(result.Workspace.PipelinesDirectory, template, template);
                await io.Out.WriteLineAsync($"  created pipelines/{pipeline.Name}/ ({pipeline.Files.Count} files; its README.md says what it builds)").ConfigureAwait(false);
                if (template == "quality" && Ingestion.Datasets.PublicDatasets.Locate(result.Workspace.Root, io.Variable) is null)
                {
                    await io.Out.WriteLineAsync($"  pipelines/quality/ trains on the public data sets and there is no datasets folder ({Ingestion.Datasets.PublicDatasets.Variable}, or shared/datasets in or above the workspace): until one is set or `millwright ingest dataset NAME --from DIR` loads them, its assets are skipped").ConfigureAwait(false);
                }
            }
        }

        return result;
    }
}

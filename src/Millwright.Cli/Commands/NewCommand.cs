using System.CommandLine;
using Millwright.Pipelines;

namespace Millwright.Cli.Commands;

/// <summary><c>millwright new pipeline NAME --template T</c>: a runnable pipeline folder from a shipped template.</summary>
internal static class NewCommand
{
    public static Command Create(CommandContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The pipeline's name: lower-case letters, digits and underscores (it names the dbt project and its tables)" };
        var template = new Option<string>("--template", "-t") { Description = $"The template: {string.Join(", ", PipelineTemplates.Names)}", DefaultValueFactory = _ => "blank" };
        var pipeline = new Command("pipeline", "Create pipelines/NAME from a template: pipeline.yml, a contract, a dbt project with a staging model, a seed and tests") { name, template };
        pipeline.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            var created = PipelineTemplates.Create(loaded.Workspace.PipelinesDirectory, parsed.GetValue(name)!, parsed.GetValue(template)!);
            var io = context.Io;
            await io.Out.WriteLineAsync($"Created pipeline '{created.Name}' from template '{parsed.GetValue(template)}' at {created.Folder}").ConfigureAwait(false);
            foreach (var file in created.Files)
            {
                await io.Out.WriteLineAsync($"  created {file}").ConfigureAwait(false);
            }

            await io.Out.WriteLineAsync($"Next: millwright assets materialize --select \"*\"   (pipelines/{created.Name}/README.md says what it holds)").ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        return new Command("new", "Create something from a template") { pipeline };
    }
}

using System.CommandLine;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class ConfigCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("config", "Show the workspace's settings");
        var show = new Command("show", "Show every resolved setting (file, then MILLWRIGHT__ variables, then --set), secrets masked");
        show.SetAction(parsed =>
        {
            var loaded = context.LoadSettings(parsed, requireWorkspace: false);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("setting", "value");
            foreach (var (key, value) in loaded.Settings.Describe())
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(value));
            }

            var io = context.Io;
            io.Console.MarkupLine($"[grey]workspace {Markup.Escape(loaded.Workspace.Root)}{(loaded.Workspace.HasConfigFile ? "" : " (no millwright.yml: defaults)")}[/]");
            io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(show);
        return command;
    }
}

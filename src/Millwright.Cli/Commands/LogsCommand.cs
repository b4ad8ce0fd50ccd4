using System.CommandLine;
using System.Globalization;
using Millwright.Web.Logging;

namespace Millwright.Cli.Commands;

internal static class LogsCommand
{
    public static Command Create(CommandContext context)
    {
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the newest events (default 50)", DefaultValueFactory = _ => 50 };
        var run = new Option<string?>("--run") { Description = "Only the events of this run" };
        var json = new Option<bool>("--json") { Description = "Each event as the JSON object the host wrote" };
        var command = new Command("logs", "Show the newest events of the host's log (.millwright/logs/, written by `millwright up`)") { lines, run, json };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var count = parsed.GetValue(lines);
            if (count <= 0)
            {
                throw new CliException($"--lines must be a positive number, not {count}");
            }

            var loaded = context.LoadSettings(parsed);
            var entries = HostLogReader.Recent(loaded.Workspace.StateDirectory, count, parsed.GetValue(run));
            if (entries.Count == 0)
            {
                await io.Error.WriteLineAsync($"no log events in {HostLogReader.Folder(loaded.Workspace.StateDirectory)}{(parsed.GetValue(run) is { } id ? $" for run {id}" : "")}: `millwright up` writes them").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            foreach (var entry in entries)
            {
                await io.Out.WriteLineAsync(parsed.GetValue(json) ? entry.Json : Line(entry)).ConfigureAwait(false);
            }

            return MillwrightCli.Ok;
        });
        return command;
    }

    private static string Line(HostLogEntry e)
    {
        var level = e.Level switch
        {
            "Verbose" => "TRCE",
            "Debug" => "DBUG",
            "Information" => "INFO",
            "Warning" => "WARN",
            "Error" => "FAIL",
            "Fatal" => "CRIT",
            var other => other.ToUpperInvariant(),
        };
        var context = string.Join(' ', new[] { e.RunId is { } r ? $"run={r}" : null, e.User is { } u ? $"user={u}" : null, e.CorrelationId is { } c ? $"correlation={c}" : null }.OfType<string>());
        return string.Create(CultureInfo.InvariantCulture, $"{e.Timestamp.ToLocalTime():yyyy-MM-dd HH:mm:ss} {level} {e.Category}{(context.Length > 0 ? $" [{context}]" : "")}: {e.Message}")
            + (e.Exception is { } x ? Environment.NewLine + x : "");
    }
}

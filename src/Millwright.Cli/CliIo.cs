using Spectre.Console;

namespace Millwright.Cli;

/// <summary>Where the command writes: standard output (data), standard error (messages, progress), and the working folder.</summary>
internal sealed class CliIo
{
    public required TextWriter Out { get; init; }

    /// <summary>Standard output as bytes, for data streamed straight through (CSV, JSON); flush <see cref="Out"/> first.</summary>
    public required Stream OutStream { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>Tables and progress, with colour only on a terminal that wants it.</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Progress and status go to standard error, so piped data stays clean.</summary>
    public required IAnsiConsole ErrorConsole { get; init; }

    public required bool Interactive { get; init; }

    public required string WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Standard input (a password given with --password-stdin).</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>An environment variable: from <see cref="Environment"/> when set (tests), else the process's.</summary>
    public string? Variable(string name) =>
        (Environment is { } env ? env.GetValueOrDefault(name) : System.Environment.GetEnvironmentVariable(name)) is { Length: > 0 } value ? value : null;

    public static CliIo FromConsole()
    {
        var noColor = !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("NO_COLOR"));
        return new CliIo
        {
            Out = System.Console.Out,
            OutStream = System.Console.OpenStandardOutput(),
            Error = System.Console.Error,
            Console = Create(System.Console.Out, System.Console.IsOutputRedirected || noColor, !System.Console.IsOutputRedirected),
            ErrorConsole = Create(System.Console.Error, System.Console.IsErrorRedirected || noColor, !System.Console.IsErrorRedirected),
            Interactive = !System.Console.IsErrorRedirected,
            WorkingDirectory = Directory.GetCurrentDirectory(),
            In = System.Console.In,
        };
    }

    public static IAnsiConsole Create(TextWriter writer, bool plain, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            // Piped into a file or grep, a table keeps each row on one line instead of wrapping at 80 columns.
            console.Profile.Width = 240;
        }

        return console;
    }
}

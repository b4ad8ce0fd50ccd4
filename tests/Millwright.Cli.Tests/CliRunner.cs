namespace Millwright.Cli.Tests;

/// <summary>Runs the millwright command in-process in a temporary folder, capturing what it writes.</summary>
internal sealed class CliRunner : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mw-cli-").FullName;

    public Dictionary<string, string> Environment { get; } = [];

    public async Task<CliOutcome> RunAsync(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var output = new StreamWriter(stdout, new System.Text.UTF8Encoding(false), leaveOpen: true) { AutoFlush = true };
        var error = new StringWriter();
        var io = new CliIo
        {
            Out = output,
            OutStream = stdout,
            Error = error,
            Console = CliIo.Create(output, plain: true, interactive: false),
            ErrorConsole = CliIo.Create(error, plain: true, interactive: false),
            Interactive = false,
            WorkingDirectory = Root,
            Environment = Environment,
        };
        var code = await MillwrightCli.RunAsync(args, io, TestContext.Current.CancellationToken);
        await output.FlushAsync();
        return new CliOutcome(code, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), error.ToString());
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal sealed record CliOutcome(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

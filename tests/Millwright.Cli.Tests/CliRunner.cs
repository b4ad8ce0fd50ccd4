namespace Millwright.Cli.Tests;

/// <summary>Runs the millwright command in-process in a temporary folder, capturing what it writes.</summary>
internal sealed class CliRunner : IDisposable
{
    private readonly bool _owned;

    /// <summary>In a new temporary folder, deleted on dispose.</summary>
    public CliRunner()
    {
        Root = Directory.CreateTempSubdirectory("mw-cli-").FullName;
        _owned = true;
    }

    /// <summary>In <paramref name="root"/>, left in place on dispose.</summary>
    public CliRunner(string root) => Root = root;

    public string Root { get; }

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>What the next run reads on standard input.</summary>
    public string Input { get; set; } = "";

    /// <summary>Adds <paramref name="user"/> with <paramref name="role"/> (when missing) and returns a new API token of theirs.</summary>
    public async Task<string> TokenAsync(string user, string role)
    {
        Input = TestAccounts.Password + "\n";
        var add = await RunAsync("users", "add", user, "--role", role, "--password-stdin");
        Assert.True(add.ExitCode == 0 || add.Error.Contains("already exists", StringComparison.Ordinal), add.Error);
        var token = await RunAsync("tokens", "create", "--user", user, "--name", "test");
        Assert.True(token.ExitCode == 0, token.Error);
        return token.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
    }

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
            In = new StringReader(Input),
        };
        var code = await MillwrightCli.RunAsync(args, io, TestContext.Current.CancellationToken);
        await output.FlushAsync();
        return new CliOutcome(code, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), error.ToString());
    }

    public void Dispose()
    {
        if (_owned)
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

internal sealed record CliOutcome(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

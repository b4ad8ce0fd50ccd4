using System.CommandLine;
using System.Text;
using Millwright.Web.Cli;
using Millwright.Workspace;

namespace Millwright.Cli;

/// <summary>
/// One owner per workspace: while `millwright up` serves a workspace it holds the embedded stores, so a verb that uses
/// the warehouse or the orchestrator is sent to it (POST /api/cli) instead of opening them a second time. The verb runs
/// there as typed, in the folder it was typed in; its output, messages and exit code come back as they would here. The
/// CLI authenticates with MILLWRIGHT_TOKEN when set, else with the secret the host left in .millwright/host.json.
/// </summary>
internal static class HostRelay
{
    /// <summary>Verbs (their first word) that use the warehouse or the orchestrator; the rest run in this process.</summary>
    private static readonly HashSet<string> Relayed = new(StringComparer.Ordinal)
    {
        "sql", "warehouse", "ingest", "dbt", "ml", "assets", "runs", "backfill", "schedules", "sensors", "partitions", "cleanup", "backup",
    };

    /// <summary>The live host this command line should run on, or null to run it here.</summary>
    public static HostAddress? Find(ParseResult parsed, CommandContext context)
    {
        var words = new List<string>();
        for (var command = parsed.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            words.Insert(0, command.Command.Name);
        }

        // words[0] is the root command.
        if (words.Count < 2 || !Relayed.Contains(words[1]) || (words.Count > 3 && words[1] == "dbt" && words[2] == "docs" && words[3] == "serve"))
        {
            return null;
        }

        var layout = context.Layout(parsed);
        return layout.HasConfigFile ? WorkspaceLock.FindLive(layout) : null;
    }

    public static async Task<int> RunAsync(HostAddress host, string[] args, CliIo io, CancellationToken cancellationToken)
    {
        var environment = (io.Environment?.Keys ?? System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
            .Where(k => k.StartsWith("MILLWRIGHT", StringComparison.Ordinal) || k.StartsWith("DBT_", StringComparison.Ordinal))
            .Where(k => k != "MILLWRIGHT_TOKEN")
            .Select(k => (Key: k, Value: io.Variable(k)))
            .Where(p => p.Value is not null)
            .ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);
        await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var error = new WriterStream(io.Error);
        return await CliRelay.SendAsync(host.Address, io.Variable("MILLWRIGHT_TOKEN") ?? host.Secret, new CliRequest(args, io.WorkingDirectory, environment), io.OutStream, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The host's side: a relayed command line runs through the same parser and verbs, on the host's stores.</summary>
    public sealed class Runner : ICliRelay
    {
        public async Task<int> RunAsync(CliRequest request, HostSession session, Stream output, Stream messages, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var environment = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.Ordinal);
            foreach (var (key, value) in request.Environment ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }

            var utf8 = new UTF8Encoding(false);
            await using var outWriter = new StreamWriter(output, utf8, 1 << 14, leaveOpen: true) { AutoFlush = true };
            await using var errorWriter = new StreamWriter(messages, utf8, 1 << 12, leaveOpen: true) { AutoFlush = true };
            var io = new CliIo
            {
                Out = outWriter,
                OutStream = output,
                Error = errorWriter,
                Console = CliIo.Create(outWriter, plain: true, interactive: false),
                ErrorConsole = CliIo.Create(errorWriter, plain: true, interactive: false),
                Interactive = false,
                WorkingDirectory = request.WorkingDirectory,
                Environment = environment,
            };
            return await MillwrightCli.RunAsync([.. request.Args], io, session, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Standard error as a byte stream, for the relayed verb's messages.</summary>
    private sealed class WriterStream(TextWriter writer) : Stream
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => writer.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            var chars = new char[_decoder.GetCharCount(buffer, offset, count)];
            var n = _decoder.GetChars(buffer, offset, count, chars, 0);
            writer.Write(chars, 0, n);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }
    }
}

using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Millwright.Pipelines;
using Millwright.Warehouse;

namespace Millwright.Web.Cli;

/// <summary>A command line sent to the host: its words, the folder it was typed in and the caller's MILLWRIGHT variables.</summary>
public sealed record CliRequest(
    [property: JsonPropertyName("args")] IReadOnlyList<string> Args,
    [property: JsonPropertyName("working_directory")] string WorkingDirectory,
    [property: JsonPropertyName("environment")] IReadOnlyDictionary<string, string>? Environment);

/// <summary>What a relayed verb may use of the host: its warehouse and its orchestrator (whose runs are the host's).</summary>
public sealed class HostSession(IWarehouse warehouse, WarehouseOptions warehouseOptions, Func<CancellationToken, Task<WorkspaceOrchestration>> orchestration, ClaimsPrincipal user)
{
    /// <summary>The host's warehouse, lent: disposing it leaves it open.</summary>
    public IWarehouse Warehouse => Warehouses.Borrow(warehouse);

    /// <summary>Where the host's warehouse is, so a verb pointed elsewhere (--set warehouse...) opens its own.</summary>
    public WarehouseOptions WarehouseOptions => warehouseOptions;

    public ClaimsPrincipal User => user;

    public Task<WorkspaceOrchestration> OrchestrationAsync(CancellationToken cancellationToken) => orchestration(cancellationToken);
}

/// <summary>Runs a command line inside the host (the CLI registers it), writing to the caller's standard output and error.</summary>
public interface ICliRelay
{
    Task<int> RunAsync(CliRequest request, HostSession session, Stream output, Stream messages, CancellationToken cancellationToken);
}

/// <summary>
/// <c>POST /api/cli</c>: a `millwright` verb typed while the workspace's host runs is run here, on the stores the host
/// holds, instead of in a second process that would fight it for them. The answer streams as frames (one byte of
/// channel: 1 output, 2 error, 0 exit code; four bytes of length; the bytes), so progress shows while the verb runs,
/// binary output (Parquet) arrives intact, and the caller exits with the verb's own code.
/// </summary>
public static class CliRelay
{
    public const string Path = "/api/cli";
    private const string FrameType = "application/vnd.millwright.cli-frames";

    internal static IEndpointRouteBuilder MapCliRelay(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, async (HttpContext http, CliRequest request, IWarehouse warehouse, Workspace.LoadedSettings loaded, Orchestration.OrchestrationHost host, CancellationToken cancellationToken) =>
        {
            if (http.RequestServices.GetService<ICliRelay>() is not { } relay)
            {
                return Results.Problem(statusCode: StatusCodes.Status501NotImplemented, detail: "this host runs no command line verbs");
            }

            if (request.Args is null || request.WorkingDirectory is null || !System.IO.Path.IsPathFullyQualified(request.WorkingDirectory))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "args and an absolute working_directory are required");
            }

            http.Response.ContentType = FrameType;
            http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            var gate = new SemaphoreSlim(1, 1);
            await using var output = new FrameStream(http.Response.Body, 1, gate);
            await using var error = new FrameStream(http.Response.Body, 2, gate);
            int code;
            try
            {
                code = await relay.RunAsync(request, new HostSession(warehouse, loaded.Settings.Warehouse.Options, host.ReadyAsync, http.User), output, error, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Results.Empty;
            }

            var exit = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(exit, code);
            await WriteFrameAsync(http.Response.Body, 0, exit, gate, CancellationToken.None).ConfigureAwait(false);
            return Results.Empty;
        })
        .RequireAuthorization(Security.Policies.PipelinesWrite)
        .WithTags("CLI")
        .WithSummary("Run a millwright command line on this host (what the CLI does while the workspace's host runs); answers a stream of output, error and exit-code frames");
        return endpoints;
    }

    /// <summary>
    /// Sends <paramref name="request"/> to the host at <paramref name="address"/> with <paramref name="token"/> and copies
    /// its output and error as they come; returns the verb's exit code.
    /// </summary>
    public static async Task<int> SendAsync(Uri address, string token, CliRequest request, Stream output, Stream error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var client = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        using var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonContent.Create(request) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != FrameType)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var detail = TryDetail(body) ?? body;
            throw new HttpRequestException($"the workspace's host at {address} refused the command ({(int)response.StatusCode}): {detail}", null, response.StatusCode);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var header = new byte[5];
        while (true)
        {
            if (!await ReadExactlyAsync(stream, header, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException($"the workspace's host at {address} ended the command before its exit code (did the host stop?)");
            }

            var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            if (!await ReadExactlyAsync(stream, payload, cancellationToken).ConfigureAwait(false))
            {
                throw new IOException($"the workspace's host at {address} ended the command mid-frame (did the host stop?)");
            }

            switch (header[0])
            {
                case 0:
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    await error.FlushAsync(cancellationToken).ConfigureAwait(false);
                    return BinaryPrimitives.ReadInt32BigEndian(payload);
                case 1:
                    await output.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await error.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                    await error.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private static string? TryDetail(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<bool> ReadExactlyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static async Task WriteFrameAsync(Stream body, byte channel, ReadOnlyMemory<byte> payload, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        header[0] = channel;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), payload.Length);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await body.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await body.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>One channel of the answer: every write becomes a frame (writers above it buffer lines).</summary>
    private sealed class FrameStream(Stream body, byte channel, SemaphoreSlim gate) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length > 0)
            {
                await WriteFrameAsync(body, channel, buffer, gate, cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}

using System.Net;
using System.Text;
using Millwright.Web.Cli;
using Millwright.Web.Security;

namespace Millwright.Web.Tests.Cli;

/// <summary>
/// POST /api/cli on a real host: only OPERATOR and ADMIN (or the host's own secret) may run a command line there; the
/// answer streams the verb's output bytes, its messages and its exit code, which <see cref="CliRelay.SendAsync"/> hands back.
/// </summary>
public sealed class CliRelayTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-cli-relay-").FullName;
    private readonly HostOwner _owner = HostOwner.Create();
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: plant\n");
        _host = await WorkspaceHost.StartAsync(_root, null, _owner, new Echo(), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_host_secret_runs_a_command_line_and_gets_its_output_messages_and_exit_code()
    {
        using var output = new MemoryStream();
        using var messages = new MemoryStream();

        var code = await CliRelay.SendAsync(_host.Address, _owner.Secret!, new CliRequest(["sql", "select 1"], _root, null), output, messages, Ct);

        Assert.Equal(3, code);
        Assert.Equal([0, 1, 2, 255], output.ToArray()[..4]);
        Assert.Equal($"ran sql select 1 in {_root} as workspace-cli\n", Encoding.UTF8.GetString(messages.ToArray()));
    }

    [Fact]
    public async Task Only_operators_admins_and_the_host_secret_may_run_command_lines()
    {
        var request = new CliRequest(["sql", "select 1"], _root, null);
        using var anonymous = new HttpClient { BaseAddress = _host.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(CliRelay.Path, request, Ct)).StatusCode);
        using var analyst = await _host.AsAsync("ann", "ANALYST");
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsJsonAsync(CliRelay.Path, request, Ct)).StatusCode);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => CliRelay.SendAsync(_host.Address, "mwh_not-the-secret", request, Stream.Null, Stream.Null, Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var operatorClient = await _host.AsAsync("otto", "OPERATOR");
        using var answer = await operatorClient.PostAsJsonAsync(CliRelay.Path, request, Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("application/vnd.millwright.cli-frames", answer.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Stands in for the CLI's verbs: writes bytes out, a line of what it ran, and exits 3.</summary>
    private sealed class Echo : ICliRelay
    {
        public async Task<int> RunAsync(CliRequest request, HostSession session, Stream output, Stream messages, CancellationToken cancellationToken)
        {
            await output.WriteAsync(new byte[] { 0, 1, 2, 255 }, cancellationToken);
            await messages.WriteAsync(Encoding.UTF8.GetBytes($"ran {string.Join(' ', request.Args)} in {request.WorkingDirectory} as {session.User.Identity?.Name}\n"), cancellationToken);
            return 3;
        }
    }
}

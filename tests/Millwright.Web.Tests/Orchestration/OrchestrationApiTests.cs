using System.Net;
using System.Text.Json;

namespace Millwright.Web.Tests.Orchestration;

public sealed class OrchestrationApiTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-orch-api-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var pipeline = Path.Combine(_root, "pipelines", "demo");
        Directory.CreateDirectory(pipeline);
        File.WriteAllText(Path.Combine(pipeline, "pipeline.yml"), """
            assets:
              - key: raw/numbers
                sql: select range as n from range(5)
              - key: report
                deps: [raw/numbers]
                sql: select count(*) as n from raw.numbers
              - key: broken
                command: ["sh", "-c", "echo no such file >&2; exit 2"]
              - key: per_line
                partitions: {dynamic: lines}
                command: echo line
            sensors:
              - name: landing
                kind: file
                path: landing
                target: raw/numbers
                running: false
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
    }

    private HttpClient Http => _host.Client;

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Follows a run's event stream (server-sent events) until it ends; returns the event types seen.</summary>
    private async Task<List<string>> FollowAsync(string runId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orchestration/runs/{runId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var types = new List<string>();
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                types.Add(line["event: ".Length..]);
                if (types[^1] == "end")
                {
                    break;
                }
            }
        }

        return types;
    }

    [Fact]
    public async Task A_launched_run_is_executed_by_the_daemon_and_its_events_stream_until_it_ends()
    {
        var assets = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/assets", Ct);
        Assert.Equal(["broken", "per_line", "raw/numbers", "report"], assets.EnumerateArray().Select(a => a.GetProperty("key").GetString()!).Order());
        Assert.All(assets.EnumerateArray(), a => Assert.Equal("MISSING", a.GetProperty("status").GetString()));

        // A "user" tag in the request does not name someone else: the run records who the token belongs to.
        var launch = await Http.PostAsJsonAsync("/api/orchestration/runs", new { selection = "raw/numbers+", tags = new Dictionary<string, string> { ["who"] = "api-test", ["user"] = "mallory" } }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, launch.StatusCode);
        var run = await launch.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("QUEUED", run.GetProperty("status").GetString());
        var id = run.GetProperty("runId").GetString()!;

        var types = await FollowAsync(id);
        Assert.Equal("RUN_QUEUED", types[0]);
        Assert.Contains("RUN_START", types);
        Assert.Equal(2, types.Count(t => t == "ASSET_MATERIALIZATION"));
        Assert.Equal(["RUN_SUCCESS", "end"], types.TakeLast(2));

        var done = await Http.GetFromJsonAsync<JsonElement>($"/api/orchestration/runs/{id}", Ct);
        Assert.Equal("SUCCESS", done.GetProperty("status").GetString());
        Assert.Equal("api-test", done.GetProperty("tags").GetProperty("who").GetString());
        Assert.Equal("ada", done.GetProperty("tags").GetProperty("user").GetString());
        var report = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/assets/report", Ct);
        Assert.Equal("MATERIALIZED", report.GetProperty("asset").GetProperty("status").GetString());
        Assert.Equal(1, report.GetProperty("asset").GetProperty("metadata").GetProperty("row_count").GetInt64());
        Assert.Equal(["raw/numbers"], report.GetProperty("asset").GetProperty("deps").EnumerateArray().Select(d => d.GetString()));

        var events = await Http.GetFromJsonAsync<JsonElement>($"/api/orchestration/runs/{id}/events?after=0", Ct);
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "ASSET_MATERIALIZATION" && e.GetProperty("asset").GetString() == "report");

        var graph = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/graph", Ct);
        var edge = Assert.Single(graph.GetProperty("edges").EnumerateArray());
        Assert.Equal(("raw/numbers", "report"), (edge.GetProperty("from").GetString(), edge.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task A_failed_run_can_be_re_executed_and_bad_requests_get_problems()
    {
        var launch = await Http.PostAsJsonAsync("/api/orchestration/runs", new { selection = "broken" }, Ct);
        var id = (await launch.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("runId").GetString()!;
        Assert.Equal("RUN_FAILURE", (await FollowAsync(id))[^2]);
        var failed = await Http.GetFromJsonAsync<JsonElement>($"/api/orchestration/runs/{id}", Ct);
        Assert.Contains("exited with code 2: no such file", failed.GetProperty("error").GetString(), StringComparison.Ordinal);

        var again = await Http.PostAsync($"/api/orchestration/runs/{id}/reexecute", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(id, (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("parentRunId").GetString());

        var unknown = await Http.PostAsJsonAsync("/api/orchestration/runs", new { selection = "+nowhere" }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
        Assert.Contains("no asset nowhere", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/orchestration/runs/0123", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/orchestration/assets/nope", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.PostAsync($"/api/orchestration/runs/{id}/cancel", null, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_file_tag_that_breaks_out_of_its_quotes_or_names_the_settings_is_refused_with_422()
    {
        var victim = Path.Combine(_root, "pwned.txt");
        foreach (var file in new[]
        {
            $"a.csv', header = true); COPY (select 'x') TO '{victim}'; select * from read_csv('a.csv",
            Path.Combine(_root, "millwright.yml"),
            Path.Combine(_root, "pipelines", "demo", "landing", "..", "..", "..", "millwright.yml"),
        })
        {
            File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: secret\n");
            using var launch = await Http.PostAsJsonAsync("/api/orchestration/runs", new { selection = "raw/numbers", tags = new Dictionary<string, string> { ["millwright/file"] = file } }, Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, launch.StatusCode);
            Assert.Contains("millwright/file", await launch.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            using var backfill = await Http.PostAsJsonAsync("/api/orchestration/backfills", new { selection = "per_line", partitions = (string[])["l9"], tags = new Dictionary<string, string> { ["millwright/file"] = file } }, Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, backfill.StatusCode);
        }

        Assert.False(File.Exists(victim));
        var runs = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/runs?status=QUEUED,STARTED,SUCCESS,FAILURE", Ct);
        Assert.DoesNotContain(runs.EnumerateArray(), r => r.GetProperty("tags").TryGetProperty("millwright/file", out _));
    }

    [Fact]
    public async Task Dynamic_partition_keys_are_added_and_removed_through_the_api()
    {
        var added = await Http.PostAsJsonAsync("/api/orchestration/partitions/lines", new { keys = (string[])["l1", "l2"] }, Ct);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(["l1", "l2"], (await added.Content.ReadFromJsonAsync<string[]>(Ct))!);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync("/api/orchestration/partitions/lines/l1", Ct)).StatusCode);
        Assert.Equal(["l2"], (await Http.GetFromJsonAsync<string[]>("/api/orchestration/partitions/lines", Ct))!);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Http.PostAsJsonAsync("/api/orchestration/partitions/lines", new { keys = (string[])["a|b"] }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/api/orchestration/partitions/plants", Ct)).StatusCode);
        var detail = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/assets/per_line", Ct);
        Assert.Equal("MISSING", Assert.Single(detail.GetProperty("partitions").EnumerateArray()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Sensors_are_listed_and_started_through_the_api()
    {
        var list = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/instigators", Ct);
        var landing = Assert.Single(list.EnumerateArray());
        Assert.False(landing.GetProperty("running").GetBoolean());
        var started = await Http.PostAsync("/api/orchestration/instigators/landing/start", null, Ct);
        Assert.True((await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("running").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsync("/api/orchestration/instigators/nope/stop", null, Ct)).StatusCode);
        var daemon = await Http.GetFromJsonAsync<JsonElement>("/api/orchestration/daemon", Ct);
        Assert.Contains("sqlite", daemon.GetProperty("storage").GetString(), StringComparison.Ordinal);
    }
}

public sealed class BrokenPipelineApiTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-orch-broken-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_pipeline_that_does_not_load_gives_503_with_the_reason_in_the_api_and_health_and_the_rest_keeps_serving()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Path.Combine(_root, "pipelines", "bad"));
        File.WriteAllText(Path.Combine(_root, "pipelines", "bad", "pipeline.yml"), "assets:\n  - key: x\n    sql: select 1\n    deps: [ghost]\n");
        await using var host = await WorkspaceHost.StartAsync(_root, cancellationToken: ct);
        var http = host.Client;

        var response = await http.GetAsync("/api/orchestration/assets", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("asset x depends on ghost, which is not defined", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var health = await http.GetAsync("/health", ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var report = await health.Content.ReadAsStringAsync(ct);
        Assert.Contains("pipelines did not load", report, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/ops/vehicles", ct)).StatusCode);
    }
}

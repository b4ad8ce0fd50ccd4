using System.Net;
using System.Text.Json;
using Millwright.Web.Orchestration;

namespace Millwright.Web.Tests.Orchestration;

/// <summary>Pipelines added or edited while the host runs are loaded without a restart; one that does not load is reported and changes nothing.</summary>
public sealed class PipelineReloadTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-reload-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Demo => Path.Combine(_root, "pipelines", "demo");

    private OrchestrationHost Orchestration => _host.App.Services.GetRequiredService<OrchestrationHost>();

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Demo);
        File.WriteAllText(Path.Combine(Demo, "pipeline.yml"), """
            assets:
              - key: raw/numbers
                sql: select range as n from range(5)
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        await Orchestration.ReadyAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<List<string>> AssetKeysAsync() =>
        (await _host.Client.GetFromJsonAsync<JsonElement>("/api/orchestration/assets", Ct)).EnumerateArray().Select(a => a.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();

    private async Task<string> RunAsync(string selection)
    {
        var launch = await _host.Client.PostAsJsonAsync("/api/orchestration/runs", new { selection }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, launch.StatusCode);
        var id = (await launch.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("runId").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orchestration/runs/{id}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        while (await reader.ReadLineAsync(Ct) is { } line && line != "event: end")
        {
        }

        return (await _host.Client.GetFromJsonAsync<JsonElement>($"/api/orchestration/runs/{id}", Ct)).GetProperty("status").GetString()!;
    }

    [Fact]
    public async Task A_pipeline_added_while_the_host_runs_is_loaded_by_itself_and_its_assets_run()
    {
        var next = Orchestration.NextLoadAsync(Ct);
        var extra = Path.Combine(_root, "pipelines", "extra");
        Directory.CreateDirectory(extra);
        File.WriteAllText(Path.Combine(extra, "pipeline.yml"), """
            assets:
              - key: doubled
                deps: [raw/numbers]
                sql: select n * 2 as n from raw.numbers
            """);

        var load = await next;

        Assert.Equal((2, 2, (string?)null), (load.Pipelines, load.Assets, load.Error));
        Assert.Equal(["doubled", "raw/numbers"], await AssetKeysAsync());
        Assert.Equal("SUCCESS", await RunAsync("+doubled"));
    }

    [Fact]
    public async Task An_edit_that_does_not_load_is_refused_with_its_error_and_the_pipelines_loaded_before_keep_running()
    {
        File.WriteAllText(Path.Combine(Demo, "pipeline.yml"), "assets:\n  - key: raw/numbers\n    sql: [unclosed\n");

        var refused = await _host.Client.PostAsync("/api/orchestration/pipelines/reload", null, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("pipeline.yml", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["raw/numbers"], await AssetKeysAsync());
        Assert.Equal("SUCCESS", await RunAsync("raw/numbers"));
        using (var health = JsonDocument.Parse(await _host.Client.GetStringAsync("/health", Ct)))
        {
            var orchestration = health.RootElement.GetProperty("stores").GetProperty("orchestration");
            Assert.Contains("the last reload failed", orchestration.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        File.WriteAllText(Path.Combine(Demo, "pipeline.yml"), """
            assets:
              - key: raw/numbers
                sql: select range as n from range(5)
              - key: raw/letters
                sql: select 'a' as letter
            """);
        var fixedLoad = await _host.Client.PostAsync("/api/orchestration/pipelines/reload", null, Ct);

        Assert.Equal(HttpStatusCode.OK, fixedLoad.StatusCode);
        Assert.Equal(["raw/letters", "raw/numbers"], await AssetKeysAsync());
        var pipelines = await _host.Client.GetFromJsonAsync<JsonElement>("/api/orchestration/pipelines", Ct);
        Assert.Null(pipelines.GetProperty("lastLoad").GetProperty("error").GetString());
        Assert.Equal("SUCCESS", await RunAsync("raw/letters"));
    }
}

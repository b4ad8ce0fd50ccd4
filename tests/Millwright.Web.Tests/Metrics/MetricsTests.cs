using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Millwright.Web.Tests.Metrics;

/// <summary>/metrics: guarded like every endpoint, scraped by Debian's prometheus (which ./test.sh installs).</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private const string Prometheus = "/usr/bin/prometheus";
    private readonly string _root = Directory.CreateTempSubdirectory("mw-metrics-").FullName;
    private WorkspaceHost _host = null!;
    private string _operator = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var contracts = Path.Combine(_root, "pipelines", "shop", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: shop\n");
        File.WriteAllText(Path.Combine(contracts, "orders.yml"), """
            source: orders
            version: 1
            format: {delimiter: ','}
            max_rejected_fraction: 0.5
            columns:
              - {name: order_id, type: integer, nullable: false}
              - {name: amount, type: double, min: 0}
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        _operator = await _host.Accounts.TokenAsync("scraper", TestAccounts.Roles("OPERATOR"));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? body = null)
    {
        using var http = new HttpClient { BaseAddress = _host.Address };
        using var request = new HttpRequestMessage(method, path) { Content = body };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (method == HttpMethod.Put)
        {
            request.Headers.Add("label", "batch-1");
        }

        return await http.SendAsync(request, Ct);
    }

    /// <summary>Three order lines, one with a negative amount (quarantined): 2 loaded, 1 quarantined, 35 bytes.</summary>
    private Task<HttpResponseMessage> LoadOrdersAsync() =>
        SendAsync(HttpMethod.Put, "/api/ingest/orders", _operator, new StringContent("order_id,amount\n1,10.5\n2,-3\n3,7.25\n", Encoding.UTF8, "text/csv"));

    [Fact]
    public async Task Metrics_need_an_operators_token_and_count_what_the_host_did()
    {
        Assert.Equal(HttpStatusCode.OK, (await LoadOrdersAsync()).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Get, "/metrics", null)).StatusCode);
        var analyst = await _host.Accounts.TokenAsync("reader", TestAccounts.Roles("ANALYST"));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, "/metrics", analyst)).StatusCode);

        var scraped = await SendAsync(HttpMethod.Get, "/metrics", _operator);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        var text = await scraped.Content.ReadAsStringAsync(Ct);
        Assert.Contains("millwright_ingest_rows_total{otel_scope_name=\"Millwright\",outcome=\"loaded\",source=\"orders\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("millwright_ingest_rows_total{otel_scope_name=\"Millwright\",outcome=\"quarantined\",source=\"orders\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("millwright_stream_load_bytes_total{otel_scope_name=\"Millwright\",source=\"orders\"} 35", text, StringComparison.Ordinal);
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_response_status_code=\"200\",http_route=\"/api/ingest/\\{source\\}\"[^}]*\\} 1", text);
        Assert.Contains("process_cpu_time_seconds_total", text, StringComparison.Ordinal);
        Assert.Matches("target_info\\{[^}]*millwright_workspace=\"[^\"]+\"[^}]*service_name=\"millwright\"", text);
    }

    [Fact]
    public async Task A_metrics_port_serves_metrics_alone_without_a_token_on_loopback()
    {
        var port = TestPorts.Unused();
        var root = Directory.CreateDirectory(Path.Combine(_root, "second")).FullName;
        File.WriteAllText(Path.Combine(root, "millwright.yml"), "name: second\n");
        await using var host = await WorkspaceHost.StartAsync(root, new Dictionary<string, string> { ["MILLWRIGHT__WEB__METRICS_PORT"] = port.ToString(CultureInfo.InvariantCulture) }, Ct);
        using var local = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var scraped = await local.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("millwright_runs_queued", await scraped.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await local.GetAsync("/api/orchestration/runs", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await local.GetAsync("/health", Ct)).StatusCode);

        // The main port still wants a token.
        using var main = new HttpClient { BaseAddress = host.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await main.GetAsync("/metrics", Ct)).StatusCode);
    }

    [Fact]
    public async Task Prometheus_scrapes_the_host_with_a_token_and_answers_for_a_millwright_series()
    {
        Assert.True(File.Exists(Prometheus), $"{Prometheus} is missing: ./test.sh installs Debian's prometheus");
        Assert.Equal(HttpStatusCode.OK, (await LoadOrdersAsync()).StatusCode);
        var port = TestPorts.Unused();
        var config = Path.Combine(_root, "prometheus.yml");
        File.WriteAllText(config, $$"""
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: millwright
                metrics_path: /metrics
                authorization: {type: Bearer, credentials: "{{_operator}}"}
                static_configs: [{targets: ["{{_host.Address.Authority}}"]}]
            """);
        using var server = Process.Start(new ProcessStartInfo(Prometheus)
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_root, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var log = new StringBuilder();
        server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        server.BeginErrorReadLine();
        try
        {
            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var query = Uri.EscapeDataString("millwright_ingest_rows_total{outcome=\"loaded\",source=\"orders\"}");
            var deadline = Stopwatch.StartNew();
            string? value = null;
            while (value is null && deadline.Elapsed < TimeSpan.FromSeconds(60) && !server.HasExited)
            {
                try
                {
                    using var answer = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/query?query={query}", Ct));
                    var result = answer.RootElement.GetProperty("data").GetProperty("result");
                    value = result.GetArrayLength() > 0 ? result[0].GetProperty("value")[1].GetString() : null;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                if (value is null)
                {
                    await Task.Delay(200, Ct);
                }
            }

            string output;
            lock (log)
            {
                output = log.ToString();
            }

            Assert.True(value is not null, $"prometheus never had the series (exited: {server.HasExited}); its log:\n{output}");
            Assert.Equal(2, double.Parse(value, CultureInfo.InvariantCulture));
            using var up = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString("up{job=\"millwright\"}")}", Ct));
            Assert.Equal("1", up.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }
    }
}

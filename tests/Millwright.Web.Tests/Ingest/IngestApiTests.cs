using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Millwright.Web.Tests.Ingest;

public sealed class IngestApiTests : IAsyncLifetime
{
    private string _token = "";
    private HttpClient? _bare;
    private readonly string _root = Directory.CreateTempSubdirectory("mw-stream-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var contracts = Path.Combine(_root, "pipelines", "retail", "contracts");
        Directory.CreateDirectory(contracts);
        File.WriteAllText(Path.Combine(_root, "millwright.yml"), "name: retail\n");
        File.WriteAllText(Path.Combine(contracts, "orders.yml"), """
            source: orders
            version: 1
            format: {delimiter: ','}
            primary_key: [order_id]
            max_rejected_fraction: 0.2
            columns:
              - {name: order_id, type: integer, nullable: false}
              - {name: customer, type: string, nullable: false}
              - {name: amount, type: double, min: 0}
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
        _token = await _host.Accounts.TokenAsync("loader", TestAccounts.Roles("OPERATOR"));
    }

    /// <summary>No credentials of its own: each request carries the token it is given.</summary>
    private HttpClient Http => _bare ??= new HttpClient { BaseAddress = _host.Address };

    public async ValueTask DisposeAsync()
    {
        _bare?.Dispose();
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A CSV body written as it is sent, never held whole in memory.</summary>
    private sealed class GeneratedCsv(int rows, int start = 1, int failAfterRows = -1) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var header = "order_id,customer,amount\n"u8.ToArray();
            await stream.WriteAsync(header);
            var line = new StringBuilder();
            for (var i = start; i < start + rows; i++)
            {
                if (i - start == failAfterRows)
                {
                    await stream.FlushAsync();
                    throw new IOException("the client lost its connection");
                }

                line.Clear().Append(i).Append(",customer-").Append(i % 97).Append(',').Append(i % 500).Append(".25\n");
                await stream.WriteAsync(Encoding.UTF8.GetBytes(line.ToString()));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private async Task<HttpResponseMessage> PutAsync(HttpContent body, string? label = "batch-1", string? token = "", string source = "orders")
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/ingest/{source}") { Content = body };
        if (label is not null)
        {
            request.Headers.Add("label", label);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Length == 0 ? _token : token);
        }

        return await Http.SendAsync(request, Ct);
    }

    private async Task<long> CountAsync()
    {
        await using var scope = _host.App.Services.CreateAsyncScope();
        var warehouse = scope.ServiceProvider.GetRequiredService<Millwright.Warehouse.IWarehouse>();
        return await warehouse.GetRelationAsync(Millwright.Warehouse.RelationName.Of("raw", "orders"), Ct) is null
            ? 0
            : Convert.ToInt64(await warehouse.QueryScalarAsync("SELECT count(*) FROM raw.orders", Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_streamed_body_loads_once_per_label()
    {
        var first = await PutAsync(new GeneratedCsv(200_000));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var body = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct));
        Assert.Equal(("SUCCESS", 200_000, 0), (body.RootElement.GetProperty("status").GetString(), body.RootElement.GetProperty("rowsLoaded").GetInt64(), body.RootElement.GetProperty("rowsRejected").GetInt64()));
        Assert.False(body.RootElement.GetProperty("replayed").GetBoolean());

        var again = await PutAsync(new GeneratedCsv(10, start: 900_000));
        using var replay = JsonDocument.Parse(await again.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(replay.RootElement.GetProperty("replayed").GetBoolean());
        Assert.Equal(body.RootElement.GetProperty("loadId").GetString(), replay.RootElement.GetProperty("loadId").GetString());
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(200_000, await CountAsync());
    }

    [Fact]
    public async Task Json_lines_load_and_rejected_rows_are_reported_with_their_lines()
    {
        var jsonl = new StringContent("{\"order_id\": 1, \"customer\": \"ann\", \"amount\": 10}\n{\"order_id\": 2, \"customer\": \"bob\", \"amount\": -5}\n{\"order_id\": 3, \"customer\": \"cy\", \"amount\": 7.5}\n{\"order_id\": 4, \"customer\": \"di\", \"amount\": 1}\n{\"order_id\": 5, \"customer\": \"ed\", \"amount\": 2}\n{\"order_id\": 6, \"customer\": \"fi\", \"amount\": 3}\n", Encoding.UTF8, "application/x-ndjson");
        var response = await PutAsync(jsonl, label: "json-1");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((5, 1), (body.RootElement.GetProperty("rowsLoaded").GetInt64(), body.RootElement.GetProperty("rowsRejected").GetInt64()));
        var rejected = Assert.Single(body.RootElement.GetProperty("rejected").EnumerateArray());
        Assert.Equal(2, rejected.GetProperty("line").GetInt64());
        Assert.Equal("range: amount is -5, below the minimum 0", rejected.GetProperty("rule").GetString());

        var bad = await PutAsync(new StringContent("order_id,customer,amount\n1,,1\n2,,2\n", Encoding.UTF8, "text/csv"), label: "bad-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        Assert.Contains("nothing was loaded", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(5, await CountAsync());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_body_loads_nothing_and_keeps_its_label_free()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => PutAsync(new GeneratedCsv(100_000, failAfterRows: 50_000), label: "cut-1"));
        Assert.Equal(0, await CountAsync());

        var retry = await PutAsync(new GeneratedCsv(1_000), label: "cut-1");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(1_000, await CountAsync());

        // The cut request's handler deletes its spool file in its own time after the client has seen the disconnect,
        // so the folder is watched until that handler has finished, with a deadline, rather than read once.
        var spool = Path.Combine(_root, ".millwright", "spool");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Directory.GetFiles(spool).Length > 0 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(25, Ct);
        }

        Assert.Empty(Directory.GetFiles(spool));
    }

    [Fact]
    public async Task Bodies_with_nul_bytes_or_in_utf16_are_refused_with_4xx_naming_where_and_load_nothing()
    {
        var cases = new (string Label, string ContentType, byte[] Body, string Expected)[]
        {
            ("nul-1", "text/csv", "order_id,customer,amount\n1,a\0b,1\n2,c,2\n"u8.ToArray(), "line 2, column 4: a NUL byte"),
            ("nul-2", "text/csv", "order_id\0,customer,amount\n1,a,1\n"u8.ToArray(), "line 1, column 9: a NUL byte"),
            ("nul-3", "text/csv", new byte[4096], "line 1, column 1: a NUL byte, which text never holds"),
            ("nul-4", "application/x-ndjson", "{\"order_id\": 1, \"customer\": \"a\", \"amount\": 1}\n\0\0\n"u8.ToArray(), "line 2, column 1: a NUL byte"),
            ("utf16-1", "text/csv", Encoding.Unicode.GetBytes("order_id,customer,amount\n1,a,1\n"), "looks like UTF-16 without a byte order mark"),
            ("utf16-2", "text/csv", Encoding.BigEndianUnicode.GetBytes("order_id,customer,amount\n1,a,1\n"), "looks like UTF-16 without a byte order mark"),
            ("latin1-1", "text/csv", Encoding.Latin1.GetBytes("order_id,customer,amount\n1,M\u00fcller,1\n"), "nothing was loaded"),
        };
        var wrong = new List<string>();
        foreach (var (label, type, bytes, expected) in cases)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(type);
            var response = await PutAsync(content, label);
            var text = await response.Content.ReadAsStringAsync(Ct);
            if ((int)response.StatusCode is < 400 or >= 500 || !text.Contains(expected, StringComparison.Ordinal))
            {
                wrong.Add($"{label}: {(int)response.StatusCode} {text}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(0, await CountAsync());

        var retry = await PutAsync(new GeneratedCsv(3), label: "good-1");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(3, await CountAsync());
    }

    [Fact]
    public async Task Callers_without_an_operators_token_a_label_or_a_known_source_are_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PutAsync(new GeneratedCsv(1), token: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PutAsync(new GeneratedCsv(1), token: "mw_wrong-token-0123456789")).StatusCode);
        var analyst = await _host.Accounts.TokenAsync("reader", TestAccounts.Roles("ANALYST"));
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(new GeneratedCsv(1), token: analyst)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync(new GeneratedCsv(1), label: null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync(new GeneratedCsv(1), label: "bad label!")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(new GeneratedCsv(1), source: "returns")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PutAsync(new StringContent("<x/>", Encoding.UTF8, "application/xml"))).StatusCode);
        Assert.Equal(0, await CountAsync());
    }
}

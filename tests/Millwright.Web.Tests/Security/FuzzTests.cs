using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Millwright.Warehouse;

namespace Millwright.Web.Tests.Security;

/// <summary>
/// Malformed requests against every API (every route of the route table, every operation of the OpenAPI document
/// with each field of its body mistyped, every list with broken paging, sorting and filters, broken headers) as an
/// ADMIN, who may reach everything: none may answer 5xx, none may succeed, and the stores must not change.
/// </summary>
public sealed partial class FuzzTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-fuzz-").FullName;
    private WorkspaceHost _host = null!;
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var pipeline = Path.Combine(_root, "pipelines", "plant");
        Directory.CreateDirectory(Path.Combine(pipeline, "landing"));
        Directory.CreateDirectory(Path.Combine(pipeline, "contracts"));
        File.WriteAllText(Path.Combine(pipeline, "pipeline.yml"), """
            assets:
              - key: numbers
                sql: select range as n from range(3)
              - key: daily
                sql: select {{ partition_start }} as day
                partitions: {daily: {start: 2026-01-01}}
                partition_column: day
            """);
        File.WriteAllText(Path.Combine(pipeline, "contracts", "orders.yml"), """
            source: orders
            version: 1
            columns:
              - {name: order_id, type: integer, nullable: false}
              - {name: amount, type: double, min: 0}
            """);
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);

        // One row of each kind, so that ids in paths and bodies point at something real and checks run past "not found".
        var admin = _host.Client;
        var site = await Id(admin, "sites", new { code = "WS-1", name = "Workshop", kind = "WORKSHOP" });
        await Id(admin, "stock-locations", new { code = "ST-1", name = "Store", kind = "STOCK", siteId = site });
        await Id(admin, "parts", new { sku = "P-1", name = "Part", standardCost = 10m });
        await Id(admin, "mechanics", new { employeeNumber = "M-1", name = "Ines", siteId = site, hourlyCost = 28m, billableRate = 75m });
        var model = await Id(admin, "vehicle-models", new { code = "MOTO", make = "Volta", name = "Moto", bodyType = "MOTORCYCLE", chemistry = "NMC", nominalKwh = 9.8m });
        var vehicle = await Id(admin, "vehicles", new { code = "V-1", siteId = site, vin = "VF1MTREE000000001", modelId = model, modelYear = 2024 });
        await Id(admin, "suppliers", new { code = "SUP-1", name = "Supplier", leadTimeDays = 2 });
        await Id(admin, "service-orders", new { assetId = vehicle, type = "CORRECTIVE", priority = "HIGH", description = "Port" });
        using var run = await admin.PostAsync("/api/orchestration/runs", JsonContent.Create(new { selection = "numbers" }), Ct);
        Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync(Ct));

        // The state the test compares is taken once that run has ended (at most a minute: a run that never ends fails here).
        var id = JsonNode.Parse(await run.Content.ReadAsStringAsync(Ct))!["runId"]!.GetValue<string>();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        string? status = null;
        while (status is not ("SUCCESS" or "FAILURE" or "CANCELED") && deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(100, Ct);
            status = JsonNode.Parse(await admin.GetStringAsync($"/api/orchestration/runs/{id}", Ct))!["status"]!.GetValue<string>();
        }

        Assert.Equal("SUCCESS", status);
    }

    private async Task<long> Id(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsync($"/api/ops/{path}", JsonContent.Create(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {text}");
        var id = JsonNode.Parse(text)!["id"]!.GetValue<long>();
        _ids[path] = id;
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Values no field of the given JSON type may take: the wrong type, out of range, text with control characters.</summary>
    private static IEnumerable<string> Wrong(string? type, string field) => type switch
    {
        "integer" => ["\"x\"", "true", "[]", "{}", "1.5", "1e309", "9223372036854775808", "-9223372036854775809"],
        "number" when field.Contains("quantity", StringComparison.OrdinalIgnoreCase) => ["\"x\"", "[]", "1e309", "1e-10", "0.00000000000000001", "-1"],
        "number" => ["\"x\"", "true", "[]", "{}", "1e309", "-1e309"],
        "boolean" => ["\"x\"", "1", "[]"],
        "array" => ["\"x\"", "1", "{}", "[1e309]"],
        "object" => ["\"x\"", "1", "[]"],
        "date-time" => ["\"2026-13-45T99:00:00Z\"", "\"yesterday\"", "1", "[]"],
        _ => ["\"a\\u0000b\"", "\"\\u0001\"", "\"\\ud800\"", "1", "[]", "{}", "\"" + new string('x', 100_000) + "\""],
    };

    /// <summary>Bodies that are not the JSON an operation reads.</summary>
    private static readonly string[] BrokenBodies =
    [
        "", "{", "[", "null", "\"x\"", "{\"a\":", "{\"a\": 1,}", new string('[', 5_000) + new string(']', 5_000), "{\"version\": \"one\"}", "\u00ff\u00fe{",
    ];

    [Fact]
    public async Task Hundreds_of_malformed_requests_across_every_api_get_4xx_and_change_nothing()
    {
        var before = await SnapshotAsync();
        var requests = new List<HttpRequestMessage>();
        requests.AddRange(RouteTableRequests());
        requests.AddRange(await OpenApiRequestsAsync());
        requests.AddRange(ListRequests());
        requests.AddRange(HeaderRequests());
        Assert.True(requests.Count >= 300, $"only {requests.Count} malformed requests");

        // The ADMIN's token on a client that sends header values as UTF-8 bytes, as a hostile client would.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _host.Address };
        client.DefaultRequestHeaders.Authorization = _host.Client.DefaultRequestHeaders.Authorization;
        var wrong = new List<string>();
        foreach (var request in requests)
        {
            var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync(Ct);
            var what = $"{request.Method} {request.RequestUri} {sent[..Math.Min(sent.Length, 160)]}";
            using (request)
            using (var response = await client.SendAsync(request, Ct))
            {
                var status = (int)response.StatusCode;
                var readOnly = request.Method == HttpMethod.Get;
                if (status >= 500 || (!readOnly && status < 400))
                {
                    wrong.Add($"{what[..Math.Min(what.Length, 200)]} answered {status}: {(await response.Content.ReadAsStringAsync(Ct))[..Math.Min(300, (int)(response.Content.Headers.ContentLength ?? 300))]}");
                }
            }
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {requests.Count}:\n" + string.Join("\n", wrong.Take(40)));
        Assert.Equal(before, await SnapshotAsync());
        Assert.False(File.Exists("/tmp/pwned.txt"));
    }

    /// <summary>Every route with hostile values in its parameters and a broken body.</summary>
    private IEnumerable<HttpRequestMessage> RouteTableRequests()
    {
        var endpoints = _host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        string[] values = ["0", "-1", "9223372036854775807", "%00", "a%27%3B--", "..%2F..%2Fmillwright.yml", new string('9', 400)];
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText!;
            if (pattern is "/signin" or "/signout" or "/" || !ParameterPattern().IsMatch(pattern))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                foreach (var value in values)
                {
                    var path = ParameterPattern().Replace(pattern, value);
                    yield return Request(method, path, method is "GET" or "DELETE" ? null : BrokenBodies[values.AsSpan().IndexOf(value) % BrokenBodies.Length]);
                }
            }
        }
    }

    /// <summary>Each operation of the OpenAPI document with a body: broken bodies, and each field in turn mistyped.</summary>
    private async Task<IEnumerable<HttpRequestMessage>> OpenApiRequestsAsync()
    {
        var document = JsonNode.Parse(await _host.Client.GetStringAsync("/openapi/v1.json", Ct))!;
        var schemas = document["components"]?["schemas"]?.AsObject();
        var requests = new List<HttpRequestMessage>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is not ("post" or "put" or "patch") || template.StartsWith("/signin", StringComparison.Ordinal))
                {
                    continue;
                }

                // An action that takes neither a body nor a parameter (reload the pipelines) has nothing to malform:
                // a body sent to it is ignored, as HTTP allows, and it does what it always does.
                if (operation!["requestBody"] is null && !template.Contains('{', StringComparison.Ordinal))
                {
                    continue;
                }

                var path = ParameterPattern().Replace(template, m => m.Value.Contains("orderPartId", StringComparison.Ordinal) || m.Value.Contains("assignmentId", StringComparison.Ordinal) ? "1" : Existing(template));
                foreach (var broken in BrokenBodies)
                {
                    requests.Add(Request(method.ToUpperInvariant(), path, broken));
                }

                var schema = Resolve(operation!["requestBody"]?["content"]?["application/json"]?["schema"], schemas);
                var properties = schema?["properties"]?.AsObject() ?? Resolve(schema?["items"], schemas)?["properties"]?.AsObject();
                if (properties is null)
                {
                    continue;
                }

                var array = schema?["items"] is not null && schema["properties"] is null;
                var fields = properties.Select(p => p.Key).ToList();
                foreach (var field in fields)
                {
                    var type = Type(Resolve(properties[field], schemas));
                    foreach (var value in Wrong(type, field))
                    {
                        var body = "{" + string.Join(",", fields.Select(f => $"\"{f}\":{(f == field ? value : Plausible(f, Type(Resolve(properties[f], schemas))))}")) + "}";
                        requests.Add(Request(method.ToUpperInvariant(), path, array ? $"[{body}]" : body));
                    }
                }
            }
        }

        return requests;
    }

    /// <summary>A real id for the resource a path is under (so the request reaches its validation, not a 404).</summary>
    private string Existing(string template)
    {
        var resource = template.Split('/', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) ?? "";
        return (_ids.TryGetValue(resource, out var id) ? id : 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A value of the right type for a field that is not the one being broken; still wrong enough that the whole body is refused with it.</summary>
    private string Plausible(string field, string? type) => field switch
    {
        "version" => "1",
        _ when field.EndsWith("Id", StringComparison.Ordinal) && _ids.Count > 0 => "1",
        _ => type switch
        {
            "integer" => "1",
            "number" => "1",
            "date-time" => "\"2026-01-01T00:00:00Z\"",
            "boolean" => "false",
            "array" => "[]",
            "object" => "{}",
            _ => "\"x\"",
        },
    };

    private static JsonNode? Resolve(JsonNode? schema, JsonObject? schemas)
    {
        for (var i = 0; i < 10 && schema?["$ref"]?.GetValue<string>() is { } reference; i++)
        {
            schema = schemas?[reference.Split('/')[^1]];
        }

        return schema;
    }

    private static string? Type(JsonNode? schema) => schema?["format"]?.GetValue<string>() == "date-time" ? "date-time" : schema?["type"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => a.Select(t => t?.GetValue<string>()).FirstOrDefault(t => t is not "null"),
        _ => schema?["enum"] is not null ? "string" : null,
    };

    /// <summary>Every list: broken paging, sorting, cursors and filters.</summary>
    private static IEnumerable<HttpRequestMessage> ListRequests()
    {
        string[] lists = ["sites", "parts", "service-orders", "order-parts", "inventory-movements", "audit-log", "telemetry-readings", "purchase-orders", "vehicles"];
        string[] queries =
        [
            "page=0", "page=-1", "page=abc", "page=2147483648", "pageSize=0", "pageSize=100000", "pageSize=1e3", "sort=nope", "sort=%27%3B%20drop%20table%20sites%3B--", "sort=-",
            "after=abc", "after=-99999999999999999999", "id=abc", "id_gte=2026-01-01", "nope=1", "description=%00", "description=a%01b", "createdAt_gte=yesterday", "status=NOT_A_STATUS", "id=%27%20or%201%3D1--",
        ];
        foreach (var list in lists)
        {
            foreach (var query in queries)
            {
                yield return Request("GET", $"/api/ops/{list}?{query}", null);
            }
        }

        foreach (var query in new[] { "status=NOPE", "limit=-1", "limit=abc", "tag=%00", "asset=%27" })
        {
            yield return Request("GET", $"/api/orchestration/runs?{query}", null);
        }
    }

    /// <summary>Broken headers on reads and writes: correlation ids, versions, idempotency keys, content types, labels.</summary>
    private IEnumerable<HttpRequestMessage> HeaderRequests()
    {
        string[] correlation = ["\u00e9t\u00e9", "\u0001\u0002", new string('c', 10_000), "a\tb", "\ud83d\ude00"];
        foreach (var id in correlation)
        {
            foreach (var path in new[] { "/health", "/api/ops/sites", "/api/orchestration/runs" })
            {
                var request = Request("GET", path, null);
                request.Headers.TryAddWithoutValidation("X-Correlation-Id", id);
                yield return request;
            }
        }

        var order = _ids.GetValueOrDefault("service-orders", 1);
        foreach (var version in new[] { "\"abc\"", "W/\"x\"", "-1", "99999999999999999999", "\u00e9" })
        {
            var patch = Request("PATCH", $"/api/ops/service-orders/{order}", "{\"description\": \"changed\"}");
            patch.Headers.TryAddWithoutValidation("If-Match", version);
            yield return patch;
        }

        yield return Request("PATCH", $"/api/ops/service-orders/{order}", "{\"description\": \"changed\"}");
        yield return Request("PATCH", $"/api/ops/sites/{_ids.GetValueOrDefault("sites", 1)}", "{\"name\": \"changed\"}");
        yield return Request("PATCH", $"/api/ops/sites/{_ids.GetValueOrDefault("sites", 1)}", "{\"name\": \"changed\", \"version\": \"1\"}");

        foreach (var key in new[] { new string('k', 10_000), "\u0001" })
        {
            var issue = Request("POST", $"/api/ops/service-orders/{order}/parts/issue", "{\"partId\": 1, \"locationId\": 1, \"quantity\": 1}");
            issue.Headers.TryAddWithoutValidation("Idempotency-Key", key);
            yield return issue;
        }

        foreach (var type in new[] { "text/plain", "application/xml", "application/json; charset=utf-16", "multipart/form-data; boundary=x" })
        {
            var create = Request("POST", "/api/ops/sites", "{\"code\": \"X\", \"name\": \"X\", \"kind\": \"WORKSHOP\"}");
            create.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            yield return create;
        }

        foreach (var (label, body) in new[] { ("", "order_id,amount\n1,1\n"), ("a/../b", "order_id,amount\n1,1\n"), ("nul", "order_id,amount\n1,\0\n"), ("neg", "order_id,amount\n1,-1\n2,-2\n"), ("u16", "\0o\0r\0d\0e\0r") })
        {
            var load = Request("PUT", "/api/ingest/orders", null);
            load.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            load.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            load.Headers.TryAddWithoutValidation("label", label);
            yield return load;
        }

        yield return Request("PUT", "/api/ingest/..%2F..%2Fmillwright", null);
    }

    private static HttpRequestMessage Request(string method, string path, string? body) =>
        new(new HttpMethod(method), path)
        {
            Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"),
        };

    /// <summary>What a malformed request could have changed: the row count of every list, the runs, the warehouse's relations and raw rows.</summary>
    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        var document = JsonNode.Parse(await _host.Client.GetStringAsync("/openapi/v1.json", Ct))!;
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            if (template.StartsWith("/api/ops/", StringComparison.Ordinal) && !template.Contains('{', StringComparison.Ordinal) && item!["get"] is not null && template != "/api/ops/inventory/reconciliation")
            {
                var page = JsonNode.Parse(await _host.Client.GetStringAsync($"{template}?pageSize=1", Ct))!;
                lines.Add($"{template}: {page["total"]}");
            }
        }

        var runs = JsonNode.Parse(await _host.Client.GetStringAsync("/api/orchestration/runs", Ct))!;
        lines.Add($"runs: {runs.ToJsonString()}");
        lines.Add($"backfills: {await _host.Client.GetStringAsync("/api/orchestration/backfills", Ct)}");
        await using var scope = _host.App.Services.CreateAsyncScope();
        var warehouse = scope.ServiceProvider.GetRequiredService<IWarehouse>();
        foreach (var relation in (await warehouse.ListRelationsAsync(cancellationToken: Ct)).Where(r => r.Schema != "ingest").OrderBy(r => r.Relation.ToString(), StringComparer.Ordinal))
        {
            lines.Add($"{relation.Relation}: {await warehouse.QueryScalarAsync($"select count(*) from {relation.Relation}", Ct)}");
        }

        lines.Add($"workspace files: {string.Join(", ", Directory.GetFiles(Path.Combine(_root, "pipelines"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))}");
        return string.Join("\n", lines);
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex ParameterPattern();
}

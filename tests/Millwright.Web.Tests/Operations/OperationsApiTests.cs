using System.Net;

namespace Millwright.Web.Tests.Operations;

/// <summary>The operational API over loopback as a planner's browser or a mechanic's phone uses it, on SQLite and PostgreSQL.</summary>
public abstract class OperationsApiTests(bool postgres) : IAsyncLifetime
{
    private ApiHost _host = null!;
    private HttpClient _admin = null!;
    private HttpClient _planner = null!;
    private HttpClient _manager = null!;
    private HttpClient _supervisor = null!;
    private long _site;
    private long _room;
    private long _part;
    private long _vehicle;
    private long _mechanic;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.StartAsync(postgres, Ct);
        _admin = await _host.AsAsync("ada", "ADMIN");
        _planner = await _host.AsAsync("pat", "PLANNER");
        _manager = await _host.AsAsync("max", "MANAGER");
        _supervisor = await _host.AsAsync("sam", "SUPERVISOR");
        _site = (await _admin.OkAsync("/api/ops/sites", new { code = "WS-POR", name = "Porto workshop", kind = "WORKSHOP" }, Ct)).Id();
        _room = (await _admin.OkAsync("/api/ops/stock-locations", new { code = "POR-STOCK", name = "Porto store room", kind = "STOCK", siteId = _site }, Ct)).Id();
        _part = (await _admin.OkAsync("/api/ops/parts", new { sku = "CHG-PORT-T2", name = "Type 2 charge port", standardCost = 120m }, Ct)).Id();
        _mechanic = (await _admin.OkAsync("/api/ops/mechanics", new { employeeNumber = "M-100", name = "Ines Costa", siteId = _site, hourlyCost = 28m, billableRate = 75m }, Ct)).Id();
        var model = (await _admin.OkAsync("/api/ops/vehicle-models", new { code = "MOTO-E", make = "Volta", name = "Moto E", bodyType = "MOTORCYCLE", chemistry = "NMC", nominalKwh = 9.8m }, Ct)).Id();
        _vehicle = (await _admin.OkAsync("/api/ops/vehicles", new { code = "MOTO-0001", siteId = _site, vin = "VF1MTREE000000001", modelId = model, modelYear = 2024 }, Ct)).Id();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in new[] { _admin, _planner, _manager, _supervisor })
        {
            client?.Dispose();
        }

        await _host.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task The_api_drives_a_service_order_from_open_to_closed_and_every_step_shows_in_history_ledger_and_audit()
    {
        await ReceiveAsync(4);
        using var mechanic = await _host.AsAsync("ines.costa", "MECHANIC", _mechanic);
        var order = await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "CORRECTIVE", priority = "HIGH", description = "Charge port does not latch", assetDown = true }, Ct);
        var id = order.Id();
        Assert.Equal("OPEN", order["status"]!.GetValue<string>());

        await _planner.OkAsync($"/api/ops/service-orders/{id}/assignments", new { mechanicId = _mechanic, role = "LEAD" }, Ct);
        await _planner.OkAsync($"/api/ops/service-orders/{id}/schedule", new { }, Ct);
        var start = await mechanic.OkAsync($"/api/ops/service-orders/{id}/work-events", new { mechanicId = _mechanic, type = "START" }, Ct);
        Assert.Equal("IN_PROGRESS", start["orderStatus"]!.GetValue<string>());
        await mechanic.OkAsync($"/api/ops/service-orders/{id}/parts/issue", new { partId = _part, locationId = _room, quantity = 1 }, Ct);
        await mechanic.OkAsync($"/api/ops/service-orders/{id}/work-events", new { mechanicId = _mechanic, type = "FINISH" }, Ct);
        await mechanic.OkAsync($"/api/ops/service-orders/{id}/diagnoses", new { finding = "Latch spring broken" }, Ct);
        await mechanic.OkAsync($"/api/ops/service-orders/{id}/complete", new { resolutionCode = "REPLACED", downtimeEnd = DateTime.UtcNow }, Ct);
        var invoice = await _planner.OkAsync($"/api/ops/service-orders/{id}/invoice", new { taxRate = 0.23m, partsMarkup = 0.25m }, Ct);
        await _planner.OkAsync($"/api/ops/invoices/{invoice.Id()}/issue", new { }, Ct);
        var closed = await _supervisor.OkAsync($"/api/ops/service-orders/{id}/close", new { }, Ct);
        Assert.Equal("CLOSED", closed["status"]!.GetValue<string>());

        var history = await _admin.GetJsonAsync($"/api/ops/service-order-status-history?serviceOrderId={id}&sort=sequence", Ct);
        Assert.Equal(["OPEN", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "CLOSED"], history["items"]!.AsArray().Select(h => h!["toStatus"]!.GetValue<string>()));
        var movements = await _admin.GetJsonAsync($"/api/ops/inventory-movements?serviceOrderId={id}", Ct);
        var issue = Assert.Single(movements["items"]!.AsArray());
        Assert.Equal("ISSUE_TO_ORDER", issue!["type"]!.GetValue<string>());
        var audit = await _admin.GetJsonAsync($"/api/ops/audit-log?entityType=service_orders&entityId={id}&pageSize=100", Ct);
        var actors = audit["items"]!.AsArray().Select(a => a!["actor"]!.GetValue<string>()).ToHashSet();
        Assert.Superset(new HashSet<string> { "pat", "ines.costa", "sam" }, actors);
        var lines = await _admin.GetJsonAsync($"/api/ops/invoice-lines?invoiceId={invoice.Id()}", Ct);
        Assert.Contains(lines["items"]!.AsArray(), l => l!["kind"]!.GetValue<string>() == "PARTS" && l["unitPrice"]!.GetValue<decimal>() == 150m);
        var reconciliation = await _admin.GetJsonAsync("/api/ops/inventory/reconciliation", Ct);
        Assert.True(reconciliation["isClean"]!.GetValue<bool>(), reconciliation.ToJsonString());
    }

    [Fact]
    public async Task Sixteen_concurrent_requests_for_the_last_units_succeed_exactly_as_often_as_there_is_stock()
    {
        await ReceiveAsync(5);
        var orders = new List<long>();
        for (var i = 0; i < 16; i++)
        {
            orders.Add((await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "CORRECTIVE", priority = "LOW", description = $"Port #{i}" }, Ct)).Id());
        }

        var results = await Task.WhenAll(orders.Select(o =>
            _supervisor.PostAsync($"/api/ops/service-orders/{o}/parts/issue", new { partId = _part, locationId = _room, quantity = 1 }, Ct)));

        Assert.Equal(5, results.Count(r => r.Status == 201));
        var refused = results.Where(r => r.Status != 201).ToList();
        Assert.Equal(11, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.Equal(422, r.Status);
            Assert.Equal("stock.insufficient", r.Body!["rule"]!.GetValue<string>());
        });
        var balance = await _admin.GetJsonAsync($"/api/ops/stock-balances?partId={_part}&locationId={_room}", Ct);
        Assert.Equal(0m, balance["items"]![0]!["onHand"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_stale_write_gets_409_with_the_current_version()
    {
        var created = await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "INSPECTION", priority = "LOW", description = "Yearly check" }, Ct);
        var path = $"/api/ops/service-orders/{created.Id()}";
        using var read = await _planner.GetAsync(path, Ct);
        var etag = read.Headers.ETag!.Tag;

        using var first = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(new { priority = "HIGH" }) };
        first.Headers.TryAddWithoutValidation("If-Match", etag);
        using var ok = await _planner.SendAsync(first, Ct);
        using var second = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(new { priority = "CRITICAL" }) };
        second.Headers.TryAddWithoutValidation("If-Match", etag);
        using var stale = await _planner.SendAsync(second, Ct);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType!.MediaType);
        var problem = await Http.ParseAsync(stale, Ct);
        Assert.Contains("version 2", problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_write_without_the_version_it_changes_gets_428_and_changes_nothing()
    {
        var created = await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "INSPECTION", priority = "LOW", description = "Check" }, Ct);
        var path = $"/api/ops/service-orders/{created.Id()}";

        using var blind = await _planner.PatchAsync(path, JsonContent.Create(new { priority = "HIGH" }), Ct);
        using var badVersion = await _planner.PatchAsync(path, JsonContent.Create(new { priority = "HIGH", version = "one" }), Ct);
        using var withVersion = await _planner.PatchAsync(path, JsonContent.Create(new { priority = "HIGH", version = 1 }), Ct);

        Assert.Equal(HttpStatusCode.PreconditionRequired, blind.StatusCode);
        Assert.Contains("If-Match", (await Http.ParseAsync(blind, Ct))!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withVersion.StatusCode);
        Assert.Equal(2, (await _planner.GetJsonAsync(path, Ct))["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Oversized_non_json_or_control_character_bodies_get_413_415_and_400()
    {
        // A client that announces its 50 MB body (Expect: 100-continue) hears 413 before sending it.
        using var huge = new HttpRequestMessage(HttpMethod.Post, "/api/ops/service-orders") { Content = new ByteArrayContent(new byte[50 * 1024 * 1024]) };
        huge.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        huge.Headers.ExpectContinue = true;
        using var tooLarge = await _planner.SendAsync(huge, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        using var form = await _planner.PostAsync("/api/ops/service-orders", new StringContent("{\"assetId\":1}", System.Text.Encoding.UTF8, "text/plain"), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);

        var nul = await _planner.PostAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "CORRECTIVE", priority = "LOW", description = "a\0b" }, Ct);
        Assert.Equal(400, nul.Status);
        Assert.Contains("U+0000", nul.Body!["errors"]!["description"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var page = await _planner.GetJsonAsync("/api/ops/service-orders?page=2147483647", Ct);
        Assert.Empty(page["items"]!.AsArray());
    }

    [Fact]
    public async Task Errors_are_problem_details_that_name_the_field_the_entity_or_the_rule()
    {
        var badType = await _planner.PostAsync("/api/ops/service-orders", new { assetId = "seven", type = "CORRECTIVE", priority = "LOW", description = "x" }, Ct);
        Assert.Equal(400, badType.Status);
        Assert.NotNull(badType.Body!["errors"]!["assetId"]);

        var badEnum = await _planner.PostAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "REPAIR", priority = "LOW", description = "x" }, Ct);
        Assert.Equal(400, badEnum.Status);
        Assert.Contains("CORRECTIVE", badEnum.Body!["errors"]!["type"]![0]!.GetValue<string>(), StringComparison.Ordinal);

        var missing = await _planner.PostAsync("/api/ops/service-orders/1/hold", new { }, Ct);
        Assert.Equal(400, missing.Status);
        Assert.NotNull(missing.Body!["errors"]!["reason"]);

        var invalidVin = await _admin.PostAsync("/api/ops/vehicles", new { code = "X-1", siteId = _site, vin = "SHORT", modelId = 1, modelYear = 2024 }, Ct);
        Assert.Equal(400, invalidVin.Status);
        Assert.NotNull(invalidVin.Body!["errors"]!["vin"]);

        var notFound = await _planner.PostAsync("/api/ops/service-orders/999999/schedule", new { }, Ct);
        Assert.Equal(404, notFound.Status);
        Assert.Contains("service order 999999", notFound.Body!["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var order = await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "INSPECTION", priority = "LOW", description = "Check" }, Ct);
        var rule = await _planner.PostAsync($"/api/ops/service-orders/{order.Id()}/schedule", new { }, Ct);
        Assert.Equal(422, rule.Status);
        Assert.Equal("service_order.schedule_needs_assignment", rule.Body!["rule"]!.GetValue<string>());

        using var anonymous = new HttpClient { BaseAddress = _host.Address };
        var noActor = await anonymous.PostAsync("/api/ops/sites", new { code = "S", name = "S", kind = "PLANT" }, Ct);
        Assert.Equal(401, noActor.Status);

        var forbidden = await _planner.PostAsync($"/api/ops/service-orders/{order.Id()}/close", new { }, Ct);
        Assert.Equal(403, forbidden.Status);

        var duplicate = await _admin.PostAsync("/api/ops/sites", new { code = "WS-POR", name = "Again", kind = "WORKSHOP" }, Ct);
        Assert.Equal(409, duplicate.Status);
    }

    [Fact]
    public async Task A_retried_work_event_with_the_same_idempotency_key_is_recorded_once()
    {
        using var mechanic = await _host.AsAsync("ines.costa", "MECHANIC", _mechanic);
        var id = (await _planner.OkAsync("/api/ops/service-orders", new { assetId = _vehicle, type = "PREVENTIVE", priority = "MEDIUM", description = "Service" }, Ct)).Id();
        await _planner.OkAsync($"/api/ops/service-orders/{id}/assignments", new { mechanicId = _mechanic, role = "LEAD" }, Ct);
        await _planner.OkAsync($"/api/ops/service-orders/{id}/schedule", new { }, Ct);
        var body = new { mechanicId = _mechanic, type = "START" };

        var first = await mechanic.PostAsync($"/api/ops/service-orders/{id}/work-events", body, Ct, idempotencyKey: "tap-1");
        var retry = await mechanic.PostAsync($"/api/ops/service-orders/{id}/work-events", body, Ct, idempotencyKey: "tap-1");

        Assert.Equal(201, first.Status);
        Assert.Equal(200, retry.Status);
        Assert.Equal(first.Body!["event"]!.Id(), retry.Body!["event"]!.Id());
        var events = await _admin.GetJsonAsync($"/api/ops/work-events?serviceOrderId={id}", Ct);
        Assert.Equal(1, events["total"]!.GetValue<long>());
    }

    [Fact]
    public async Task Lists_page_filter_and_sort()
    {
        for (var i = 0; i < 7; i++)
        {
            await _admin.OkAsync("/api/ops/customers", new { code = $"C-{i:D2}", name = $"Customer {i}", isFleet = i % 2 == 0 }, Ct);
        }

        var page = await _admin.GetJsonAsync("/api/ops/customers?isFleet=true&sort=-code&page=2&pageSize=2", Ct);

        Assert.Equal(4, page["total"]!.GetValue<long>());
        Assert.Equal(["C-02", "C-00"], page["items"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()));
        using var bad = await _admin.GetAsync("/api/ops/customers?sort=shoeSize", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_operations_api()
    {
        var doc = await _admin.GetJsonAsync("/openapi/v1.json", Ct);

        var paths = doc["paths"]!.AsObject();
        Assert.Contains("/api/ops/service-orders/{id}/work-events", paths.Select(p => p.Key));
        Assert.Contains("/api/ops/purchase-orders/{id}/receive", paths.Select(p => p.Key));
        Assert.True(paths.Count >= 60, $"{paths.Count} paths");
    }

    private async Task ReceiveAsync(decimal quantity)
    {
        var supplier = (await _admin.OkAsync("/api/ops/suppliers", new { code = $"SUP-{Guid.NewGuid():N}"[..12], name = "Charge Parts Lda", leadTimeDays = 2 }, Ct)).Id();
        var po = await _planner.OkAsync("/api/ops/purchase-orders", new { supplierId = supplier, receiveLocationId = _room, lines = new[] { new { partId = _part, quantity } } }, Ct);
        await _planner.OkAsync($"/api/ops/purchase-orders/{po.Id()}/submit", new { }, Ct);
        await _manager.OkAsync($"/api/ops/purchase-orders/{po.Id()}/approve", new { }, Ct);
        var line = (await _admin.GetJsonAsync($"/api/ops/purchase-order-lines?purchaseOrderId={po.Id()}", Ct))["items"]![0]!;
        var received = await _planner.OkAsync($"/api/ops/purchase-orders/{po.Id()}/receive", new { lines = new[] { new { lineId = line.Id(), quantity } } }, Ct);
        Assert.Equal("RECEIVED", received["status"]!.GetValue<string>());
    }
}

public sealed class SqliteOperationsApiTests() : OperationsApiTests(postgres: false);

public sealed class PostgresOperationsApiTests() : OperationsApiTests(postgres: true);

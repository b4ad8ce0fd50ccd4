using Millwright.Domain;
using Millwright.Operations;

namespace Millwright.Web.Operations;

internal sealed record AssignRequest(long MechanicId, AssignmentRole Role = AssignmentRole.Assist);
internal sealed record ScheduleRequest(DateTime? ScheduledStart = null, long? Version = null);
internal sealed record ReasonRequest(string Reason, long? Version = null);
internal sealed record VersionRequest(long? Version = null);
internal sealed record CompleteRequest(string? ResolutionCode = null, string? ResolutionNotes = null, DateTime? DowntimeEnd = null, long? Version = null);
internal sealed record WorkEventRequest(long MechanicId, WorkEventType Type, DateTime? OccurredAt = null, string? Note = null);
internal sealed record DiagnosisRequest(string Finding, long? DiagnosticCodeId = null, long? MechanicId = null, string? RootCause = null);
internal sealed record PartRequest(long PartId, long LocationId, decimal Quantity);
internal sealed record ReturnRequest(decimal Quantity, long? ToLocationId = null);
internal sealed record ReleaseRequest(decimal? Quantity = null);
internal sealed record InvoiceRequest(decimal TaxRate = 0, decimal PartsMarkup = 0, IReadOnlyList<InvoiceFee>? Fees = null);
internal sealed record TransferRequest(long PartId, long FromLocationId, long ToLocationId, decimal Quantity, string? Note = null);
internal sealed record AdjustRequest(long PartId, long LocationId, decimal Delta, string Reason);
internal sealed record ScrapRequest(long PartId, long LocationId, decimal Quantity, string Reason);
internal sealed record PurchaseOrderRequest(long SupplierId, long ReceiveLocationId, IReadOnlyList<PurchaseLineInput> Lines, DateTime? ExpectedAt = null, string? Note = null);
internal sealed record ReceiveRequest(IReadOnlyList<ReceiptLineInput> Lines);
internal sealed record InstallPackRequest(long BatteryPackId, long? ServiceOrderId = null);
internal sealed record ClearAlertRequest(long? ServiceOrderId = null);
internal sealed record LinkAlertRequest(long ServiceOrderId);
internal sealed record WorkEventResponse(WorkEvent Event, ServiceOrderStatus OrderStatus);
internal sealed record IssueResponse(OrderPart Line, InventoryMovement Movement);
internal sealed record TelemetryResponse(int Recorded);

/// <summary>The operational REST API under <c>/api/ops</c>: every table readable, master data writable, the workflow as POST verbs.</summary>
internal static class OperationsApi
{
    public static RouteGroupBuilder MapOperationsApi(this IEndpointRouteBuilder endpoints)
    {
        var ops = endpoints.MapGroup("/api/ops").RequireAuthorization(Security.Policies.Operations);

        ops.MapMasterData<CostCenter>("cost-centers", "Master data");
        ops.MapMasterData<Site>("sites", "Master data");
        ops.MapMasterData<StockLocation>("stock-locations", "Master data");
        ops.MapMasterData<Customer>("customers", "Master data");
        ops.MapMasterData<Asset>("assets", "Master data", create: false);
        ops.MapMasterData<VehicleModel>("vehicle-models", "Master data");
        ops.MapMasterData<Vehicle>("vehicles", "Master data", create: false);
        ops.MapMasterData<ProductionLine>("production-lines", "Master data");
        ops.MapMasterData<Equipment>("equipment", "Master data", create: false);
        ops.MapMasterData<BatteryPack>("battery-packs", "Master data");
        ops.MapReadable<BatteryPackInstallation>("battery-pack-installations", "Master data");
        ops.MapMasterData<Mechanic>("mechanics", "Master data");
        ops.MapMasterData<MechanicSkill>("mechanic-skills", "Master data");
        ops.MapMasterData<Supplier>("suppliers", "Master data");
        ops.MapMasterData<Part>("parts", "Master data");
        ops.MapMasterData<SupplierPart>("supplier-parts", "Master data");
        ops.MapMasterData<DiagnosticCode>("diagnostic-codes", "Master data");
        ops.MapMasterData<PmPlan>("pm-plans", "Master data");

        Post(ops, "vehicles", "Master data", async (HttpContext h, RegisterVehicle body, MasterData m, CancellationToken ct) =>
        {
            var vehicle = await m.RegisterVehicleAsync(RequestScope.From(h), body, ct).ConfigureAwait(false);
            return ResourceApi.Created(h, $"vehicles/{vehicle.Id}", vehicle);
        });
        Post(ops, "equipment", "Master data", async (HttpContext h, RegisterEquipment body, MasterData m, CancellationToken ct) =>
        {
            var equipment = await m.RegisterEquipmentAsync(RequestScope.From(h), body, ct).ConfigureAwait(false);
            return ResourceApi.Created(h, $"equipment/{equipment.Id}", equipment);
        });
        Post(ops, "vehicles/{id:long}/battery-pack", "Master data", async (HttpContext h, InstallPackRequest body, MasterData m, CancellationToken ct) =>
            ResourceApi.Created(h, "battery-pack-installations", await m.InstallBatteryPackAsync(RequestScope.From(h), Id(h), body.BatteryPackId, body.ServiceOrderId, ct).ConfigureAwait(false)));

        MapServiceOrders(ops);
        MapInventory(ops);
        MapPurchasing(ops);
        MapObservations(ops);

        ops.MapReadable<Invoice>("invoices", "Billing");
        ops.MapReadable<InvoiceLine>("invoice-lines", "Billing");
        Post(ops, "invoices/{id:long}/issue", "Billing", async (HttpContext h, VersionRequest body, Billing b, CancellationToken ct) =>
            ResourceApi.Ok(h, await b.IssueAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "invoices/{id:long}/void", "Billing", async (HttpContext h, VersionRequest body, Billing b, CancellationToken ct) =>
            ResourceApi.Ok(h, await b.VoidAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));

        ops.MapReadable<AuditEntry>("audit-log", "Audit");
        ops.MapReadable<ChangeFeedEntry>("change-feed", "Audit");
        return ops;
    }

    private static void MapServiceOrders(RouteGroupBuilder ops)
    {
        const string Tag = "Service orders";
        ops.MapReadable<ServiceOrder>("service-orders", Tag);
        ops.MapReadable<ServiceOrderStatusChange>("service-order-status-history", Tag);
        ops.MapReadable<Assignment>("assignments", Tag);
        ops.MapReadable<WorkEvent>("work-events", Tag);
        ops.MapReadable<LaborEntry>("labor-entries", Tag);
        ops.MapReadable<OrderPart>("order-parts", Tag);
        ops.MapReadable<Diagnosis>("diagnoses", Tag);

        Post(ops, "service-orders", Tag, async (HttpContext h, CreateServiceOrder body, ServiceOrders s, CancellationToken ct) =>
        {
            var order = await s.CreateAsync(RequestScope.From(h), body, ct).ConfigureAwait(false);
            return ResourceApi.Created(h, $"service-orders/{order.Id}", order);
        });
        ops.MapPatch("/service-orders/{id:long}", async (long id, HttpContext h, ServiceOrders s, CancellationToken ct) =>
            {
                var (body, bodyVersion) = await ResourceApi.ReadWithVersionAsync<UpdateServiceOrder>(h, ct).ConfigureAwait(false);
                return ResourceApi.Ok(h, await s.UpdateAsync(RequestScope.From(h), id, RequestScope.RequiredVersion(h, bodyVersion), body, ct).ConfigureAwait(false));
            })
            .WithTags(Tag).Accepts<UpdateServiceOrder>("application/json").Produces<ServiceOrder>().ProducesProblem(StatusCodes.Status409Conflict);
        Post(ops, "service-orders/{id:long}/assignments", Tag, async (HttpContext h, AssignRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Created(h, "assignments", await s.AssignAsync(RequestScope.From(h), Id(h), body.MechanicId, body.Role, ct).ConfigureAwait(false)));
        ops.MapPost("/service-orders/{id:long}/assignments/{assignmentId:long}/release", async (long id, long assignmentId, HttpContext h, ServiceOrders s, CancellationToken ct) =>
                ResourceApi.Ok(h, await s.ReleaseAssignmentAsync(RequestScope.From(h), id, assignmentId, ct).ConfigureAwait(false)))
            .WithTags(Tag).Produces<Assignment>();
        Post(ops, "service-orders/{id:long}/schedule", Tag, async (HttpContext h, ScheduleRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.ScheduleAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), body.ScheduledStart, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/hold", Tag, async (HttpContext h, ReasonRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.HoldAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), body.Reason, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/resume", Tag, async (HttpContext h, VersionRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.ResumeAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/complete", Tag, async (HttpContext h, CompleteRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.CompleteAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), new CompleteServiceOrder
            {
                ResolutionCode = body.ResolutionCode,
                ResolutionNotes = body.ResolutionNotes,
                DowntimeEnd = body.DowntimeEnd,
            }, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/qa-reject", Tag, async (HttpContext h, ReasonRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.QaRejectAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), body.Reason, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/cancel", Tag, async (HttpContext h, ReasonRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.CancelAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), body.Reason, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/close", Tag, async (HttpContext h, VersionRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Ok(h, await s.CloseAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/diagnoses", Tag, async (HttpContext h, DiagnosisRequest body, ServiceOrders s, CancellationToken ct) =>
            ResourceApi.Created(h, "diagnoses", await s.AddDiagnosisAsync(RequestScope.From(h), Id(h), new AddDiagnosis(body.Finding)
            {
                DiagnosticCodeId = body.DiagnosticCodeId,
                MechanicId = body.MechanicId,
                RootCause = body.RootCause,
            }, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/work-events", Tag, async (HttpContext h, WorkEventRequest body, ServiceOrders s, CancellationToken ct) =>
        {
            var result = await s.RecordWorkEventAsync(RequestScope.From(h), Id(h), new RecordWorkEvent(body.MechanicId, body.Type)
            {
                OccurredAt = body.OccurredAt,
                Note = body.Note,
                IdempotencyKey = RequestScope.IdempotencyKey(h),
            }, ct).ConfigureAwait(false);
            return Replayable(h, "work-events", new WorkEventResponse(result.Event, result.OrderStatus), result.Replayed);
        });
        Post(ops, "service-orders/{id:long}/parts/reserve", Tag, async (HttpContext h, PartRequest body, Inventory i, CancellationToken ct) =>
            ResourceApi.Ok(h, await i.ReserveAsync(RequestScope.From(h), Id(h), body.PartId, body.LocationId, body.Quantity, ct).ConfigureAwait(false)));
        Post(ops, "service-orders/{id:long}/parts/issue", Tag, async (HttpContext h, PartRequest body, Inventory i, CancellationToken ct) =>
        {
            var (result, replayed) = await i.IssueOnceAsync(RequestScope.From(h), Id(h), body.PartId, body.LocationId, body.Quantity, RequestScope.IdempotencyKey(h), ct).ConfigureAwait(false);
            return Replayable(h, "inventory-movements", new IssueResponse(result.Line, result.Movement), replayed);
        });
        ops.MapPost("/service-orders/{id:long}/parts/{orderPartId:long}/return", async (long id, long orderPartId, HttpContext h, Inventory i, CancellationToken ct) =>
            {
                var body = await ResourceApi.ReadAsync<ReturnRequest>(h, ct).ConfigureAwait(false);
                var (line, movement) = await i.ReturnAsync(RequestScope.From(h), id, orderPartId, body.Quantity, body.ToLocationId, ct).ConfigureAwait(false);
                return ResourceApi.Created(h, $"inventory-movements/{movement.Id}", new IssueResponse(line, movement));
            })
            .WithTags(Tag).Accepts<ReturnRequest>("application/json").Produces<IssueResponse>(StatusCodes.Status201Created);
        ops.MapPost("/service-orders/{id:long}/parts/{orderPartId:long}/release", async (long id, long orderPartId, HttpContext h, Inventory i, CancellationToken ct) =>
            {
                var body = await ResourceApi.ReadAsync<ReleaseRequest>(h, ct).ConfigureAwait(false);
                return ResourceApi.Ok(h, await i.ReleaseAsync(RequestScope.From(h), id, orderPartId, body.Quantity, ct).ConfigureAwait(false));
            })
            .WithTags(Tag).Accepts<ReleaseRequest>("application/json").Produces<OrderPart>();
        Post(ops, "service-orders/{id:long}/invoice", Tag, async (HttpContext h, InvoiceRequest body, Billing b, CancellationToken ct) =>
        {
            var invoice = await b.CreateAsync(RequestScope.From(h), Id(h), new CreateInvoice { TaxRate = body.TaxRate, PartsMarkup = body.PartsMarkup, Fees = body.Fees ?? [] }, ct).ConfigureAwait(false);
            return ResourceApi.Created(h, $"invoices/{invoice.Id}", invoice);
        });
    }

    private static void MapInventory(RouteGroupBuilder ops)
    {
        const string Tag = "Inventory";
        ops.MapReadable<StockBalance>("stock-balances", Tag);
        ops.MapReadable<InventoryMovement>("inventory-movements", Tag);
        Post(ops, "inventory/transfers", Tag, async (HttpContext h, TransferRequest body, Inventory i, CancellationToken ct) =>
            ResourceApi.Created(h, "inventory-movements", await i.TransferAsync(RequestScope.From(h), body.PartId, body.FromLocationId, body.ToLocationId, body.Quantity, body.Note, ct).ConfigureAwait(false)));
        Post(ops, "inventory/adjustments", Tag, async (HttpContext h, AdjustRequest body, Inventory i, CancellationToken ct) =>
            ResourceApi.Created(h, "inventory-movements", await i.AdjustAsync(RequestScope.From(h), body.PartId, body.LocationId, body.Delta, body.Reason, ct).ConfigureAwait(false)));
        Post(ops, "inventory/scrap", Tag, async (HttpContext h, ScrapRequest body, Inventory i, CancellationToken ct) =>
            ResourceApi.Created(h, "inventory-movements", await i.ScrapAsync(RequestScope.From(h), body.PartId, body.LocationId, body.Quantity, body.Reason, ct).ConfigureAwait(false)));
        Post(ops, "inventory-movements/{id:long}/reverse", Tag, async (HttpContext h, ReasonRequest body, Inventory i, CancellationToken ct) =>
            ResourceApi.Created(h, "inventory-movements", await i.ReverseAsync(RequestScope.From(h), Id(h), body.Reason, ct).ConfigureAwait(false)));
        ops.MapGet("/inventory/reconciliation", async (Reconciliation r, CancellationToken ct) =>
                Results.Json(await r.RunAsync(ct).ConfigureAwait(false), OperationsJson.Options))
            .WithTags(Tag).WithSummary("Balances against the ledger, reservations against orders, order status against history").Produces<ReconciliationReport>();
    }

    private static void MapPurchasing(RouteGroupBuilder ops)
    {
        const string Tag = "Purchasing";
        ops.MapReadable<PurchaseOrder>("purchase-orders", Tag);
        ops.MapReadable<PurchaseOrderLine>("purchase-order-lines", Tag);
        Post(ops, "purchase-orders", Tag, async (HttpContext h, PurchaseOrderRequest body, Purchasing p, CancellationToken ct) =>
        {
            var po = await p.CreateAsync(RequestScope.From(h), body.SupplierId, body.ReceiveLocationId, body.Lines ?? [], body.ExpectedAt, body.Note, ct).ConfigureAwait(false);
            return ResourceApi.Created(h, $"purchase-orders/{po.Id}", po);
        });
        Post(ops, "purchase-orders/{id:long}/lines", Tag, async (HttpContext h, PurchaseLineInput body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Created(h, "purchase-order-lines", await p.AddLineAsync(RequestScope.From(h), Id(h), body, ct).ConfigureAwait(false)));
        Post(ops, "purchase-orders/{id:long}/submit", Tag, async (HttpContext h, VersionRequest body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Ok(h, await p.SubmitAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "purchase-orders/{id:long}/approve", Tag, async (HttpContext h, VersionRequest body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Ok(h, await p.ApproveAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "purchase-orders/{id:long}/cancel", Tag, async (HttpContext h, VersionRequest body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Ok(h, await p.CancelAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "purchase-orders/{id:long}/close", Tag, async (HttpContext h, VersionRequest body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Ok(h, await p.CloseAsync(RequestScope.From(h), Id(h), RequestScope.ExpectedVersion(h, body.Version), ct).ConfigureAwait(false)));
        Post(ops, "purchase-orders/{id:long}/receive", Tag, async (HttpContext h, ReceiveRequest body, Purchasing p, CancellationToken ct) =>
            ResourceApi.Ok(h, await p.ReceiveAsync(RequestScope.From(h), Id(h), body.Lines ?? [], ct).ConfigureAwait(false)));
    }

    private static void MapObservations(RouteGroupBuilder ops)
    {
        const string Tag = "Diagnostics and telemetry";
        ops.MapReadable<VehicleAlert>("vehicle-alerts", Tag);
        ops.MapReadable<TelemetryReading>("telemetry-readings", Tag);
        ops.MapReadable<ChargeSession>("charge-sessions", Tag);
        ops.MapReadable<BatteryHealthSnapshot>("battery-health-snapshots", Tag);
        ops.MapReadable<ProductionRun>("production-runs", "Manufacturing");
        ops.MapReadable<EquipmentStateEvent>("equipment-state-events", "Manufacturing");
        Post(ops, "vehicle-alerts", Tag, async (HttpContext h, RaiseAlert body, Observations o, CancellationToken ct) =>
            ResourceApi.Created(h, "vehicle-alerts", await o.RaiseAlertAsync(RequestScope.From(h), body, ct).ConfigureAwait(false)));
        Post(ops, "vehicle-alerts/{id:long}/clear", Tag, async (HttpContext h, ClearAlertRequest body, Observations o, CancellationToken ct) =>
            ResourceApi.Ok(h, await o.ClearAlertAsync(RequestScope.From(h), Id(h), body.ServiceOrderId, ct).ConfigureAwait(false)));
        Post(ops, "vehicle-alerts/{id:long}/link", Tag, async (HttpContext h, LinkAlertRequest body, Observations o, CancellationToken ct) =>
            ResourceApi.Ok(h, await o.LinkAlertAsync(RequestScope.From(h), Id(h), body.ServiceOrderId, ct).ConfigureAwait(false)));
        Post(ops, "telemetry-readings", Tag, async (HttpContext h, TelemetryReading[] body, Observations o, CancellationToken ct) =>
        {
            var (recorded, replayed) = await o.RecordTelemetryAsync(RequestScope.From(h), body, RequestScope.IdempotencyKey(h), ct).ConfigureAwait(false);
            return Replayable(h, "telemetry-readings", new TelemetryResponse(recorded), replayed);
        });
        Post(ops, "charge-sessions", Tag, async (HttpContext h, ChargeSession body, Observations o, CancellationToken ct) =>
            ResourceApi.Created(h, "charge-sessions", await o.RecordAsync(RequestScope.From(h), body, ct).ConfigureAwait(false)));
        Post(ops, "battery-health-snapshots", Tag, async (HttpContext h, BatteryHealthSnapshot body, Observations o, CancellationToken ct) =>
            ResourceApi.Created(h, "battery-health-snapshots", await o.RecordAsync(RequestScope.From(h), body, ct).ConfigureAwait(false)));
        Post(ops, "production-runs", "Manufacturing", async (HttpContext h, ProductionRun body, Observations o, CancellationToken ct) =>
            ResourceApi.Created(h, "production-runs", await o.RecordAsync(RequestScope.From(h), body, ct).ConfigureAwait(false)));
        Post(ops, "equipment-state-events", "Manufacturing", async (HttpContext h, EquipmentStateEvent body, Observations o, CancellationToken ct) =>
            ResourceApi.Created(h, "equipment-state-events", await o.RecordAsync(RequestScope.From(h), body, ct).ConfigureAwait(false)));
    }

    /// <summary>A POST whose JSON body is read as <typeparamref name="TBody"/> (a 400 names the bad field) and handed to <paramref name="handle"/>.</summary>
    private static void Post<TBody, TService>(RouteGroupBuilder ops, string path, string tag, Func<HttpContext, TBody, TService, CancellationToken, Task<IResult>> handle)
        where TBody : notnull
        where TService : notnull =>
        ops.MapPost("/" + path, async (HttpContext h, TService service, CancellationToken ct) =>
            {
                var body = await ResourceApi.ReadAsync<TBody>(h, ct).ConfigureAwait(false);
                return await handle(h, body, service, ct).ConfigureAwait(false);
            })
            .WithTags(tag)
            .Accepts<TBody>("application/json")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static long Id(HttpContext http) => long.Parse((string)http.Request.RouteValues["id"]!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>201 for a new record; 200 with <c>Idempotent-Replayed: true</c> when the key was seen before.</summary>
    private static IResult Replayable<T>(HttpContext http, string relative, T value, bool replayed)
    {
        if (replayed)
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Json(value, OperationsJson.Options);
        }

        return ResourceApi.Created(http, relative, value);
    }
}

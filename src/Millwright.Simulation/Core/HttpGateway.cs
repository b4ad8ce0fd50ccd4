using System.Collections.Frozen;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;

namespace Millwright.Simulation.Core;

/// <summary>
/// The use cases over a running Millwright's <c>/api/ops</c>: each call is one request with the client's API token
/// (the server acts as that token's user, whoever the simulated actor is) and a correlation id; the server stamps its
/// own time. A refused request stops the simulation with the server's
/// problem document.
/// </summary>
internal sealed class HttpGateway(HttpClient http) : IOperationsGateway
{
    public Task BeginBatchAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CommitBatchAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(EnumNames.Policy) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly FrozenDictionary<Type, string> Paths = new Dictionary<Type, string>
    {
        [typeof(Site)] = "sites", [typeof(StockLocation)] = "stock-locations", [typeof(Customer)] = "customers",
        [typeof(VehicleModel)] = "vehicle-models", [typeof(ProductionLine)] = "production-lines", [typeof(BatteryPack)] = "battery-packs",
        [typeof(Mechanic)] = "mechanics", [typeof(MechanicSkill)] = "mechanic-skills", [typeof(Supplier)] = "suppliers", [typeof(Part)] = "parts",
        [typeof(SupplierPart)] = "supplier-parts", [typeof(PmPlan)] = "pm-plans", [typeof(ChargeSession)] = "charge-sessions",
        [typeof(BatteryHealthSnapshot)] = "battery-health-snapshots", [typeof(ProductionRun)] = "production-runs",
        [typeof(EquipmentStateEvent)] = "equipment-state-events",
    }.ToFrozenDictionary();

    public async Task<long> AssetCountAsync(CancellationToken cancellationToken) =>
        (await GetAsync<Page<Asset>>("assets?pageSize=1", cancellationToken).ConfigureAwait(false)).Total;

    public async Task<Dictionary<string, long>> DiagnosticCodeIdsAsync(CancellationToken cancellationToken) =>
        (await AllAsync<DiagnosticCode>("diagnostic-codes?", cancellationToken).ConfigureAwait(false)).ToDictionary(c => c.Code, c => c.Id, StringComparer.Ordinal);

    public async Task<Dictionary<long, decimal>> AvailableAtAsync(long locationId, CancellationToken cancellationToken) =>
        (await AllAsync<StockBalance>(Invariant($"stock-balances?locationId={locationId}&"), cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.PartId, b => b.OnHand - b.Reserved);

    public async Task<List<ReceiptLineInput>> OutstandingLinesAsync(long purchaseOrderId, CancellationToken cancellationToken) =>
        [.. (await AllAsync<PurchaseOrderLine>(Invariant($"purchase-order-lines?purchaseOrderId={purchaseOrderId}&"), cancellationToken).ConfigureAwait(false))
            .Where(l => l.QuantityOrdered > l.QuantityReceived).Select(l => new ReceiptLineInput(l.Id, l.QuantityOrdered - l.QuantityReceived))];

    public Task<T> CreateAsync<T>(OperationScope scope, T entity, CancellationToken cancellationToken) where T : Entity, IMasterData =>
        PostAsync<T>(scope, Paths[typeof(T)], entity, cancellationToken);

    public Task<Vehicle> RegisterVehicleAsync(OperationScope scope, RegisterVehicle command, CancellationToken cancellationToken) =>
        PostAsync<Vehicle>(scope, "vehicles", command, cancellationToken);

    public Task<Equipment> RegisterEquipmentAsync(OperationScope scope, RegisterEquipment command, CancellationToken cancellationToken) =>
        PostAsync<Equipment>(scope, "equipment", command, cancellationToken);

    public Task InstallBatteryPackAsync(OperationScope scope, long vehicleId, long batteryPackId, long? serviceOrderId, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"vehicles/{vehicleId}/battery-pack"), new { batteryPackId, serviceOrderId }, cancellationToken);

    public Task<ServiceOrder> CreateOrderAsync(OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken) =>
        PostAsync<ServiceOrder>(scope, "service-orders", command, cancellationToken);

    public Task AssignAsync(OperationScope scope, long orderId, long mechanicId, AssignmentRole role, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "assignments", new { mechanicId, role }, cancellationToken);

    public Task ScheduleAsync(OperationScope scope, long orderId, DateTime? scheduledStart, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "schedule", new { scheduledStart }, cancellationToken);

    public Task WorkEventAsync(OperationScope scope, long orderId, RecordWorkEvent command, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "work-events", new { mechanicId = command.MechanicId, type = command.Type, occurredAt = command.OccurredAt, note = command.Note }, cancellationToken);

    public Task HoldAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "hold", new { reason }, cancellationToken);

    public Task DiagnoseAsync(OperationScope scope, long orderId, AddDiagnosis command, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "diagnoses", new { finding = command.Finding, diagnosticCodeId = command.DiagnosticCodeId, mechanicId = command.MechanicId, rootCause = command.RootCause }, cancellationToken);

    public Task CompleteAsync(OperationScope scope, long orderId, CompleteServiceOrder command, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "complete", new { resolutionCode = command.ResolutionCode, resolutionNotes = command.ResolutionNotes, downtimeEnd = command.DowntimeEnd }, cancellationToken);

    public Task QaRejectAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "qa-reject", new { reason }, cancellationToken);

    public Task CancelAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "cancel", new { reason }, cancellationToken);

    public Task CloseAsync(OperationScope scope, long orderId, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "close", new { }, cancellationToken);

    public Task IssuePartAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, CancellationToken cancellationToken) =>
        OrderAsync(scope, orderId, "parts/issue", new { partId, locationId, quantity }, cancellationToken);

    public Task<PurchaseOrder> CreatePurchaseOrderAsync(OperationScope scope, long supplierId, long locationId, IReadOnlyList<PurchaseLineInput> lines, DateTime? expectedAt, string? note, CancellationToken cancellationToken) =>
        PostAsync<PurchaseOrder>(scope, "purchase-orders", new { supplierId, receiveLocationId = locationId, lines, expectedAt, note }, cancellationToken);

    public Task SubmitPurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"purchase-orders/{id}/submit"), new { }, cancellationToken);

    public Task ApprovePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"purchase-orders/{id}/approve"), new { }, cancellationToken);

    public Task ReceivePurchaseOrderAsync(OperationScope scope, long id, IReadOnlyList<ReceiptLineInput> lines, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"purchase-orders/{id}/receive"), new { lines }, cancellationToken);

    public Task ClosePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"purchase-orders/{id}/close"), new { }, cancellationToken);

    public Task<Invoice> InvoiceAsync(OperationScope scope, long orderId, CreateInvoice command, CancellationToken cancellationToken) =>
        PostAsync<Invoice>(scope, Invariant($"service-orders/{orderId}/invoice"), new { taxRate = command.TaxRate, partsMarkup = command.PartsMarkup, fees = command.Fees }, cancellationToken);

    public Task IssueInvoiceAsync(OperationScope scope, long invoiceId, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"invoices/{invoiceId}/issue"), new { }, cancellationToken);

    public Task<VehicleAlert> RaiseAlertAsync(OperationScope scope, RaiseAlert command, CancellationToken cancellationToken) =>
        PostAsync<VehicleAlert>(scope, "vehicle-alerts", command, cancellationToken);

    public Task ClearAlertAsync(OperationScope scope, long alertId, long? serviceOrderId, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"vehicle-alerts/{alertId}/clear"), new { serviceOrderId }, cancellationToken);

    public Task LinkAlertAsync(OperationScope scope, long alertId, long serviceOrderId, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"vehicle-alerts/{alertId}/link"), new { serviceOrderId }, cancellationToken);

    public Task RecordTelemetryAsync(OperationScope scope, IReadOnlyList<TelemetryReading> readings, string? idempotencyKey, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, "telemetry-readings", readings, cancellationToken, idempotencyKey);

    public async Task RecordManyAsync<T>(OperationScope scope, IReadOnlyList<T> observations, CancellationToken cancellationToken) where T : Entity
    {
        foreach (var observation in observations)
        {
            await PostAsync<JsonElement>(scope, Paths[typeof(T)], observation, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<JsonElement> OrderAsync(OperationScope scope, long orderId, string verb, object body, CancellationToken cancellationToken) =>
        PostAsync<JsonElement>(scope, Invariant($"service-orders/{orderId}/{verb}"), body, cancellationToken);

    private async Task<T> PostAsync<T>(OperationScope scope, string path, object body, CancellationToken cancellationToken, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/ops/" + path) { Content = JsonContent.Create(body, body.GetType(), options: Json) };
        request.Headers.Add("X-Correlation-Id", scope.CorrelationId);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, $"POST /api/ops/{path}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("api/ops/" + path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, $"GET /api/ops/{path}", cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<T>> AllAsync<T>(string query, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        for (var page = 1; ; page++)
        {
            var result = await GetAsync<Page<T>>(Invariant($"{query}pageSize=500&page={page}"), cancellationToken).ConfigureAwait(false);
            all.AddRange(result.Items);
            if (all.Count >= result.Total || result.Items.Count == 0)
            {
                return all;
            }
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new SimulationException($"{what} was refused: {(int)response.StatusCode} {problem}");
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken).ConfigureAwait(false))!;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Page<T>(List<T> Items, long Total);
}

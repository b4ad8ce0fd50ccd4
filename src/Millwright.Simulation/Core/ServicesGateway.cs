using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;

namespace Millwright.Simulation.Core;

/// <summary>
/// The use cases in process, on the store's (simulated) clock; in a batch (<see cref="BeginBatchAsync"/>), on the
/// batch's store, so reads see the batch's writes. Disposing it rolls back a batch not committed.
/// </summary>
internal sealed class ServicesGateway : IOperationsGateway, IAsyncDisposable
{
    private readonly OperationsStore _root;
    private OperationsBatch? _batch;
    private OperationsStore _store = null!;
    private ServiceOrders _orders = null!;
    private Inventory _inventory = null!;
    private Purchasing _purchasing = null!;
    private Billing _billing = null!;
    private Observations _observations = null!;
    private MasterData _masterData = null!;

    public ServicesGateway(OperationsStore store)
    {
        _root = store;
        Use(store);
    }

    private void Use(OperationsStore current)
    {
        _store = current;
        _orders = new(current);
        _inventory = new(current);
        _purchasing = new(current);
        _billing = new(current);
        _observations = new(current);
        _masterData = new(current);
    }

    public async Task BeginBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch is not null)
        {
            throw new InvalidOperationException("a batch is already open");
        }

        _batch = await _root.BeginBatchAsync(cancellationToken).ConfigureAwait(false);
        Use(_batch.Store);
    }

    public async Task CommitBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch is not { } batch)
        {
            return;
        }

        _batch = null;
        Use(_root);
        await using (batch.ConfigureAwait(false))
        {
            await batch.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_batch is { } batch)
        {
            _batch = null;
            Use(_root);
            await batch.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<long> AssetCountAsync(CancellationToken cancellationToken)
    {
        await using var db = _store.CreateContext();
        return await db.Assets.LongCountAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Dictionary<string, long>> DiagnosticCodeIdsAsync(CancellationToken cancellationToken)
    {
        await using var db = _store.CreateContext();
        return await db.DiagnosticCodes.AsNoTracking().ToDictionaryAsync(c => c.Code, c => c.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Dictionary<long, decimal>> AvailableAtAsync(long locationId, CancellationToken cancellationToken)
    {
        await using var db = _store.CreateContext();
        return await db.StockBalances.AsNoTracking().Where(b => b.LocationId == locationId)
            .ToDictionaryAsync(b => b.PartId, b => b.OnHand - b.Reserved, cancellationToken).ConfigureAwait(false);
    }

    public async Task<List<ReceiptLineInput>> OutstandingLinesAsync(long purchaseOrderId, CancellationToken cancellationToken)
    {
        await using var db = _store.CreateContext();
        var lines = await db.PurchaseOrderLines.AsNoTracking().Where(l => l.PurchaseOrderId == purchaseOrderId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. lines.Where(l => l.Outstanding > 0).Select(l => new ReceiptLineInput(l.Id, l.Outstanding))];
    }

    public Task<T> CreateAsync<T>(OperationScope scope, T entity, CancellationToken cancellationToken) where T : Entity, IMasterData =>
        _masterData.CreateAsync(scope, entity, cancellationToken);

    public Task<Vehicle> RegisterVehicleAsync(OperationScope scope, RegisterVehicle command, CancellationToken cancellationToken) =>
        _masterData.RegisterVehicleAsync(scope, command, cancellationToken);

    public Task<Equipment> RegisterEquipmentAsync(OperationScope scope, RegisterEquipment command, CancellationToken cancellationToken) =>
        _masterData.RegisterEquipmentAsync(scope, command, cancellationToken);

    public Task InstallBatteryPackAsync(OperationScope scope, long vehicleId, long batteryPackId, long? serviceOrderId, CancellationToken cancellationToken) =>
        _masterData.InstallBatteryPackAsync(scope, vehicleId, batteryPackId, serviceOrderId, cancellationToken);

    public Task<ServiceOrder> CreateOrderAsync(OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken) =>
        _orders.CreateAsync(scope, command, cancellationToken);

    public Task AssignAsync(OperationScope scope, long orderId, long mechanicId, AssignmentRole role, CancellationToken cancellationToken) =>
        _orders.AssignAsync(scope, orderId, mechanicId, role, cancellationToken);

    public Task ScheduleAsync(OperationScope scope, long orderId, DateTime? scheduledStart, CancellationToken cancellationToken) =>
        _orders.ScheduleAsync(scope, orderId, null, scheduledStart, cancellationToken);

    public Task WorkEventAsync(OperationScope scope, long orderId, RecordWorkEvent command, CancellationToken cancellationToken) =>
        _orders.RecordWorkEventAsync(scope, orderId, command, cancellationToken);

    public Task HoldAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        _orders.HoldAsync(scope, orderId, null, reason, cancellationToken);

    public Task DiagnoseAsync(OperationScope scope, long orderId, AddDiagnosis command, CancellationToken cancellationToken) =>
        _orders.AddDiagnosisAsync(scope, orderId, command, cancellationToken);

    public Task CompleteAsync(OperationScope scope, long orderId, CompleteServiceOrder command, CancellationToken cancellationToken) =>
        _orders.CompleteAsync(scope, orderId, null, command, cancellationToken);

    public Task QaRejectAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        _orders.QaRejectAsync(scope, orderId, null, reason, cancellationToken);

    public Task CancelAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken) =>
        _orders.CancelAsync(scope, orderId, null, reason, cancellationToken);

    public Task CloseAsync(OperationScope scope, long orderId, CancellationToken cancellationToken) =>
        _orders.CloseAsync(scope, orderId, null, cancellationToken);

    public Task IssuePartAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, CancellationToken cancellationToken) =>
        _inventory.IssueAsync(scope, orderId, partId, locationId, quantity, cancellationToken);

    public Task<PurchaseOrder> CreatePurchaseOrderAsync(OperationScope scope, long supplierId, long locationId, IReadOnlyList<PurchaseLineInput> lines, DateTime? expectedAt, string? note, CancellationToken cancellationToken) =>
        _purchasing.CreateAsync(scope, supplierId, locationId, lines, expectedAt, note, cancellationToken);

    public Task SubmitPurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) => _purchasing.SubmitAsync(scope, id, null, cancellationToken);

    public Task ApprovePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) => _purchasing.ApproveAsync(scope, id, null, cancellationToken);

    public Task ReceivePurchaseOrderAsync(OperationScope scope, long id, IReadOnlyList<ReceiptLineInput> lines, CancellationToken cancellationToken) =>
        _purchasing.ReceiveAsync(scope, id, lines, cancellationToken);

    public Task ClosePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken) => _purchasing.CloseAsync(scope, id, null, cancellationToken);

    public Task<Invoice> InvoiceAsync(OperationScope scope, long orderId, CreateInvoice command, CancellationToken cancellationToken) =>
        _billing.CreateAsync(scope, orderId, command, cancellationToken);

    public Task IssueInvoiceAsync(OperationScope scope, long invoiceId, CancellationToken cancellationToken) => _billing.IssueAsync(scope, invoiceId, null, cancellationToken);

    public Task<VehicleAlert> RaiseAlertAsync(OperationScope scope, RaiseAlert command, CancellationToken cancellationToken) =>
        _observations.RaiseAlertAsync(scope, command, cancellationToken);

    public Task ClearAlertAsync(OperationScope scope, long alertId, long? serviceOrderId, CancellationToken cancellationToken) =>
        _observations.ClearAlertAsync(scope, alertId, serviceOrderId, cancellationToken);

    public Task LinkAlertAsync(OperationScope scope, long alertId, long serviceOrderId, CancellationToken cancellationToken) =>
        _observations.LinkAlertAsync(scope, alertId, serviceOrderId, cancellationToken);

    public Task RecordTelemetryAsync(OperationScope scope, IReadOnlyList<TelemetryReading> readings, string? idempotencyKey, CancellationToken cancellationToken) =>
        _observations.RecordTelemetryAsync(scope, readings, idempotencyKey, cancellationToken);

    public Task RecordManyAsync<T>(OperationScope scope, IReadOnlyList<T> observations, CancellationToken cancellationToken) where T : Entity =>
        _observations.RecordManyAsync(scope, observations, cancellationToken);
}

using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;

namespace Millwright.Simulation.Core;

/// <summary>
/// The operational use cases the simulation drives: in process (<see cref="ServicesGateway"/>, on the simulated
/// clock) or over a running Millwright's HTTP API (<see cref="HttpGateway"/>, on the server's clock).
/// </summary>
internal interface IOperationsGateway
{
    /// <summary>
    /// Writes from here on join one batch, durable together at <see cref="CommitBatchAsync"/> (in process: one
    /// transaction, each use case a savepoint of it; over HTTP every request commits on its own, so nothing changes).
    /// </summary>
    Task BeginBatchAsync(CancellationToken cancellationToken);

    /// <summary>Makes the open batch durable; writes after it commit one by one until the next batch begins.</summary>
    Task CommitBatchAsync(CancellationToken cancellationToken);

    Task<long> AssetCountAsync(CancellationToken cancellationToken);
    Task<Dictionary<string, long>> DiagnosticCodeIdsAsync(CancellationToken cancellationToken);
    Task<Dictionary<long, decimal>> AvailableAtAsync(long locationId, CancellationToken cancellationToken);
    Task<List<ReceiptLineInput>> OutstandingLinesAsync(long purchaseOrderId, CancellationToken cancellationToken);

    Task<T> CreateAsync<T>(OperationScope scope, T entity, CancellationToken cancellationToken) where T : Entity, IMasterData;
    Task<Vehicle> RegisterVehicleAsync(OperationScope scope, RegisterVehicle command, CancellationToken cancellationToken);
    Task<Equipment> RegisterEquipmentAsync(OperationScope scope, RegisterEquipment command, CancellationToken cancellationToken);
    Task InstallBatteryPackAsync(OperationScope scope, long vehicleId, long batteryPackId, long? serviceOrderId, CancellationToken cancellationToken);

    Task<ServiceOrder> CreateOrderAsync(OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken);
    Task AssignAsync(OperationScope scope, long orderId, long mechanicId, AssignmentRole role, CancellationToken cancellationToken);
    Task ScheduleAsync(OperationScope scope, long orderId, DateTime? scheduledStart, CancellationToken cancellationToken);
    Task WorkEventAsync(OperationScope scope, long orderId, RecordWorkEvent command, CancellationToken cancellationToken);
    Task HoldAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken);
    Task DiagnoseAsync(OperationScope scope, long orderId, AddDiagnosis command, CancellationToken cancellationToken);
    Task CompleteAsync(OperationScope scope, long orderId, CompleteServiceOrder command, CancellationToken cancellationToken);
    Task QaRejectAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken);
    Task CancelAsync(OperationScope scope, long orderId, string reason, CancellationToken cancellationToken);
    Task CloseAsync(OperationScope scope, long orderId, CancellationToken cancellationToken);
    Task IssuePartAsync(OperationScope scope, long orderId, long partId, long locationId, decimal quantity, CancellationToken cancellationToken);

    Task<PurchaseOrder> CreatePurchaseOrderAsync(OperationScope scope, long supplierId, long locationId, IReadOnlyList<PurchaseLineInput> lines, DateTime? expectedAt, string? note, CancellationToken cancellationToken);
    Task SubmitPurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken);
    Task ApprovePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken);
    Task ReceivePurchaseOrderAsync(OperationScope scope, long id, IReadOnlyList<ReceiptLineInput> lines, CancellationToken cancellationToken);
    Task ClosePurchaseOrderAsync(OperationScope scope, long id, CancellationToken cancellationToken);

    Task<Invoice> InvoiceAsync(OperationScope scope, long orderId, CreateInvoice command, CancellationToken cancellationToken);
    Task IssueInvoiceAsync(OperationScope scope, long invoiceId, CancellationToken cancellationToken);

    Task<VehicleAlert> RaiseAlertAsync(OperationScope scope, RaiseAlert command, CancellationToken cancellationToken);
    Task ClearAlertAsync(OperationScope scope, long alertId, long? serviceOrderId, CancellationToken cancellationToken);
    Task LinkAlertAsync(OperationScope scope, long alertId, long serviceOrderId, CancellationToken cancellationToken);
    Task RecordTelemetryAsync(OperationScope scope, IReadOnlyList<TelemetryReading> readings, string? idempotencyKey, CancellationToken cancellationToken);
    Task RecordManyAsync<T>(OperationScope scope, IReadOnlyList<T> observations, CancellationToken cancellationToken) where T : Entity;
}

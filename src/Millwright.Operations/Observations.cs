using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

public sealed record RaiseAlert(long VehicleId, AlertSource Source, Severity Severity, string Message)
{
    public string? DiagnosticCode { get; init; }
}

/// <summary>What vehicles and machines report: telemetry, alerts, charge sessions, battery health, production and machine states.</summary>
public sealed class Observations(OperationsStore store)
{
    public Task<VehicleAlert> RaiseAlertAsync(OperationScope scope, RaiseAlert command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordObservations);
            await db.Vehicles.GetAsync(command.VehicleId, "vehicle", cancellationToken).ConfigureAwait(false);
            long? codeId = null;
            if (command.DiagnosticCode is { } code)
            {
                codeId = await db.DiagnosticCodes.Where(c => c.Code == code).Select(c => (long?)c.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw ValidationFailedException.For("diagnosticCode", $"'{code}' is not in the diagnostic code catalog");
            }

            if (string.IsNullOrWhiteSpace(command.Message))
            {
                throw ValidationFailedException.For("message", "is required");
            }

            var alert = new VehicleAlert
            {
                VehicleId = command.VehicleId,
                DiagnosticCodeId = codeId,
                Source = command.Source,
                Severity = command.Severity,
                Status = AlertStatus.Raised,
                Message = command.Message,
                RaisedAt = db.UtcNow,
            };
            db.VehicleAlerts.Add(alert);
            return alert;
        }, cancellationToken);
    }

    public Task<VehicleAlert> ClearAlertAsync(OperationScope scope, long alertId, long? serviceOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordObservations);
            var alert = await db.VehicleAlerts.GetAsync(alertId, "vehicle alert", cancellationToken).ConfigureAwait(false);
            if (alert.Status == AlertStatus.Cleared)
            {
                throw new DomainRuleException("alert.cleared", $"alert {alertId} is already cleared");
            }

            alert.Status = AlertStatus.Cleared;
            alert.ClearedAt = db.UtcNow;
            alert.ServiceOrderId = serviceOrderId ?? alert.ServiceOrderId;
            return alert;
        }, cancellationToken);
    }

    /// <summary>Links an alert to the order that deals with it.</summary>
    public Task<VehicleAlert> LinkAlertAsync(OperationScope scope, long alertId, long serviceOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.PlanWork);
            var alert = await db.VehicleAlerts.GetAsync(alertId, "vehicle alert", cancellationToken).ConfigureAwait(false);
            await db.ServiceOrders.GetAsync(serviceOrderId, "service order", cancellationToken).ConfigureAwait(false);
            alert.ServiceOrderId = serviceOrderId;
            return alert;
        }, cancellationToken);
    }

    /// <summary>Appends telemetry readings in one transaction; the vehicle's odometer follows the highest reading.</summary>
    public Task<(int Recorded, bool Replayed)> RecordTelemetryAsync(OperationScope scope, IReadOnlyList<TelemetryReading> readings, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(readings);
        return UnitOfWork.RunIdempotentAsync(store, scope, "telemetry", idempotencyKey, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordObservations);
            foreach (var (reading, index) in readings.Select((r, i) => (r, i)))
            {
                if (reading.OdometerKm < 0 || reading.StateOfChargePct is < 0 or > 100)
                {
                    throw ValidationFailedException.For($"readings[{index}]", "odometerKm must be >= 0 and stateOfChargePct between 0 and 100");
                }

                reading.Id = 0;
                db.TelemetryReadings.Add(reading);
            }

            foreach (var group in readings.GroupBy(r => r.VehicleId))
            {
                var vehicle = await db.Vehicles.GetAsync(group.Key, "vehicle", cancellationToken).ConfigureAwait(false);
                vehicle.OdometerKm = Math.Max(vehicle.OdometerKm, group.Max(r => r.OdometerKm));
            }

            return readings.Count;
        }, cancellationToken);
    }

    public Task<T> RecordAsync<T>(OperationScope scope, T observation, CancellationToken cancellationToken = default) where T : Entity
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(observation);
        return UnitOfWork.RunAsync(store, scope, db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordObservations);
            if (observation is ProductionRun run)
            {
                Validation.Throw(run.Validate());
            }

            if (observation is BatteryHealthSnapshot { StateOfHealthPct: < 0 or > 120 })
            {
                throw ValidationFailedException.For("stateOfHealthPct", "must be between 0 and 120");
            }

            observation.Id = 0;
            db.Set<T>().Add(observation);
            return Task.FromResult(observation);
        }, cancellationToken);
    }
}

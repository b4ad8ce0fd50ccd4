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

    /// <summary>
    /// Appends telemetry readings in one transaction; each vehicle's odometer follows its highest reading. Readings
    /// and odometer moves are written set-based with their change-feed rows and no audit entries (telemetry is not a
    /// person's change), so a day of a fleet's uploads is a few statements.
    /// </summary>
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
            }

            var highest = readings.GroupBy(r => r.VehicleId).ToDictionary(g => g.Key, g => g.Max(r => r.OdometerKm));
            var ids = highest.Keys.ToList();
            var current = await db.Vehicles.AsNoTracking().Where(v => ids.Contains(v.Id)).Select(v => new { v.Id, v.OdometerKm })
                .ToDictionaryAsync(v => v.Id, v => v.OdometerKm, cancellationToken).ConfigureAwait(false);
            if (ids.FirstOrDefault(id => !current.ContainsKey(id)) is var missing and > 0)
            {
                throw new NotFoundException("vehicle", missing);
            }

            await db.InsertAsync(readings, cancellationToken).ConfigureAwait(false);
            var moved = highest.Where(h => h.Value > current[h.Key]).OrderBy(h => h.Key).Select(h => (h.Key, (object)h.Value)).ToList();
            await db.UpdateAsync<Vehicle>(nameof(Vehicle.OdometerKm), moved, cancellationToken).ConfigureAwait(false);
            return readings.Count;
        }, cancellationToken);
    }

    public async Task<T> RecordAsync<T>(OperationScope scope, T observation, CancellationToken cancellationToken = default) where T : Entity
    {
        ArgumentNullException.ThrowIfNull(observation);
        await RecordManyAsync(scope, [observation], cancellationToken).ConfigureAwait(false);
        return observation;
    }

    /// <summary>
    /// Records many observations of one kind (charge sessions, battery health, production runs, machine states) in one
    /// transaction: all are validated first, and one bad row (named by its index) records none.
    /// </summary>
    public Task<int> RecordManyAsync<T>(OperationScope scope, IReadOnlyList<T> observations, CancellationToken cancellationToken = default) where T : Entity
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(observations);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordObservations);
            for (var i = 0; i < observations.Count; i++)
            {
                var observation = observations[i] ?? throw ValidationFailedException.For($"observations[{i}]", "is missing");
                var prefix = observations.Count == 1 ? "" : $"observations[{i}].";
                if (observation is ProductionRun run)
                {
                    Validation.Throw(run.Validate(), prefix);
                }

                if (observation is BatteryHealthSnapshot { StateOfHealthPct: < 0 or > 120 })
                {
                    throw ValidationFailedException.For(prefix + "stateOfHealthPct", "must be between 0 and 120");
                }

                observation.Id = 0;
            }

            if (typeof(INotAudited).IsAssignableFrom(typeof(T)))
            {
                await db.InsertAsync(observations, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                db.Set<T>().AddRange(observations);
            }

            return observations.Count;
        }, cancellationToken);
    }
}

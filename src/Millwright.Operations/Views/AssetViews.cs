using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations.Views;

/// <summary>A day of a vehicle's telemetry: the mean state of charge, the hottest pack and motor, the odometer at its end.</summary>
public sealed record TelemetryDay(DateOnly Day, double? StateOfChargePct, double? MaxPackTempC, double? MaxMotorTempC, double OdometerKm, int Readings);

/// <summary>A battery state-of-health measurement.</summary>
public sealed record HealthPoint(DateTime MeasuredAt, double StateOfHealthPct, double EquivalentFullCycles);

/// <summary>Time an equipment spent in each state over the window.</summary>
public sealed record StateTime(EquipmentState State, double Hours);

/// <summary>A vehicle's or an equipment's page: what it is, its work, its alerts, its telemetry and battery health, its downtime.</summary>
public sealed record AssetDetail(
    Asset Asset,
    string Site,
    Vehicle? Vehicle,
    VehicleModel? Model,
    BatteryPack? Pack,
    Equipment? Equipment,
    string? Line,
    IReadOnlyList<BoardRow> OpenOrders,
    IReadOnlyList<BoardRow> PastOrders,
    IReadOnlyList<VehicleAlert> Alerts,
    IReadOnlyList<TelemetryDay> Telemetry,
    IReadOnlyList<HealthPoint> BatteryHealth,
    IReadOnlyList<StateTime> States,
    double DowntimeHours90Days,
    int DowntimeOrders90Days);

/// <summary>The reads behind a vehicle's or an equipment's page, in one snapshot.</summary>
public sealed class AssetViews(OperationsStore store)
{
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);

    public Task<AssetDetail?> AssetAsync(long id, CancellationToken cancellationToken = default) => Snapshots.ReadAsync<AssetDetail?>(store, async db =>
    {
        var asset = await db.Assets.FirstOrDefaultAsync(a => a.Id == id, cancellationToken).ConfigureAwait(false);
        if (asset is null)
        {
            return null;
        }

        var now = db.UtcNow;
        var since = now - Window;
        var site = await db.Sites.Where(s => s.Id == asset.SiteId).Select(s => s.Code + " · " + s.Name).FirstAsync(cancellationToken).ConfigureAwait(false);
        var vehicle = await db.Vehicles.FirstOrDefaultAsync(v => v.Id == id, cancellationToken).ConfigureAwait(false);
        var model = vehicle is null ? null : await db.VehicleModels.FirstOrDefaultAsync(m => m.Id == vehicle.ModelId, cancellationToken).ConfigureAwait(false);
        var pack = vehicle?.CurrentBatteryPackId is { } packId ? await db.BatteryPacks.FirstOrDefaultAsync(p => p.Id == packId, cancellationToken).ConfigureAwait(false) : null;
        var equipment = await db.Equipment.FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        var line = equipment is null ? null : await db.ProductionLines.Where(l => l.Id == equipment.LineId).Select(l => l.Code + " · " + l.Name).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);

        var orders = await WorkOrderViews.RowsAsync(db, db.ServiceOrders.Where(o => o.AssetId == id).OrderByDescending(o => o.Id).Take(100), now, cancellationToken).ConfigureAwait(false);
        var finished = new[] { ServiceOrderStatus.Closed, ServiceOrderStatus.Cancelled, ServiceOrderStatus.Completed };
        var alerts = await db.VehicleAlerts.Where(a => a.VehicleId == id).OrderByDescending(a => a.RaisedAt).Take(50).ToListAsync(cancellationToken).ConfigureAwait(false);
        var readings = await db.TelemetryReadings.Where(r => r.VehicleId == id && r.RecordedAt >= since)
            .Select(r => new { r.RecordedAt, r.StateOfChargePct, r.PackTempC, r.MotorTempC, r.OdometerKm }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var telemetry = readings.GroupBy(r => DateOnly.FromDateTime(r.RecordedAt)).OrderBy(g => g.Key).Select(g => new TelemetryDay(
            g.Key,
            g.Any(r => r.StateOfChargePct is not null) ? (double)g.Where(r => r.StateOfChargePct is not null).Average(r => r.StateOfChargePct!.Value) : null,
            (double?)g.Max(r => r.PackTempC),
            (double?)g.Max(r => r.MotorTempC),
            (double)g.Max(r => r.OdometerKm),
            g.Count())).ToList();
        var health = vehicle is null ? [] : (await db.BatteryHealthSnapshots.Where(h => h.VehicleId == id).OrderBy(h => h.MeasuredAt)
            .Select(h => new { h.MeasuredAt, h.StateOfHealthPct, h.EquivalentFullCycles }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .Select(h => new HealthPoint(h.MeasuredAt, (double)h.StateOfHealthPct, (double)h.EquivalentFullCycles)).ToList();
        var states = equipment is null ? [] : (await db.EquipmentStateEvents.Where(e => e.EquipmentId == id && (e.EndedAt == null || e.EndedAt >= since))
            .Select(e => new { e.State, e.StartedAt, e.EndedAt }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .GroupBy(e => e.State).Select(g => new StateTime(g.Key, g.Sum(e => ((e.EndedAt ?? now) - (e.StartedAt < since ? since : e.StartedAt)).TotalHours))).OrderByDescending(s => s.Hours).ToList();
        var from = now.AddDays(-90);
        var down = await db.ServiceOrders.Where(o => o.AssetId == id && o.DowntimeStart != null && (o.DowntimeEnd == null || o.DowntimeEnd >= from))
            .Select(o => new { o.DowntimeStart, o.DowntimeEnd }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var downtime = down.Sum(d => ((d.DowntimeEnd ?? now) - (d.DowntimeStart!.Value < from ? from : d.DowntimeStart.Value)).TotalHours);
        return new AssetDetail(asset, site, vehicle, model, pack, equipment, line,
            [.. orders.Where(o => !finished.Contains(o.Status))], [.. orders.Where(o => finished.Contains(o.Status))],
            alerts, telemetry, health, states, Math.Round(downtime, 1), down.Count);
    }, cancellationToken);
}

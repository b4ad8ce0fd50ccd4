using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations.Tests;

/// <summary>High-volume observations on a real database, the same suite on SQLite and on PostgreSQL.</summary>
public abstract class ObservationsTests<TStores> where TStores : StoreFactory, new()
{
    private static readonly OperationScope Gateway = OperationScope.For(new Actor("telematics", Role.Planner));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Telemetry_is_stored_as_sent_moves_the_odometer_forward_only_and_reaches_the_change_feed()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var observations = new Observations(t.Store);
        var at = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        var readings = Enumerable.Range(0, 1500).Select(i => new TelemetryReading
        {
            VehicleId = w.Vehicle.Id,
            RecordedAt = at.AddMinutes(i),
            OdometerKm = 12_000m + (i * 0.25m),
            SpeedKph = i % 2 == 0 ? 48.5m : null,
            StateOfChargePct = 80m - (i * 0.01m),
            PackTempC = 31.4m,
            MotorTempC = 66.125m,
        }).ToList();

        var (recorded, replayed) = await observations.RecordTelemetryAsync(Gateway, readings, "upload-1", Ct);
        var again = await observations.RecordTelemetryAsync(Gateway, readings, "upload-1", Ct);
        await observations.RecordTelemetryAsync(Gateway, [new TelemetryReading { VehicleId = w.Vehicle.Id, RecordedAt = at, OdometerKm = 100m }], null, Ct);

        Assert.Equal((1500, false), (recorded, replayed));
        Assert.True(again.Replayed);
        await using var db = t.Store.CreateContext();
        var stored = await db.TelemetryReadings.OrderBy(r => r.Id).ToListAsync(Ct);
        Assert.Equal(1501, stored.Count);
        Assert.Equal(stored.Take(1500).Select(r => r.Id), readings.Select(r => r.Id));
        Assert.Equal((at.AddMinutes(7), 12_001.75m, (decimal?)null, 79.93m, 66.125m), (stored[7].RecordedAt, stored[7].OdometerKm, stored[7].SpeedKph, stored[7].StateOfChargePct, stored[7].MotorTempC));
        Assert.Equal(DateTimeKind.Utc, stored[7].RecordedAt.Kind);
        var vehicle = await db.Vehicles.SingleAsync(v => v.Id == w.Vehicle.Id, Ct);
        Assert.Equal(12_374.75m, vehicle.OdometerKm);
        Assert.Equal(2, vehicle.Version);
        var feed = await db.ChangeFeed.Where(f => f.Table == "telemetry_readings").Select(f => f.EntityId).ToListAsync(Ct);
        Assert.Equal(stored.Select(r => r.Id).Order(), feed.Order());
        Assert.Equal(1, await db.ChangeFeed.CountAsync(f => f.Table == "vehicles" && f.EntityId == w.Vehicle.Id && f.Operation == ChangeOperation.Update, Ct));
        Assert.False(await db.AuditLog.AnyAsync(a => a.EntityType == "telemetry_readings", Ct));
    }

    [Fact]
    public async Task A_reading_for_an_unknown_vehicle_records_nothing()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var at = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);

        var error = await Assert.ThrowsAsync<NotFoundException>(() => new Observations(t.Store).RecordTelemetryAsync(Gateway,
            [new TelemetryReading { VehicleId = w.Vehicle.Id, RecordedAt = at, OdometerKm = 13_000 }, new TelemetryReading { VehicleId = 999_999, RecordedAt = at, OdometerKm = 1 }], null, Ct));

        Assert.Contains("999999", error.Message, StringComparison.Ordinal);
        await using var db = t.Store.CreateContext();
        Assert.False(await db.TelemetryReadings.AnyAsync(Ct));
        Assert.Equal(12_000m, (await db.Vehicles.SingleAsync(v => v.Id == w.Vehicle.Id, Ct)).OdometerKm);
    }

    [Fact]
    public async Task Many_observations_are_recorded_in_one_transaction_and_one_bad_row_records_none()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var observations = new Observations(t.Store);
        var start = new DateTime(2026, 3, 2, 6, 0, 0, DateTimeKind.Utc);
        var sessions = Enumerable.Range(0, 40).Select(i => new ChargeSession
        {
            VehicleId = w.Vehicle.Id, ChargerType = i % 3 == 0 ? ChargerType.Dc : ChargerType.Ac, StartedAt = start.AddHours(i * 12), EndedAt = start.AddHours((i * 12) + 2),
            EnergyKwh = 21.37m, StartSocPct = 30, EndSocPct = 80,
        }).ToList();

        Assert.Equal(40, await observations.RecordManyAsync(Gateway, sessions, Ct));
        var single = await observations.RecordAsync(Gateway, new ChargeSession { VehicleId = w.Vehicle.Id, ChargerType = ChargerType.Ac, StartedAt = start, EnergyKwh = 3, StartSocPct = 60 }, Ct);
        var bad = new List<ProductionRun>
        {
            new() { EquipmentId = w.Vehicle.Id, ProductCode = "DU-1", StartedAt = start, IdealCycleTimeSeconds = 30, ProducedQuantity = 10, GoodQuantity = 10 },
            new() { EquipmentId = w.Vehicle.Id, ProductCode = "DU-1", StartedAt = start, IdealCycleTimeSeconds = 30, ProducedQuantity = 10, GoodQuantity = 9 },
        };
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => observations.RecordManyAsync(Gateway, bad, Ct));

        Assert.Contains("observations[1].producedQuantity", error.Errors.Keys);
        await using var db = t.Store.CreateContext();
        var stored = await db.ChargeSessions.OrderBy(s => s.Id).ToListAsync(Ct);
        Assert.Equal(41, stored.Count);
        Assert.Equal(stored.Select(s => s.Id), sessions.Select(s => s.Id).Append(single.Id));
        Assert.All(stored, s => Assert.Equal(1, s.Version));
        Assert.Equal((ChargerType.Dc, 21.37m, start.AddHours(38)), (stored[3].ChargerType, stored[3].EnergyKwh, stored[3].EndedAt));
        Assert.Equal(41, await db.ChangeFeed.CountAsync(f => f.Table == "charge_sessions", Ct));
        Assert.False(await db.ProductionRuns.AnyAsync(Ct));
    }
}

public sealed class SqliteObservationsTests : ObservationsTests<SqliteStores>;

public sealed class PostgresObservationsTests : ObservationsTests<PostgresStores>;

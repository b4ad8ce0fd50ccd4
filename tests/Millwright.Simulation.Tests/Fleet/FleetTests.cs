using Microsoft.EntityFrameworkCore;
using Microsoft.ML;
using Microsoft.ML.Data;
using Millwright.Domain;

namespace Millwright.Simulation.Tests.Fleet;

/// <summary>The fleet's telemetry looks like a fleet's, and carries a failure signal a simple model can learn.</summary>
public sealed class FleetTests(SimulatedYear year)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Batteries_fade_with_use_and_heat_and_telemetry_stays_physical()
    {
        await using var db = year.Store.CreateContext();
        var snapshots = await db.BatteryHealthSnapshots.AsNoTracking().ToListAsync(Ct);
        var byPack = snapshots.GroupBy(s => s.BatteryPackId).Where(g => g.Count() >= 12).ToList();
        var fade = byPack.Select(g => g.OrderBy(s => s.MeasuredAt).First().StateOfHealthPct - g.OrderBy(s => s.MeasuredAt).Last().StateOfHealthPct).ToList();

        Assert.True(byPack.Count > 100);
        Assert.InRange(fade.Average(), 0.8m, 6m);
        Assert.True(fade.Max() > 2 * fade.Average(), "some packs fade much faster than the average");
        Assert.InRange(snapshots.Min(s => s.StateOfHealthPct), 55m, 90m);

        var readings = await db.TelemetryReadings.AsNoTracking().Select(r => new { r.StateOfChargePct, r.PackTempC, r.MotorTempC, r.SpeedKph }).ToListAsync(Ct);
        Assert.All(readings, r => Assert.InRange(r.StateOfChargePct!.Value, 0m, 100m));
        Assert.InRange(readings.Average(r => r.PackTempC!.Value), 18m, 40m);
        Assert.InRange(readings.Average(r => r.MotorTempC!.Value), 45m, 95m);
        Assert.True(await db.ChargeSessions.CountAsync(s => s.ChargerType == ChargerType.Dc, Ct) > 1000);
    }

    [Fact]
    public async Task A_simple_model_on_the_telemetry_predicts_component_failures_far_better_than_the_base_rate()
    {
        var rows = await FeaturesAsync();
        var train = rows.Where(r => r.VehicleId % 2 == 0).ToList();
        var test = rows.Where(r => r.VehicleId % 2 == 1).ToList();
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Concatenate("Features", nameof(Row.Motor7), nameof(Row.MotorTrend), nameof(Row.Pack7), nameof(Row.PackTrend), nameof(Row.Soh))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression());
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(train));
        var scored = model.Transform(ml.Data.LoadFromEnumerable(test));
        var metrics = ml.BinaryClassification.Evaluate(scored);

        var probabilities = scored.GetColumn<float>("Probability").ToList();
        var ranked = test.Zip(probabilities).OrderByDescending(x => x.Second).ToList();
        var baseRate = test.Average(r => r.Label ? 1.0 : 0.0);
        var topDecile = ranked.Take(ranked.Count / 10).Average(x => x.First.Label ? 1.0 : 0.0);

        TestContext.Current.SendDiagnosticMessage($"AUC {metrics.AreaUnderRocCurve:0.000}, top decile {topDecile:P2}, base rate {baseRate:P2}, {test.Count(r => r.Label)} of {test.Count} positive");
        Assert.True(test.Count(r => r.Label) >= 15, $"{test.Count(r => r.Label)} positive vehicle-days in the test half");
        Assert.True(metrics.AreaUnderRocCurve >= 0.75, $"AUC {metrics.AreaUnderRocCurve:0.000}");
        Assert.True(topDecile >= 3 * baseRate, $"top decile {topDecile:P2} against a base rate of {baseRate:P2}");
    }

    /// <summary>
    /// Vehicle-days with what a reliability engineer would compute from telemetry: the week's peak motor and pack
    /// temperatures against the fleet's on the same days (which takes out the weather), their rise against the vehicle's
    /// own baseline six to three weeks earlier, and the last measured state of health. The label: a component the
    /// telemetry watches (drive inverter, battery cooling, HV battery) failed in the following 14 days, as the
    /// workshop's resolution of a breakdown, predictive or preventive order records it.
    /// </summary>
    private async Task<List<Row>> FeaturesAsync()
    {
        await using var db = year.Store.CreateContext();
        var vehicles = await db.Vehicles.AsNoTracking().Select(v => v.Id).ToListAsync(Ct);
        var peaks = (await db.TelemetryReadings.AsNoTracking().Select(r => new { r.VehicleId, r.RecordedAt, r.MotorTempC, r.PackTempC }).ToListAsync(Ct))
            .GroupBy(r => (r.VehicleId, r.RecordedAt.Date))
            .Select(g => (g.Key.VehicleId, Day: g.Key.Date, Motor: (double)g.Max(r => r.MotorTempC!.Value), Pack: (double)g.Max(r => r.PackTempC!.Value)))
            .ToList();
        var fleet = peaks.GroupBy(p => p.Day).ToDictionary(g => g.Key, g => (Motor: g.Average(p => p.Motor), Pack: g.Average(p => p.Pack)));
        var daily = peaks
            .Select(p => (p.VehicleId, p.Day, Motor: p.Motor - fleet[p.Day].Motor, Pack: p.Pack - fleet[p.Day].Pack))
            .GroupBy(d => d.VehicleId)
            .ToDictionary(g => g.Key, g => g.OrderBy(d => d.Day).ToList());
        var failures = (await db.ServiceOrders.AsNoTracking()
                .Where(o => vehicles.Contains(o.AssetId) && o.ResolutionCode != null
                    && (o.ResolutionCode.Contains("REPLACED_INVERTER") || o.ResolutionCode.Contains("REPLACED_COOLANT_PUMP") || o.ResolutionCode.Contains("REPLACED_HV_PACK")))
                .Select(o => new { o.AssetId, At = o.FailureAt ?? o.ReportedAt }).ToListAsync(Ct))
            .GroupBy(o => o.AssetId).ToDictionary(g => g.Key, g => g.Select(o => o.At).ToList());
        var health = (await db.BatteryHealthSnapshots.AsNoTracking().Select(s => new { s.VehicleId, s.MeasuredAt, s.StateOfHealthPct }).ToListAsync(Ct))
            .GroupBy(s => s.VehicleId!.Value).ToDictionary(g => g.Key, g => g.OrderBy(s => s.MeasuredAt).ToList());

        var rows = new List<Row>();
        foreach (var (vehicle, days) in daily)
        {
            for (var i = 60; i < days.Count; i += 3)
            {
                var day = days[i].Day;
                var week = days.Skip(i - 6).Take(7).ToList();
                var baseline = days.Skip(i - 60).Take(40).ToList();
                var soh = health.GetValueOrDefault(vehicle)?.LastOrDefault(s => s.MeasuredAt <= day)?.StateOfHealthPct ?? 100;
                var fails = failures.GetValueOrDefault(vehicle) ?? [];
                rows.Add(new Row
                {
                    VehicleId = vehicle,
                    Motor7 = (float)week.Average(d => d.Motor),
                    MotorTrend = (float)(week.Average(d => d.Motor) - baseline.Average(d => d.Motor)),
                    Pack7 = (float)week.Average(d => d.Pack),
                    PackTrend = (float)(week.Average(d => d.Pack) - baseline.Average(d => d.Pack)),
                    Soh = (float)soh,
                    Label = fails.Any(f => f > day.AddDays(1) && f <= day.AddDays(15)),
                });
            }
        }

        return rows;
    }

    public sealed class Row
    {
        public long VehicleId { get; set; }
        public float Motor7 { get; set; }
        public float MotorTrend { get; set; }
        public float Pack7 { get; set; }
        public float PackTrend { get; set; }
        public float Soh { get; set; }
        public bool Label { get; set; }
    }
}

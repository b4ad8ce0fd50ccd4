using System.Collections.Frozen;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Simulation.Core;
using Millwright.Simulation.Workshop;

namespace Millwright.Simulation.Fleet;

/// <summary>
/// The fleet: registers customers, vehicles and their battery packs, then every day drives each vehicle through
/// <see cref="VehicleSim.Simulate"/>, uploads its telemetry and charge sessions overnight, raises alerts where
/// readings cross thresholds, and turns alerts, breakdowns and due preventive plans into service orders.
/// </summary>
internal sealed class FleetEngine(SimContext sim, WorkshopEngine workshop)
{
    private const double PackHeatWarningC = 58;
    private const double PackHeatCriticalC = 65;
    private const double MotorHeatWarningC = 125;
    private const double BatteryServiceLimitPct = 75;

    private static readonly FrozenDictionary<string, string> Wmi = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Volkswagen"] = "WVW", ["Tesla"] = "5YJ", ["Renault"] = "VF1", ["Nissan"] = "SJN", ["BYD"] = "LGX", ["Kia"] = "KNA",
        ["Ford"] = "WF0", ["Zero"] = "538", ["Energica"] = "ZEN", ["Silence"] = "VSE", ["NIU"] = "LNB",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly List<VehicleSim> _vehicles = [];
    private readonly Dictionary<string, (long Id, ModelSpec Spec, long PlanId, int PlanKm, int PlanDays, double PlanHours)> _models = new(StringComparer.Ordinal);
    private int _packSerial;

    public IReadOnlyList<VehicleSim> Vehicles => _vehicles;

    public async Task SetupAsync(IReadOnlyList<SiteSim> workshops, CancellationToken cancellationToken)
    {
        var start = sim.Loop.Now;
        foreach (var spec in Catalog.Models)
        {
            var model = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new VehicleModel
            {
                Code = spec.Code, Make = spec.Make, Name = spec.Name, BodyType = spec.Body, Chemistry = spec.Chemistry,
                NominalKwh = spec.NominalKwh, RatedRangeKm = spec.RangeKm,
            }, cancellationToken).ConfigureAwait(false);
            var car = spec.Body == BodyType.Car;
            var plan = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new PmPlan
            {
                Code = $"PM-{spec.Code}", Name = $"{spec.Make} {spec.Name} scheduled service", VehicleModelId = model.Id,
                IntervalKm = car ? 20_000 : 6_000, IntervalDays = car ? 365 : 180, EstimatedHours = car ? 1.5m : 1.0m,
            }, cancellationToken).ConfigureAwait(false);
            _models[spec.Code] = (model.Id, spec, plan.Id, plan.IntervalKm!.Value, plan.IntervalDays!.Value, (double)plan.EstimatedHours);
        }

        var count = Math.Max(5, (int)Math.Round(500 * sim.Options.Scale));
        var fleetCustomers = new List<long>();
        for (var i = 0; i < Math.Min(Catalog.FleetCustomers.Count, 2 + (count / 60)); i++)
        {
            var name = Catalog.FleetCustomers[i];
            var customer = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Customer
            {
                Code = $"CUST-F{i + 1:D3}", Name = name, IsFleet = true,
                Email = $"fleet@{new string([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)])}.example",
            }, cancellationToken).ConfigureAwait(false);
            fleetCustomers.Add(customer.Id);
        }

        var shares = Catalog.Models.Select(m => (m, m.Share)).ToList();
        for (var i = 0; i < count; i++)
        {
            var vrng = new Rng(sim.Seed, "vehicle", i);
            var spec = vrng.Weighted(shares);
            var site = workshops[i % workshops.Count];
            var owner = vrng.Uniform();
            long? customerId = null;
            var fleetUse = owner < 0.55;
            var billable = true;
            if (owner < 0.35)
            {
                customerId = fleetCustomers[vrng.Int(0, fleetCustomers.Count)];
            }
            else if (owner < 0.55)
            {
                billable = false; // the company's own service fleet
            }
            else
            {
                var first = vrng.Pick(Catalog.FirstNames);
                var last = vrng.Pick(Catalog.LastNames);
                var customer = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new Customer
                {
                    Code = $"CUST-P{i + 1:D5}", Name = $"{first} {last}",
                    Email = $"{Text.Ascii(first)}.{Text.Ascii(last)}{i}@mail.example", Phone = $"+351 9{vrng.Int(10_000_000, 99_999_999)}",
                }, cancellationToken).ConfigureAwait(false);
                customerId = customer.Id;
            }

            var age = vrng.Int(0, 7);
            var annualKm = spec.Body == BodyType.Motorcycle ? vrng.LogNormal(7_000, 0.4) : vrng.LogNormal(fleetUse ? 30_000 : 14_000, 0.35);
            var odometer = Math.Round((age + vrng.Uniform(0.1, 0.9)) * annualKm);
            var fade = spec.Chemistry == BatteryChemistry.Lfp ? 1.4 : spec.PassiveCooling ? 3.4 : 2.4;
            var vin = Vin(spec.Make, vrng, i);
            var vehicle = await sim.Ops.RegisterVehicleAsync(sim.Scope(sim.Planner), new RegisterVehicle($"EV-{i + 1:D4}", site.Id, vin, _models[spec.Code].Id, start.Year - age)
            {
                CustomerId = customerId,
                Plate = $"{vrng.Int(10, 99)}-{(char)('A' + vrng.Int(0, 26))}{(char)('A' + vrng.Int(0, 26))}-{vrng.Int(10, 99)}",
                OdometerKm = (decimal)odometer,
            }, cancellationToken).ConfigureAwait(false);
            var pmKm = _models[spec.Code].PlanKm;
            var pmDays = _models[spec.Code].PlanDays;
            var v = new VehicleSim
            {
                Id = vehicle.Id,
                Code = $"EV-{i + 1:D4}",
                Model = spec,
                Site = site,
                Rng = vrng,
                CustomerId = customerId,
                Billable = billable,
                FleetUse = fleetUse,
                ModelYear = start.Year - age,
                DailyKmMedian = annualKm / 300,
                Aggressiveness = Math.Clamp(vrng.Normal(0.45, 0.22), 0, 1),
                DcShare = Math.Clamp(vrng.Normal(fleetUse ? 0.3 : 0.12, 0.12), 0, 0.9),
                Frailty = vrng.LogNormal(1, 0.5),
                OdometerKm = odometer,
                Soh = Math.Min(100, 100 - (age * fade * vrng.LogNormal(1, 0.25)) - vrng.Uniform(0, 1.5)),
                EquivalentFullCycles = odometer * spec.KwhPerKm / (double)spec.NominalKwh,
                BrakeWear = vrng.Uniform(0, 0.7),
                TireWear = vrng.Uniform(0, 0.7),
                ChainWear = vrng.Uniform(0, 0.6),
                Aux12VYears = vrng.Uniform(0, Math.Min(5, age + 0.5)),
                LastPmAt = start.AddDays(-vrng.Uniform(0, pmDays * 0.95)),
                KmAtLastPm = Math.Max(0, odometer - vrng.Uniform(0, pmKm * 0.9)),
            };
            v.PackId = await NewPackAsync(v, start.AddYears(-age), cancellationToken).ConfigureAwait(false);
            await sim.Ops.InstallBatteryPackAsync(sim.Scope(sim.Supervisor), v.Id, v.PackId, null, cancellationToken).ConfigureAwait(false);
            _vehicles.Add(v);
        }

        sim.Counts.Vehicles = _vehicles.Count;
        ScheduleDay(start.Date);
    }

    private async Task<long> NewPackAsync(VehicleSim v, DateTime manufacturedAt, CancellationToken cancellationToken)
    {
        var pack = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new BatteryPack
        {
            Serial = $"PK-{v.Model.Chemistry.ToString().ToUpperInvariant()}-{++_packSerial:D6}",
            Chemistry = v.Model.Chemistry,
            NominalKwh = v.Model.NominalKwh,
            ManufacturedAt = manufacturedAt,
        }, cancellationToken).ConfigureAwait(false);
        return pack.Id;
    }

    private void ScheduleDay(DateTime day) => sim.Loop.At(day.AddMinutes(5), () => DayAsync(day));

    /// <summary>Plans one day of the whole fleet: the physics now, its consequences at the hours they happen.</summary>
    private Task DayAsync(DateTime day)
    {
        ScheduleDay(day.AddDays(1));
        var days = new List<(VehicleSim Vehicle, VehicleDay Day)>(_vehicles.Count);
        foreach (var v in _vehicles)
        {
            var result = v.Simulate(day);
            days.Add((v, result));
            if (result.Failure is { } mode)
            {
                sim.Loop.At(day.AddHours(result.FailureHour), () => BreakdownAsync(v, mode, CancellationToken.None));
            }
        }

        sim.Loop.At(day.AddHours(19.5), () => AlertsAsync(days, CancellationToken.None));
        sim.Loop.At(day.AddDays(1).AddHours(3), () => UploadAsync(day, days, CancellationToken.None));
        if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
        {
            sim.Loop.At(day.AddHours(7.5), () => PreventiveAsync(CancellationToken.None));
        }

        if (day.Day == 1)
        {
            sim.Loop.At(day.AddHours(3.5), () => BatteryHealthAsync(CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    /// <summary>The telematics gateway's nightly upload: every reading and charge session of the day, one transaction each.</summary>
    private async Task UploadAsync(DateTime day, List<(VehicleSim Vehicle, VehicleDay Day)> days, CancellationToken cancellationToken)
    {
        var readings = new List<TelemetryReading>();
        var sessions = new List<ChargeSession>();
        foreach (var (v, d) in days.Where(x => x.Day.Driven))
        {
            var rng = v.Rng;
            var midOdometer = d.OdometerKm - (d.Km * rng.Uniform(0.35, 0.6));
            readings.Add(new TelemetryReading
            {
                VehicleId = v.Id, RecordedAt = day.AddHours(rng.Uniform(11.5, 14)), OdometerKm = Round(midOdometer, 1),
                SpeedKph = Round(d.AverageSpeed * rng.Uniform(0.8, 1.2), 1), StateOfChargePct = Round(Math.Clamp((d.SocLowPct + d.SocEndPct) / 2, 0, 100), 1),
                PackVoltage = Round(d.PackVoltage * 1.02, 1), PackCurrent = Round(d.PackCurrent * 0.8, 1),
                PackTempC = Round(d.PackMaxC - rng.Uniform(1, 4), 1), MotorTempC = Round(d.MotorMaxC - rng.Uniform(3, 9), 1),
            });
            readings.Add(new TelemetryReading
            {
                VehicleId = v.Id, RecordedAt = day.AddHours(rng.Uniform(17.5, 19)), OdometerKm = Round(d.OdometerKm, 1),
                SpeedKph = Round(d.MaxSpeed, 1), StateOfChargePct = Round(Math.Clamp(d.SocLowPct, 0, 100), 1),
                PackVoltage = Round(d.PackVoltage, 1), PackCurrent = Round(d.PackCurrent, 1),
                PackTempC = Round(d.PackMaxC, 1), MotorTempC = Round(d.MotorMaxC, 1),
            });
            foreach (var c in d.Charges)
            {
                var started = day.AddHours(c.StartHour);
                sessions.Add(new ChargeSession
                {
                    VehicleId = v.Id, ChargerType = c.Type, StartedAt = started, EndedAt = started.AddHours(c.Hours),
                    EnergyKwh = Round(c.EnergyKwh, 2), StartSocPct = Round(Math.Clamp(c.StartSoc, 0, 100), 1),
                    EndSocPct = Round(Math.Clamp(c.EndSoc, 0, 100), 1), MaxPackTempC = Round(c.MaxPackC, 1),
                });
            }
        }

        if (readings.Count > 0)
        {
            await sim.Ops.RecordTelemetryAsync(sim.Scope(sim.Telematics), readings, $"telemetry:{day:yyyy-MM-dd}", cancellationToken).ConfigureAwait(false);
            sim.Counts.TelemetryReadings += readings.Count;
        }

        if (sessions.Count > 0)
        {
            await sim.Ops.RecordManyAsync(sim.Scope(sim.Telematics), sessions, cancellationToken).ConfigureAwait(false);
            sim.Counts.ChargeSessions += sessions.Count;
        }
    }

    private async Task BatteryHealthAsync(CancellationToken cancellationToken)
    {
        var snapshots = _vehicles.Select(v => new BatteryHealthSnapshot
        {
            BatteryPackId = v.PackId,
            VehicleId = v.Id,
            MeasuredAt = sim.Loop.Now,
            StateOfHealthPct = Round(Math.Clamp(v.Soh + v.Rng.Normal(0, 0.6), 0, 120), 1),
            CapacityKwh = Round((double)v.Model.NominalKwh * v.Soh / 100, 2),
            EquivalentFullCycles = Round(v.EquivalentFullCycles, 1),
        }).ToList();
        await sim.Ops.RecordManyAsync(sim.Scope(sim.Telematics), snapshots, cancellationToken).ConfigureAwait(false);
        sim.Counts.BatteryHealthSnapshots += snapshots.Count;
    }

    /// <summary>Thresholds on the day's readings (and fault codes the vehicle reported) become alerts; an alert opens a predictive order.</summary>
    private async Task AlertsAsync(List<(VehicleSim Vehicle, VehicleDay Day)> days, CancellationToken cancellationToken)
    {
        foreach (var (v, d) in days.Where(x => x.Day.Driven && !x.Vehicle.Down))
        {
            if (d.PackMaxC >= PackHeatWarningC)
            {
                await AlertAsync(v, "P0A7E", d.PackMaxC >= PackHeatCriticalC ? Severity.Critical : Severity.Warning, $"Pack temperature {d.PackMaxC:0.0} °C above {PackHeatWarningC} °C", cancellationToken).ConfigureAwait(false);
            }

            if (d.MotorMaxC >= MotorHeatWarningC || d.WarningCode == "P0A2B")
            {
                await AlertAsync(v, "P0A2B", Severity.Warning, d.MotorMaxC >= MotorHeatWarningC
                    ? $"Drive motor temperature {d.MotorMaxC:0.0} °C above {MotorHeatWarningC} °C"
                    : "Drive motor temperature sensor range/performance (reported by the vehicle)", cancellationToken).ConfigureAwait(false);
            }

            if (v.Soh < BatteryServiceLimitPct && !v.BatteryAlertRaised)
            {
                v.BatteryAlertRaised = true;
                await AlertAsync(v, "P0A7F", Severity.Warning, $"Estimated pack state of health {v.Soh:0.0} % below {BatteryServiceLimitPct} %", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task AlertAsync(VehicleSim v, string code, Severity severity, string message, CancellationToken cancellationToken)
    {
        if (v.OpenAlerts.ContainsKey(code))
        {
            return;
        }

        var alert = await sim.Ops.RaiseAlertAsync(sim.Scope(sim.Telematics), new RaiseAlert(v.Id, AlertSource.Telemetry, severity, message) { DiagnosticCode = code }, cancellationToken).ConfigureAwait(false);
        sim.Counts.Alerts++;
        v.OpenAlerts[code] = alert.Id;
        if (v.Jobs.FirstOrDefault(WorkshopEngine.IsOpen) is { } open)
        {
            await sim.Ops.LinkAlertAsync(sim.Scope(sim.Planner), alert.Id, open.OrderId, cancellationToken).ConfigureAwait(false);
            open.Alerts.Add(alert.Id);
            return;
        }

        // What the technician will really find behind the alert.
        var precursor = code switch { "P0A2B" => Precursor.MotorHeat, "P0A7E" => Precursor.PackHeat, _ => Precursor.CapacityFade };
        FailureMode? cause = v.Fault is { } fault && fault.Mode.Precursor == precursor && v.Rng.Chance(0.5 + (0.5 * fault.Severity)) ? fault.Mode : null;
        if (precursor == Precursor.CapacityFade && v.Soh < 72)
        {
            cause = Catalog.Mode("battery");
        }

        var job = await workshop.OpenAsync(new JobRequest(v.Site, v.Id, ServiceOrderType.Predictive, severity == Severity.Critical ? Priority.High : Priority.Medium,
            $"{code}: {message}", (cause?.Hours ?? 1.0) * v.Rng.LogNormal(1, 0.25))
        {
            ReportedBy = sim.Telematics,
            CustomerId = v.CustomerId,
            Billable = v.Billable,
            Failure = cause,
            DiagnosticCode = cause?.Code ?? code,
            Finding = cause?.Finding ?? (precursor == Precursor.CapacityFade
                ? "Capacity test within the warranty limit; cells balanced, monitoring"
                : "No fault found; readings explained by heat and a hard duty cycle, cooling system checked"),
            Resolution = cause is null ? "NO_FAULT_FOUND" : cause.Resolution,
            Parts = cause is null ? [] : RepairParts(v, cause),
            OnDone = j => RepairedAsync(v, j, cancellationToken),
        }, cancellationToken).ConfigureAwait(false);
        job.Alerts.Add(alert.Id);
        await sim.Ops.LinkAlertAsync(sim.Scope(sim.Planner), alert.Id, job.OrderId, cancellationToken).ConfigureAwait(false);
        v.Jobs.Add(job);
    }

    /// <summary>A failure on the road: a critical alert, the vehicle down, a corrective (or warranty) order.</summary>
    private async Task BreakdownAsync(VehicleSim v, FailureMode mode, CancellationToken cancellationToken)
    {
        if (v.Down)
        {
            return;
        }

        v.Down = true;
        sim.Counts.Breakdowns++;
        var carried = new List<long>();
        foreach (var queued in v.Jobs.Where(j => j.State == JobState.Queued && !j.Assigned && j.Type == ServiceOrderType.Predictive).ToList())
        {
            await workshop.CancelAsync(queued, "superseded by a breakdown order", cancellationToken).ConfigureAwait(false);
            v.Jobs.Remove(queued);
            carried.AddRange(queued.Alerts);
        }

        var driverReported = mode.Precursor == Precursor.None && mode.Name is "aux12v" or "charge_port";
        var code = mode.Code;
        long? alertId = null;
        if (!v.OpenAlerts.ContainsKey(code))
        {
            var alert = await sim.Ops.RaiseAlertAsync(sim.Scope(sim.Telematics), new RaiseAlert(v.Id, driverReported ? AlertSource.Driver : AlertSource.Telemetry, Severity.Critical,
                driverReported ? $"Vehicle does not start or charge ({code})" : $"{mode.Finding.Split(';')[0]} ({code})") { DiagnosticCode = code }, cancellationToken).ConfigureAwait(false);
            sim.Counts.Alerts++;
            v.OpenAlerts[code] = alert.Id;
            alertId = alert.Id;
        }

        var warranty = sim.Loop.Now.Year - v.ModelYear <= 1 && mode.Name is not ("aux12v" or "charge_port");
        var job = await workshop.OpenAsync(new JobRequest(v.Site, v.Id, warranty ? ServiceOrderType.Warranty : ServiceOrderType.Corrective,
            mode.Name is "battery" or "isolation" or "contactor" or "cooling" ? Priority.Critical : Priority.High,
            $"Breakdown: {code} {mode.Finding.Split(';')[0].ToLowerInvariant()}", mode.Hours * v.Rng.LogNormal(1, 0.3))
        {
            ReportedBy = driverReported ? sim.Planner : sim.Telematics,
            AssetDown = true,
            FailureAt = sim.Loop.Now,
            CustomerId = v.CustomerId,
            Billable = v.Billable && !warranty,
            Failure = mode,
            DiagnosticCode = code,
            Finding = mode.Finding,
            Resolution = mode.Resolution,
            Parts = RepairParts(v, mode),
            OnDone = j => RepairedAsync(v, j, cancellationToken),
        }, cancellationToken).ConfigureAwait(false);
        if (alertId is { } id)
        {
            carried.Add(id);
        }

        foreach (var alert in carried)
        {
            job.Alerts.Add(alert);
            await sim.Ops.LinkAlertAsync(sim.Scope(sim.Planner), alert, job.OrderId, cancellationToken).ConfigureAwait(false);
        }

        v.Jobs.Add(job);
    }

    /// <summary>Preventive plans due by distance or time open an order; the service finds worn parts and, sometimes, a fault in the making.</summary>
    private async Task PreventiveAsync(CancellationToken cancellationToken)
    {
        foreach (var v in _vehicles)
        {
            var plan = _models[v.Model.Code];
            var dueByKm = v.OdometerKm - v.KmAtLastPm >= plan.PlanKm;
            var dueByDays = (sim.Loop.Now - v.LastPmAt).TotalDays >= plan.PlanDays;
            if (v.Down || (!dueByKm && !dueByDays) || v.Jobs.Any(j => WorkshopEngine.IsOpen(j) && j.Type == ServiceOrderType.Preventive))
            {
                continue;
            }

            var rng = v.Rng;
            var parts = new List<(string Sku, int Quantity)> { ("BRK-FLUID", 1) };
            var hours = plan.PlanHours * rng.LogNormal(1, 0.2);
            if (!v.IsMotorcycle)
            {
                parts.Add(("FLT-CABIN", 1));
                if (rng.Chance(0.3))
                {
                    parts.Add(("WIPER-SET", 1));
                }
            }

            if (v.BrakeWear > 0.65)
            {
                parts.Add(("BRK-PAD-F", 1));
                parts.Add(("BRK-PAD-R", 1));
                hours += 0.8;
                if (v.BrakeWear > 0.9)
                {
                    parts.Add(("BRK-DISC-F", 2));
                    hours += 0.6;
                }
            }

            if (v.TireWear > 0.7)
            {
                parts.Add((v.IsMotorcycle ? "TIRE-MOTO" : "TIRE-CAR", v.IsMotorcycle ? 2 : 4));
                hours += 0.7;
            }

            if (v.IsMotorcycle && v.ChainWear > 0.7)
            {
                parts.Add(("CHAIN-KIT", 1));
                hours += 0.9;
            }

            FailureMode? found = null;
            if (v.Fault is { } fault && rng.Chance(Math.Min(0.9, fault.Severity + 0.2)))
            {
                found = fault.Mode;
                parts.AddRange(RepairParts(v, found));
                hours += found.Hours;
            }

            var job = await workshop.OpenAsync(new JobRequest(v.Site, v.Id, ServiceOrderType.Preventive, dueByKm && dueByDays ? Priority.Medium : Priority.Low,
                $"Scheduled service ({(dueByKm ? $"{plan.PlanKm:N0} km" : $"{plan.PlanDays} days")})", hours)
            {
                ReportedBy = sim.Planner,
                PmPlanId = plan.PlanId,
                CustomerId = v.CustomerId,
                Billable = v.Billable,
                Failure = found,
                DiagnosticCode = found?.Code,
                Finding = found is null ? null : $"Found at service: {found.Finding}",
                Resolution = found is null ? "PM_DONE" : $"PM_DONE+{found.Resolution}",
                Parts = MergeParts(parts),
                OnDone = async j =>
                {
                    v.LastPmAt = sim.Loop.Now;
                    v.KmAtLastPm = v.OdometerKm;
                    await RepairedAsync(v, j, cancellationToken).ConfigureAwait(false);
                },
            }, cancellationToken).ConfigureAwait(false);
            v.Jobs.Add(job);
        }
    }

    private async Task RepairedAsync(VehicleSim v, Job job, CancellationToken cancellationToken)
    {
        v.Jobs.Remove(job);
        if (job.AssetDown)
        {
            v.Down = false;
        }

        v.Repair(job.Failure, job.Parts.Select(p => p.Sku));
        if (job.Failure is { Name: "battery" })
        {
            var pack = await NewPackAsync(v, sim.Loop.Now.AddMonths(-2), cancellationToken).ConfigureAwait(false);
            await sim.Ops.InstallBatteryPackAsync(sim.Scope(job.Lead!.Actor), v.Id, pack, job.OrderId, cancellationToken).ConfigureAwait(false);
            v.ReplacePack(pack);
        }

        foreach (var alert in v.OpenAlerts.Where(a => job.Alerts.Contains(a.Value)).Select(a => a.Key).ToList())
        {
            v.OpenAlerts.Remove(alert);
        }
    }

    private static List<(string Sku, int Quantity)> RepairParts(VehicleSim v, FailureMode mode) =>
        mode.Name == "battery" ? [(v.IsMotorcycle ? "HV-PACK-MOTO" : "HV-PACK-CAR", 1)] : [.. mode.Parts];

    private static List<(string Sku, int Quantity)> MergeParts(IEnumerable<(string Sku, int Quantity)> parts) =>
        [.. parts.GroupBy(p => p.Sku, StringComparer.Ordinal).Select(g => (g.Key, g.Sum(p => p.Quantity)))];

    private static string Vin(string make, Rng rng, int index)
    {
        const string Allowed = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
        var chars = new char[8];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Allowed[rng.Int(0, Allowed.Length)];
        }

        return $"{Wmi[make]}{new string(chars)}{index + 1:D6}";
    }


    private static decimal Round(double value, int digits) => Math.Round((decimal)value, digits);
}

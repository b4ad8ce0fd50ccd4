using System.Globalization;
using System.Text;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Simulation.Core;
using Millwright.Simulation.Workshop;

namespace Millwright.Simulation.Manufacturing;

internal sealed class MachineSim
{
    public required long Id { get; init; }
    public required string Code { get; init; }

    /// <summary>The machine's quarterly preventive plan: its service orders carry it, so the plan knows when it was last done.</summary>
    public required long PlanId { get; init; }
    public required double IdealCycleSeconds { get; init; }
    public required Rng Rng { get; init; }
    public required double Frailty { get; init; }
    public double ToolWearMin { get; set; }
    public double ToolLifeMin { get; set; } = 220;

    /// <summary>Days since the machine was last restored (a service or a repair): its wear, which drives its hazard.</summary>
    public double DaysSinceService { get; set; }

    /// <summary>Days since its last quarterly service: the plan's calendar, which a breakdown repair does not reset.</summary>
    public double DaysSincePm { get; set; }

    public double AirK { get; set; } = 298;
    public bool Down { get; set; }
    public int Udi { get; set; }
    public Job? Repair { get; set; }
}

/// <summary>
/// A drive-unit plant: lines of machines with ideal cycle times, two shifts on weekdays, changeovers, breaks, minor
/// stops, speed losses, scrap and rework, and failures whose rate climbs with time since service. Process parameters
/// follow the AI4I 2020 data set (air and process temperature, speed, torque, tool wear) and its failure rules; a major
/// failure takes the machine down and opens a maintenance order that the plant's technicians work.
/// </summary>
internal sealed class PlantEngine(SimContext sim, WorkshopEngine workshop)
{
    private static readonly IReadOnlyList<(string Code, string Name, (string Code, string Name, double Cycle)[] Machines)> Lines =
    [
        ("L1", "Battery module assembly", [("L1-STACK", "Cell stacking robot", 42), ("L1-WELD", "Laser busbar welder", 38), ("L1-EOL", "Module end-of-line tester", 55), ("L1-PACK", "Module packing cell", 30)]),
        ("L2", "Rotor shaft machining", [("L2-LATHE", "CNC turning centre", 75), ("L2-HOB", "Gear hobbing machine", 90), ("L2-GRIND", "Cylindrical grinder", 68), ("L2-BAL", "Rotor balancing station", 45)]),
        ("L3", "Drive unit final assembly", [("L3-PRESS", "Bearing press", 35), ("L3-SCREW", "Multi-spindle screwdriver", 40), ("L3-LEAK", "Leak test station", 60), ("L3-EOL", "Drive unit end-of-line test", 85)]),
    ];

    private static readonly IReadOnlyList<string> Header = ["UDI", "Product ID", "Type", "Air temperature [K]", "Process temperature [K]", "Rotational speed [rpm]", "Torque [Nm]", "Tool wear [min]", "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"];

    private readonly List<MachineSim> _machines = [];
    private SiteSim _plant = null!;

    public async Task SetupAsync(SiteSim plant, CancellationToken cancellationToken)
    {
        _plant = plant;
        var lines = Math.Clamp((int)Math.Round(3 * sim.Options.Scale), 1, 3);
        var index = 0;
        foreach (var (code, name, machines) in Lines.Take(lines))
        {
            var line = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new ProductionLine { Code = code, Name = name, SiteId = plant.Id }, cancellationToken).ConfigureAwait(false);
            foreach (var (machineCode, machineName, cycle) in machines)
            {
                var rng = new Rng(sim.Seed, "machine", index++);
                var equipment = await sim.Ops.RegisterEquipmentAsync(sim.Scope(sim.Planner), new RegisterEquipment(machineCode, machineName, plant.Id, line.Id, (decimal)cycle)
                {
                    Manufacturer = rng.Pick(["DMG Mori", "Liebherr", "KUKA", "Bosch Rexroth", "Schenck", "Atlas Copco"]),
                    SerialNumber = $"SN{rng.Int(100_000, 999_999)}",
                }, cancellationToken).ConfigureAwait(false);
                var plan = await sim.Ops.CreateAsync(sim.Scope(sim.Planner), new PmPlan
                {
                    Code = $"PM-{machineCode}", Name = $"{machineName} quarterly service", AssetId = equipment.Id, IntervalDays = 90, EstimatedHours = 3m,
                }, cancellationToken).ConfigureAwait(false);
                var machine = new MachineSim
                {
                    Id = equipment.Id, Code = machineCode, PlanId = plan.Id, IdealCycleSeconds = cycle, Rng = rng, Frailty = rng.LogNormal(1, 0.35),
                    ToolWearMin = rng.Uniform(0, 200), DaysSinceService = rng.Uniform(0, 85), AirK = 298 + rng.Normal(0, 1),
                };
                machine.DaysSincePm = machine.DaysSinceService;
                _machines.Add(machine);
            }
        }

        sim.Counts.Equipment = _machines.Count;
        ScheduleDay(sim.Loop.Now.Date);
    }

    private void ScheduleDay(DateTime day) => sim.Loop.At(day.AddMinutes(10), () => DayAsync(day, CancellationToken.None));

    private async Task DayAsync(DateTime day, CancellationToken cancellationToken)
    {
        ScheduleDay(day.AddDays(1));
        foreach (var m in _machines)
        {
            m.DaysSinceService++;
            m.DaysSincePm++;
        }

        if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return;
        }

        foreach (var m in _machines.Where(m => !m.Down && m.Repair is null && m.DaysSincePm >= 90))
        {
            await OpenServiceAsync(m, cancellationToken).ConfigureAwait(false);
        }

        foreach (var shiftStart in new[] { day.AddHours(6), day.AddHours(14) })
        {
            sim.Loop.At(shiftStart, () => ShiftAsync(shiftStart));
        }
    }

    /// <summary>Plans an eight-hour shift on every machine, then records its runs and state events when the shift ends.</summary>
    private Task ShiftAsync(DateTime start)
    {
        var runs = new List<ProductionRun>();
        var events = new List<EquipmentStateEvent>();
        var samples = new Dictionary<MachineSim, List<string[]>>();
        var failures = new List<(MachineSim Machine, DateTime At, string Reason)>();
        var end = start.AddHours(8);
        foreach (var m in _machines)
        {
            var rng = m.Rng;
            if (m.Down)
            {
                events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.UnplannedDown, StartedAt = start, EndedAt = end, ReasonCode = "AWAITING_REPAIR" });
                continue;
            }

            var type = rng.Weighted([("L", 0.5), ("M", 0.3), ("H", 0.2)]);
            var product = $"DU-{m.Code[..2]}-{type}";
            var t = start;
            var setup = rng.Uniform(10, 35);
            events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.Setup, StartedAt = t, EndedAt = t.AddMinutes(setup), ReasonCode = "CHANGEOVER" });
            t = t.AddMinutes(setup);
            var breakAt = start.AddHours(4);
            // The ideal cycle time is the fastest a machine can make a part (ISO 22400-2): a run is slower, never faster.
            var speedFactor = Math.Max(1, rng.LogNormal(1.07, 0.04)) * (1 + (0.08 * Math.Min(1.5, m.DaysSinceService / 90)));
            var produced = 0.0;
            var scrapRate = 0.006;
            var producingFrom = t;
            var list = samples[m] = [];
            var nextSample = t;
            var breakTaken = false;
            while (t < end)
            {
                if (!breakTaken && t >= breakAt)
                {
                    Close(events, m, producingFrom, t);
                    events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.PlannedDown, StartedAt = t, EndedAt = t.AddMinutes(30), ReasonCode = "BREAK" });
                    t = t.AddMinutes(30);
                    producingFrom = t;
                    breakTaken = true;
                    continue;
                }

                // Ten minutes of production, with the AI4I-shaped process reading for it.
                var step = Math.Min(10, (end - t).TotalMinutes);
                var (row, failure, scrapBoost) = Sample(m, type, rng);
                if (t >= nextSample)
                {
                    list.Add(row);
                    nextSample = t.AddMinutes(10);
                }

                produced += step * 60 / (m.IdealCycleSeconds * speedFactor);
                scrapRate = Math.Max(scrapRate, 0.006 + scrapBoost);
                m.ToolWearMin += step * (type == "L" ? 0.5 : type == "M" ? 0.7 : 0.9);
                t = t.AddMinutes(step);

                if (t >= end)
                {
                    break;
                }

                var hazard = m.Frailty * (1 + (3 * Math.Pow(m.DaysSinceService / 90, 2))) / 7000;
                var major = rng.Chance(hazard * step);
                if (failure is not null || major)
                {
                    Close(events, m, producingFrom, t);
                    var reason = major ? rng.Pick(["SPINDLE_BEARING", "SERVO_FAULT", "CONVEYOR_JAM"]) : failure!;
                    if (major && reason != "CONVEYOR_JAM")
                    {
                        events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.UnplannedDown, StartedAt = t, EndedAt = end, ReasonCode = reason });
                        failures.Add((m, t, reason));
                        m.Down = true;
                        t = end;
                        producingFrom = end;
                        break;
                    }

                    var minutes = reason switch { "TWF" => 20, "HDF" => rng.Uniform(15, 40), "PWF" => rng.Uniform(30, 70), "OSF" => rng.Uniform(20, 50), _ => rng.LogNormal(35, 0.6) };
                    minutes = Math.Min(minutes, (end - t).TotalMinutes);
                    events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.UnplannedDown, StartedAt = t, EndedAt = t.AddMinutes(minutes), ReasonCode = reason });
                    t = t.AddMinutes(minutes);
                    producingFrom = t;
                    if (reason is "TWF" or "OSF")
                    {
                        m.ToolWearMin = 0;
                        m.ToolLifeMin = rng.Uniform(200, 240);
                    }
                }
                else if (rng.Chance(0.055 * step / 10))
                {
                    // A minor stop: a jam cleared by the operator within minutes.
                    var minutes = Math.Min(rng.Uniform(1, 5), (end - t).TotalMinutes);
                    Close(events, m, producingFrom, t);
                    events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.Idle, StartedAt = t, EndedAt = t.AddMinutes(minutes), ReasonCode = "MINOR_STOP" });
                    produced -= minutes * 60 / (m.IdealCycleSeconds * speedFactor);
                    t = t.AddMinutes(minutes);
                    producingFrom = t;
                }
                else if (m.ToolWearMin >= m.ToolLifeMin)
                {
                    m.ToolWearMin = 0;
                    m.ToolLifeMin = rng.Uniform(200, 240);
                }
            }

            Close(events, m, producingFrom, end);
            var quantity = Math.Max(0, (int)produced);
            var scrap = Binomial(rng, quantity, scrapRate);
            var rework = Binomial(rng, quantity - scrap, 0.012);
            runs.Add(new ProductionRun
            {
                EquipmentId = m.Id, ProductCode = product, StartedAt = start, EndedAt = end, PlannedBusyMinutes = 450m,
                IdealCycleTimeSeconds = (decimal)m.IdealCycleSeconds, ProducedQuantity = quantity, GoodQuantity = quantity - scrap - rework,
                ScrapQuantity = scrap, ReworkQuantity = rework,
            });
        }

        sim.Loop.At(end.AddMinutes(5), async () =>
        {
            await sim.Ops.RecordManyAsync(sim.Scope(sim.Planner), runs, CancellationToken.None).ConfigureAwait(false);
            await sim.Ops.RecordManyAsync(sim.Scope(sim.Planner), events, CancellationToken.None).ConfigureAwait(false);
            sim.Counts.ProductionRuns += runs.Count;
            sim.Counts.EquipmentStateEvents += events.Count;
            WriteSamples(start, samples);
        });
        foreach (var (machine, at, reason) in failures)
        {
            sim.Loop.At(at, () => FailureOrderAsync(machine, at, reason, CancellationToken.None));
        }

        return Task.CompletedTask;
    }

    /// <summary>One process reading (AI4I 2020 columns) and the failure rule it breaks, if any.</summary>
    private (string[] Row, string? Failure, double ScrapBoost) Sample(MachineSim m, string type, Rng rng)
    {
        var season = 2 * Math.Sin(2 * Math.PI * (sim.Loop.Now.DayOfYear - 115) / 365.25);
        m.AirK = Math.Clamp(m.AirK + rng.Normal(0, 0.25) + (0.05 * (298 + season - m.AirK)), 295.3, 304.5);
        var processK = m.AirK + 10 + rng.Normal(0, 0.5);
        var rpm = Math.Max(1168, rng.Normal(1540, 170));
        var torque = Math.Clamp(40 - ((rpm - 1540) * 0.045) + rng.Normal(0, 5.5), 3.8, 76.6);
        var wear = Math.Round(m.ToolWearMin);
        var power = torque * rpm * 2 * Math.PI / 60;
        var twf = wear >= 200 && wear >= m.ToolLifeMin && rng.Chance(0.3);
        var hdf = processK - m.AirK < 8.6 && rpm < 1380;
        var pwf = power is < 3500 or > 9000;
        var osf = wear * torque > type switch { "L" => 11_000, "M" => 12_000, _ => 13_000 };
        var rnf = rng.Chance(0.001);
        m.Udi++;
        string? failure = twf ? "TWF" : hdf ? "HDF" : pwf ? "PWF" : osf ? "OSF" : rnf ? "RNF" : null;
        var row = new[]
        {
            m.Udi.ToString(CultureInfo.InvariantCulture), $"{type}{47_000 + m.Udi}", type, F(m.AirK, 1), F(processK, 1),
            F(Math.Round(rpm), 0), F(torque, 1), F(wear, 0), Flag(failure is not null), Flag(twf), Flag(hdf), Flag(pwf), Flag(osf), Flag(rnf),
        };
        var scrapBoost = (0.02 * Math.Max(0, (m.ToolWearMin - 150) / 100)) + (0.01 * Math.Max(0, processK - 311));
        return (row, failure, scrapBoost);
    }

    private async Task FailureOrderAsync(MachineSim machine, DateTime at, string reason, CancellationToken cancellationToken)
    {
        var (part, hours) = reason == "SPINDLE_BEARING" ? ("SPINDLE-BRG", 5.0) : ("SERVO-DRV", 3.5);
        machine.Repair = await workshop.OpenAsync(new JobRequest(_plant, machine.Id, ServiceOrderType.Corrective, Priority.Critical,
            $"{machine.Code} stopped: {reason.Replace('_', ' ').ToLowerInvariant()}", hours * machine.Rng.LogNormal(1, 0.3))
        {
            AssetDown = true,
            FailureAt = at,
            Billable = false,
            Finding = reason == "SPINDLE_BEARING" ? "Spindle bearing noise and vibration above limit; bearings worn" : "Servo drive tripped on overcurrent; drive module failed",
            Resolution = reason == "SPINDLE_BEARING" ? "REPLACED_SPINDLE_BEARINGS" : "REPLACED_SERVO_DRIVE",
            Parts = [(part, 1)],
            OnDone = job =>
            {
                machine.Down = false;
                machine.Repair = null;
                machine.DaysSinceService = 0;
                return Task.CompletedTask;
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task OpenServiceAsync(MachineSim machine, CancellationToken cancellationToken)
    {
        var insertBoxes = machine.Code.Contains("LATHE", StringComparison.Ordinal) || machine.Code.Contains("HOB", StringComparison.Ordinal) ? 2 : 0;
        machine.Repair = await workshop.OpenAsync(new JobRequest(_plant, machine.Id, ServiceOrderType.Preventive, Priority.Medium,
            $"{machine.Code} quarterly service", 3 * machine.Rng.LogNormal(1, 0.2))
        {
            PmPlanId = machine.PlanId,
            Billable = false,
            Resolution = "PM_DONE",
            Parts = insertBoxes > 0 ? [("TOOL-INSERT", insertBoxes)] : [],
            OnDone = job =>
            {
                machine.Repair = null;
                machine.DaysSinceService = 0;
                machine.DaysSincePm = 0;
                return Task.CompletedTask;
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    private void WriteSamples(DateTime shift, Dictionary<MachineSim, List<string[]>> samples)
    {
        foreach (var (machine, rows) in samples)
        {
            sim.Counts.ProcessSamples += rows.Count;
            if (sim.Options.OutputDirectory is not { } root || rows.Count == 0)
            {
                continue;
            }

            var folder = Path.Combine(root, "process", machine.Code);
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"{shift:yyyy-MM-dd}.csv");
            var text = new StringBuilder();
            if (!File.Exists(path))
            {
                text.AppendJoin(',', Header).Append('\n');
            }

            foreach (var row in rows)
            {
                text.AppendJoin(',', row).Append('\n');
            }

            File.AppendAllText(path, text.ToString());
        }
    }

    private static void Close(List<EquipmentStateEvent> events, MachineSim m, DateTime from, DateTime to)
    {
        if (to > from)
        {
            events.Add(new EquipmentStateEvent { EquipmentId = m.Id, State = EquipmentState.Producing, StartedAt = from, EndedAt = to });
        }
    }

    private static int Binomial(Rng rng, int n, double p)
    {
        // Normal approximation; exact enough for hundreds of parts a shift.
        var mean = n * p;
        return Math.Clamp((int)Math.Round(rng.Normal(mean, Math.Sqrt(Math.Max(mean * (1 - p), 0)))), 0, n);
    }

    private static string F(double value, int digits) => Math.Round(value, digits).ToString(digits == 0 ? "0" : "0." + new string('0', digits), CultureInfo.InvariantCulture);

    private static string Flag(bool value) => value ? "1" : "0";
}

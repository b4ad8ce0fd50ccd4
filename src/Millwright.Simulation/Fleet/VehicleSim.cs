using Millwright.Domain;
using Millwright.Simulation.Core;
using Millwright.Simulation.Workshop;

namespace Millwright.Simulation.Fleet;

/// <summary>A developing fault: its severity climbs from 0 to 1 over some weeks; at 1 the component fails.</summary>
internal sealed class Fault(FailureMode mode, double rampDays)
{
    public FailureMode Mode { get; } = mode;
    public double Severity { get; set; }
    public double RampDays { get; } = rampDays;
}

/// <summary>One simulated day of a vehicle: what it did, what its sensors saw, and what broke.</summary>
internal sealed record VehicleDay(
    bool Driven, double Km, double OdometerKm, double AverageSpeed, double MaxSpeed, double AmbientC, double PackMaxC,
    double MotorMaxC, double SocEndPct, double SocLowPct, double PackVoltage, double PackCurrent, double EnergyKwh,
    IReadOnlyList<ChargeEvent> Charges, FailureMode? Failure, double FailureHour, string? WarningCode);

internal sealed record ChargeEvent(ChargerType Type, double StartHour, double Hours, double EnergyKwh, double StartSoc, double EndSoc, double MaxPackC);

/// <summary>
/// A vehicle's hidden state and the physics of one day: usage from its owner's profile, energy from consumption and
/// the weather, battery fade from cycles, depth of discharge and heat (Arrhenius: twice as fast per 10 °C), and
/// component hazards that rise with wear and heat. Some faults build up for weeks and show in the telemetry (motor or
/// pack temperature creeping up); others strike without warning.
/// </summary>
internal sealed class VehicleSim
{
    public required long Id { get; init; }
    public required string Code { get; init; }
    public required ModelSpec Model { get; init; }
    public required SiteSim Site { get; init; }
    public required Rng Rng { get; init; }
    public long? CustomerId { get; init; }
    public bool Billable { get; init; }
    public bool FleetUse { get; init; }
    public int ModelYear { get; init; }
    public double DailyKmMedian { get; init; }
    public double Aggressiveness { get; init; }
    public double DcShare { get; init; }
    public double Frailty { get; init; }

    public double OdometerKm { get; set; }
    public double Soc { get; set; } = 0.8;
    public double Soh { get; set; } = 100;
    public double EquivalentFullCycles { get; set; }
    public double BrakeWear { get; set; }
    public double TireWear { get; set; }
    public double ChainWear { get; set; }
    public double Aux12VYears { get; set; }
    public int DcChargesSinceService { get; set; }
    public long PackId { get; set; }
    public Fault? Fault { get; set; }
    public bool Down { get; set; }
    public bool BatteryAlertRaised { get; set; }
    public DateTime LastPmAt { get; set; }
    public double KmAtLastPm { get; set; }

    /// <summary>Open service orders on this vehicle.</summary>
    public List<Job> Jobs { get; } = [];

    /// <summary>Open alerts by diagnostic code, so one condition raises one alert until a repair clears it.</summary>
    public Dictionary<string, long> OpenAlerts { get; } = new(StringComparer.Ordinal);

    public bool IsMotorcycle => Model.Body == BodyType.Motorcycle;

    public VehicleDay Simulate(DateTime day)
    {
        var rng = Rng;
        var ambient = Weather.AmbientC(day, Site.ClimateOffsetC, rng);
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        var activeChance = FleetUse ? (weekend ? 0.35 : 0.93) : (weekend ? 0.6 : 0.8);
        var capacity = (double)Model.NominalKwh * Soh / 100.0;
        var charges = new List<ChargeEvent>();
        Aux12VYears += 1 / 365.0;

        if (Down || !rng.Chance(activeChance))
        {
            // Parked: a little calendar ageing, no readings.
            Soh -= CalendarFade(ambient + 3);
            return new VehicleDay(false, 0, OdometerKm, 0, 0, ambient, ambient + 3, ambient, Soc * 100, Soc * 100, PackVoltage(Soc), 0, 0, charges, null, 0, null);
        }

        var range = (double)Model.RangeKm * Soh / 100.0;
        var km = Math.Min(rng.LogNormal(DailyKmMedian, 0.45), range * 1.6);
        var coldPenalty = 1 + (0.012 * Math.Max(0, 15 - ambient)) + (0.006 * Math.Max(0, ambient - 28));
        var energy = km * Model.KwhPerKm * (1 + (0.25 * Aggressiveness)) * coldPenalty;
        var dod = energy / capacity;
        var socLow = Soc - dod;
        var fastCharged = false;
        if (socLow < 0.08)
        {
            // A fast charge on the way: DC, to 80 %.
            var needed = 0.8 - Math.Max(0.08, Soc - (dod * 0.55));
            var startSoc = Math.Max(0.08, Soc - (dod * 0.55));
            charges.Add(DcCharge(12 + rng.Uniform(0, 3), startSoc, startSoc + needed, capacity, ambient));
            socLow = Math.Max(0.05, startSoc + needed - (dod * 0.45));
            Soc = socLow;
            fastCharged = true;
        }
        else
        {
            Soc = socLow;
        }

        var coolingFault = Fault is { Mode.Precursor: Precursor.PackHeat } ? Fault.Severity : 0;
        var motorFault = Fault is { Mode.Precursor: Precursor.MotorHeat } ? Fault.Severity : 0;
        var packMax = ambient + 5 + (4 * dod) + (fastCharged ? 9 : 0) + (4 * Aggressiveness) + (Model.PassiveCooling ? 6 : 0)
            + (26 * Math.Pow(coolingFault, 1.5)) + rng.Normal(0, 1.8);
        var motorMax = ambient + (IsMotorcycle ? 45 : 40) + (22 * Aggressiveness) + (6 * Math.Min(1, km / 150))
            + (45 * Math.Pow(motorFault, 1.5)) + rng.Normal(0, 3.5);
        var averageSpeed = Math.Clamp(rng.Normal(FleetUse ? 31 : 38, 6) + (10 * Aggressiveness), 12, 90);
        var maxSpeed = Math.Min(IsMotorcycle ? 160 : 180, averageSpeed * rng.Uniform(2.0, 3.3));

        // Evening charge: AC at the depot or at home, DC for a share of owners.
        if (Soc < ChargeThreshold(rng))
        {
            var dc = rng.Chance(DcShare);
            var target = dc ? 0.8 : rng.Uniform(0.85, 1.0);
            var charge = dc ? DcCharge(rng.Uniform(18, 21), Soc, target, capacity, ambient) : AcCharge(rng.Uniform(18, 22), Soc, target, capacity, ambient);
            charges.Add(charge);
            Soc = target;
            packMax = Math.Max(packMax, charge.MaxPackC);
        }

        foreach (var c in charges.Where(c => c.Type == ChargerType.Dc))
        {
            DcChargesSinceService++;
        }

        // Battery: cycle fade grows with depth of discharge and heat; calendar fade with heat.
        var cycles = energy / (double)Model.NominalKwh;
        EquivalentFullCycles += cycles;
        // Percent of capacity lost per full cycle at 25 °C (NMC: about 20 % over 2,000 cycles; LFP half that).
        var kCycle = Model.Chemistry switch { BatteryChemistry.Lfp => 0.005, BatteryChemistry.Nca => 0.014, _ => 0.010 };
        Soh -= (cycles * kCycle * (1 + (1.5 * Math.Max(0, dod - 0.6))) * Arrhenius(packMax - 8)) + CalendarFade(packMax - 8);
        Soh = Math.Max(40, Soh);

        OdometerKm += km;
        BrakeWear += km / rng.Uniform(35_000, 55_000) * (1 + (0.6 * Aggressiveness)) * (IsMotorcycle ? 1.4 : 1);
        TireWear += km / rng.Uniform(40_000, 60_000) * (1 + (0.5 * Aggressiveness)) * (IsMotorcycle ? 2.5 : 1);
        ChainWear += IsMotorcycle ? km / 25_000 : 0;

        var (failure, hour) = Hazards(km, packMax, motorMax, fastCharged || charges.Any(c => c.Type == ChargerType.Dc));
        string? warning = null;
        if (Fault is { Mode.Name: "inverter" } f && rng.Chance(0.1 * Math.Pow(f.Severity, 3)))
        {
            warning = "P0A2B";
        }

        var packCurrent = -(energy * 1000 / Math.Max(0.5, km / averageSpeed)) / PackVoltage(Soc) * rng.Uniform(0.8, 1.2);
        return new VehicleDay(true, km, OdometerKm, averageSpeed, maxSpeed, ambient, packMax, motorMax, Soc * 100, socLow * 100,
            PackVoltage(socLow), packCurrent, energy, charges, failure, hour, warning);
    }

    /// <summary>A vehicle back from the workshop: the failed component is new, the fault is gone.</summary>
    public void Repair(FailureMode? mode, IEnumerable<string> replacedSkus)
    {
        if (Fault is not null && (mode is null || Fault.Mode == mode))
        {
            Fault = null;
        }

        foreach (var sku in replacedSkus)
        {
            switch (sku)
            {
                case "BRK-PAD-F" or "BRK-PAD-R":
                    BrakeWear = 0;
                    break;
                case "TIRE-CAR" or "TIRE-MOTO":
                    TireWear = 0;
                    break;
                case "CHAIN-KIT":
                    ChainWear = 0;
                    break;
                case "AUX-12V":
                    Aux12VYears = 0;
                    break;
                case "CHG-PORT":
                    DcChargesSinceService = 0;
                    break;
            }
        }
    }

    public void ReplacePack(long packId)
    {
        PackId = packId;
        Soh = Rng.Uniform(97, 100);
        EquivalentFullCycles = 0;
        BatteryAlertRaised = false;
        if (Fault is { Mode.Name: "battery" })
        {
            Fault = null;
        }
    }

    private (FailureMode? Mode, double Hour) Hazards(double km, double packMax, double motorMax, bool dcCharged)
    {
        var rng = Rng;
        var wear = 1 + (OdometerKm / 150_000);
        if (Fault is { } fault)
        {
            fault.Severity = Math.Min(1, fault.Severity + (1 / fault.RampDays));
            if (fault.Severity >= 1 || rng.Chance(0.04 * Math.Pow(fault.Severity, 3)))
            {
                return (fault.Mode, rng.Uniform(7, 20));
            }
        }
        else
        {
            // Onset of a slowly developing fault: more likely in hot-running, high-mileage, frail vehicles.
            var inverter = Frailty * wear * Math.Exp(0.035 * (motorMax - 95)) / 1800;
            var cooling = Frailty * wear * Math.Exp(0.04 * (packMax - 32)) * (Model.PassiveCooling ? 0.2 : 1) / 2200;
            if (rng.Chance(inverter))
            {
                Fault = new Fault(Catalog.Mode("inverter"), rng.Uniform(12, 45));
            }
            else if (rng.Chance(cooling))
            {
                Fault = new Fault(Catalog.Mode("cooling"), rng.Uniform(10, 35));
            }
        }

        // Faults without a precursor: the battery's own wear-out, and components that simply fail.
        var battery = Math.Exp(0.28 * (78 - Soh)) / 9000;
        var aux = Math.Pow(Aux12VYears / 4.5, 3) / 1400;
        var isolation = wear / 40_000;
        var contactor = wear * (dcCharged ? 3 : 1) / 60_000;
        var dcdc = wear / 30_000;
        var port = DcChargesSinceService / 400.0 / 600;
        foreach (var (mode, hazard) in new[] { ("battery", battery), ("aux12v", aux), ("isolation", isolation), ("contactor", contactor), ("dcdc", dcdc), ("charge_port", port) })
        {
            if (km > 0 && rng.Chance(Frailty * hazard))
            {
                return (Catalog.Mode(mode), rng.Uniform(7, 20));
            }
        }

        return (null, 0);
    }

    private double ChargeThreshold(Rng rng) => FleetUse ? 0.55 : rng.Uniform(0.3, 0.6);

    private ChargeEvent DcCharge(double startHour, double startSoc, double endSoc, double capacity, double ambient)
    {
        var energy = Math.Max(0.2, (endSoc - startSoc) * capacity);
        var power = IsMotorcycle ? 12 : Rng.Uniform(45, 110);
        return new ChargeEvent(ChargerType.Dc, startHour, Math.Max(0.15, energy / power), energy, startSoc * 100, endSoc * 100,
            ambient + 14 + (Model.PassiveCooling ? 10 : 0) + Rng.Normal(0, 2));
    }

    private ChargeEvent AcCharge(double startHour, double startSoc, double endSoc, double capacity, double ambient)
    {
        var energy = Math.Max(0.1, (endSoc - startSoc) * capacity);
        var power = IsMotorcycle ? Math.Min(3.3, capacity) : Rng.Pick([7.4, 11.0]);
        return new ChargeEvent(ChargerType.Ac, startHour, Math.Max(0.2, energy / power), energy, startSoc * 100, endSoc * 100,
            ambient + 4 + Rng.Normal(0, 1.5));
    }

    private double CalendarFade(double temperatureC)
    {
        // Percent per day at 25 °C: about 1.5 % a year for NMC.
        var k = Model.Chemistry switch { BatteryChemistry.Lfp => 0.0025, BatteryChemistry.Nca => 0.0055, _ => 0.0040 };
        return k * Arrhenius(temperatureC);
    }

    /// <summary>Reaction rate relative to 25 °C: doubles every 10 °C.</summary>
    private static double Arrhenius(double temperatureC) => Math.Exp(0.0693 * (temperatureC - 25));

    private double PackVoltage(double soc) => (IsMotorcycle ? 102 : 355) * (0.88 + (0.2 * Math.Clamp(soc, 0, 1)));
}

internal static class Weather
{
    /// <summary>Daily peak temperature: a seasonal sine (peak late July), a site's climate offset and day-to-day noise.</summary>
    public static double AmbientC(DateTime day, double climateOffsetC, Rng rng) =>
        17 + (9 * Math.Sin(2 * Math.PI * (day.DayOfYear - 115) / 365.25)) + climateOffsetC + rng.Normal(0, 2.5);
}

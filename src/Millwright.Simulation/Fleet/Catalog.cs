using Millwright.Domain;

namespace Millwright.Simulation.Fleet;

/// <summary>A vehicle model as the simulator drives it: pack, consumption and how it cools its battery.</summary>
internal sealed record ModelSpec(
    string Code, string Make, string Name, BodyType Body, BatteryChemistry Chemistry, decimal NominalKwh, int RangeKm,
    double KwhPerKm, bool PassiveCooling, double Share);

internal sealed record PartSpec(string Sku, string Name, string Category, string Unit, decimal Cost, decimal ReorderPoint, decimal ReorderQuantity, string Supplier);

internal sealed record SupplierSpec(string Code, string Name, int LeadTimeDays);

/// <summary>
/// What fails, how it shows before it fails (a precursor the telemetry can see, or none), the code a vehicle reports,
/// the parts and the hours a repair takes.
/// </summary>
internal sealed record FailureMode(string Name, string Code, string AlertCode, Precursor Precursor, string Finding, string Resolution, (string Sku, int Quantity)[] Parts, double Hours);

internal enum Precursor { None, MotorHeat, PackHeat, CapacityFade }

/// <summary>Reference data the simulated business runs on: real EV models, a workshop parts catalog, suppliers, failure modes.</summary>
internal static class Catalog
{
    public static readonly IReadOnlyList<ModelSpec> Models =
    [
        new("VW-ID3-PRO", "Volkswagen", "ID.3 Pro", BodyType.Car, BatteryChemistry.Nmc, 58m, 426, 0.155, false, 0.14),
        new("TESLA-M3-RWD", "Tesla", "Model 3 RWD", BodyType.Car, BatteryChemistry.Lfp, 57.5m, 491, 0.142, false, 0.13),
        new("RENAULT-ZOE-R135", "Renault", "Zoe R135", BodyType.Car, BatteryChemistry.Nmc, 52m, 390, 0.172, false, 0.10),
        new("NISSAN-LEAF-EPLUS", "Nissan", "Leaf e+", BodyType.Car, BatteryChemistry.Nmc, 59m, 385, 0.175, true, 0.09),
        new("BYD-DOLPHIN", "BYD", "Dolphin", BodyType.Car, BatteryChemistry.Lfp, 60.4m, 427, 0.159, false, 0.09),
        new("KIA-NIRO-EV", "Kia", "Niro EV", BodyType.Car, BatteryChemistry.Nmc, 64.8m, 460, 0.162, false, 0.08),
        new("FORD-E-TRANSIT", "Ford", "E-Transit 68 kWh", BodyType.Car, BatteryChemistry.Nmc, 68m, 256, 0.280, false, 0.12),
        new("ZERO-SRF", "Zero", "SR/F", BodyType.Motorcycle, BatteryChemistry.Nmc, 17.3m, 259, 0.068, true, 0.07),
        new("ENERGICA-EXPERIA", "Energica", "Experia", BodyType.Motorcycle, BatteryChemistry.Nmc, 22.5m, 256, 0.085, false, 0.05),
        new("SILENCE-S01", "Silence", "S01", BodyType.Motorcycle, BatteryChemistry.Nmc, 5.6m, 133, 0.045, true, 0.08),
        new("NIU-NQI-GTS", "NIU", "NQi GTS", BodyType.Motorcycle, BatteryChemistry.Nca, 2.1m, 70, 0.031, true, 0.05),
    ];

    public static readonly IReadOnlyList<SupplierSpec> Suppliers =
    [
        new("SUP-BOSCH", "Bosch Automotive Aftermarket", 3),
        new("SUP-CONTI", "Continental Tyres Distribution", 4),
        new("SUP-LGES", "LG Energy Solution Service", 10),
        new("SUP-VALEO", "Valeo Service", 5),
        new("SUP-BREMBO", "Brembo Distribution", 6),
        new("SUP-LOCAL", "Local Motor Factors", 1),
        new("SUP-SKF", "SKF Industrial Services", 4),
    ];

    public static readonly IReadOnlyList<PartSpec> Parts =
    [
        new("BRK-PAD-F", "Brake pad set, front", "brakes", "SET", 45m, 6, 12, "SUP-BREMBO"),
        new("BRK-PAD-R", "Brake pad set, rear", "brakes", "SET", 40m, 4, 10, "SUP-BREMBO"),
        new("BRK-DISC-F", "Brake disc, front", "brakes", "EA", 85m, 4, 8, "SUP-BREMBO"),
        new("BRK-FLUID", "Brake fluid DOT 4, 1 L", "fluids", "L", 12m, 6, 24, "SUP-LOCAL"),
        new("TIRE-CAR", "Tire 215/55 R17", "tires", "EA", 110m, 8, 16, "SUP-CONTI"),
        new("TIRE-MOTO", "Motorcycle tire 120/70 ZR17", "tires", "EA", 140m, 4, 8, "SUP-CONTI"),
        new("FLT-CABIN", "Cabin air filter", "filters", "EA", 18m, 8, 24, "SUP-BOSCH"),
        new("WIPER-SET", "Wiper blade set", "body", "SET", 22m, 4, 12, "SUP-BOSCH"),
        new("COOL-G48", "Coolant G48, 1 L", "fluids", "L", 9m, 10, 40, "SUP-LOCAL"),
        new("COOL-PUMP", "Electric coolant pump", "thermal", "EA", 210m, 2, 4, "SUP-VALEO"),
        new("AUX-12V", "12 V auxiliary battery", "low_voltage", "EA", 120m, 3, 6, "SUP-BOSCH"),
        new("DCDC-CONV", "DC/DC converter", "dc_dc", "EA", 640m, 1, 2, "SUP-VALEO"),
        new("INV-MOD", "Drive inverter module", "drive_motor", "EA", 1850m, 1, 2, "SUP-BOSCH"),
        new("MTR-SENS", "Motor position sensor", "drive_motor", "EA", 95m, 2, 4, "SUP-BOSCH"),
        new("CHG-PORT", "CCS2 charge port assembly", "charging", "EA", 340m, 1, 2, "SUP-VALEO"),
        new("HV-CONTACTOR", "HV main contactor", "battery", "EA", 280m, 1, 3, "SUP-LGES"),
        new("ISO-MON", "Insulation monitoring board", "high_voltage", "EA", 190m, 1, 2, "SUP-LGES"),
        new("HV-PACK-CAR", "HV battery pack, car (remanufactured)", "battery", "EA", 7400m, 0, 1, "SUP-LGES"),
        new("HV-PACK-MOTO", "HV battery pack, motorcycle (remanufactured)", "battery", "EA", 2300m, 0, 1, "SUP-LGES"),
        new("CHAIN-KIT", "Drive chain or belt kit", "drivetrain", "KIT", 130m, 2, 4, "SUP-LOCAL"),
        new("SPINDLE-BRG", "Spindle bearing set", "machine", "SET", 420m, 1, 2, "SUP-SKF"),
        new("SERVO-DRV", "Servo drive module", "machine", "EA", 1300m, 0, 1, "SUP-SKF"),
        new("TOOL-INSERT", "Carbide tool insert, box of 10", "machine", "BOX", 85m, 4, 10, "SUP-SKF"),
        new("CONV-BELT", "Conveyor belt", "machine", "EA", 260m, 1, 2, "SUP-SKF"),
    ];

    public static readonly IReadOnlyList<FailureMode> VehicleFailures =
    [
        new("inverter", "P0A78", "P0A2B", Precursor.MotorHeat, "Inverter IGBT stage degraded; motor temperature climbing under load", "REPLACED_INVERTER", [("INV-MOD", 1)], 3.5),
        new("cooling", "P0A7E", "P0A7E", Precursor.PackHeat, "Coolant pump failing, coolant loss at a hose clamp; pack overheating", "REPLACED_COOLANT_PUMP", [("COOL-PUMP", 1), ("COOL-G48", 4)], 2.5),
        new("battery", "P0A80", "P0A7F", Precursor.CapacityFade, "Pack capacity below service limit; cell groups drifting apart", "REPLACED_HV_PACK", [], 6.0),
        new("aux12v", "P0562", "P0562", Precursor.None, "12 V auxiliary battery failed a load test", "REPLACED_12V_BATTERY", [("AUX-12V", 1)], 0.6),
        new("isolation", "P0AA6", "P0AA6", Precursor.None, "HV isolation fault traced to the insulation monitor", "REPLACED_ISOLATION_MONITOR", [("ISO-MON", 1)], 3.0),
        new("contactor", "P0AA1", "P0AA1", Precursor.None, "Main contactor welded closed", "REPLACED_CONTACTOR", [("HV-CONTACTOR", 1)], 2.5),
        new("dcdc", "P0A94", "P0A94", Precursor.None, "DC/DC converter output collapsing under load", "REPLACED_DCDC", [("DCDC-CONV", 1)], 2.0),
        new("charge_port", "MW-CHARGE-PORT", "MW-CHARGE-PORT", Precursor.None, "Charge port contacts burnt from fast charging", "REPLACED_CHARGE_PORT", [("CHG-PORT", 1)], 1.5),
    ];

    public static FailureMode Mode(string name) => VehicleFailures.First(m => m.Name == name);

    public static readonly IReadOnlyList<string> FirstNames =
    [
        "Ana", "João", "Maria", "Pedro", "Inês", "Tiago", "Sofia", "Rui", "Beatriz", "Miguel", "Carla", "Luís", "Marta", "Nuno",
        "Rita", "Paulo", "Joana", "André", "Helena", "Bruno", "Sara", "Diogo", "Catarina", "Hugo", "Lena", "Marco", "Eva", "Jonas",
    ];

    public static readonly IReadOnlyList<string> LastNames =
    [
        "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa", "Fernandes",
        "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Weber", "Schmidt", "Novak",
    ];

    public static readonly IReadOnlyList<string> FleetCustomers =
    [
        "Lisboa Urban Delivery", "Porto Last Mile", "GreenCab Taxis", "Atlântico Car Sharing", "Tejo Facility Services",
        "Norte Courier", "Solar Rentals", "CityMoto Scooters", "Algarve Shuttle", "Pharma Express Logistics",
    ];
}

namespace Millwright.Domain;

public sealed class CostCenter : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate() => Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name));
}

public sealed class Site : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public SiteKind Kind { get; set; }
    public long? CostCenterId { get; set; }
    public string? TimeZone { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate() => Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name));
}

public sealed class StockLocation : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public LocationKind Kind { get; set; }
    public long? SiteId { get; set; }
    public long Version { get; set; }

    /// <summary>Virtual locations (supplier, consumed, scrap, adjust) are the other side of a movement; they hold no balance.</summary>
    public bool IsVirtual => Kind is not (LocationKind.Stock or LocationKind.Van);

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (!IsVirtual && SiteId is null)
        {
            yield return (nameof(SiteId), "a STOCK or VAN location belongs to a site");
        }
    }
}

public sealed class Customer : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public bool IsFleet { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (Email is not null && !Email.Contains('@', StringComparison.Ordinal))
        {
            yield return (nameof(Email), "is not an e-mail address");
        }
    }
}

/// <summary>The supertype of everything that is maintained: vehicles and factory equipment.</summary>
public sealed class Asset : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public AssetKind Kind { get; set; }
    public long SiteId { get; set; }
    public long? CostCenterId { get; set; }
    public AssetStatus Status { get; set; }
    public DateTime? CommissionedAt { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate() => Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name));
}

public sealed class VehicleModel : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Make { get; set; }
    public required string Name { get; set; }
    public BodyType BodyType { get; set; }
    public BatteryChemistry Chemistry { get; set; }
    public decimal NominalKwh { get; set; }
    public int? RatedRangeKm { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Make), Make)).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (NominalKwh is <= 0 or > 500)
        {
            yield return (nameof(NominalKwh), "must be between 0 and 500 kWh");
        }
    }
}

/// <summary>A vehicle is an asset (shared key <see cref="Entity.Id"/> = the asset id).</summary>
public sealed class Vehicle : Entity, IMasterData
{
    public required string Vin { get; set; }
    public long ModelId { get; set; }
    public long? CustomerId { get; set; }
    public int ModelYear { get; set; }
    public string? Plate { get; set; }
    public decimal OdometerKm { get; set; }
    public long? CurrentBatteryPackId { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        if (!Check.IsVin(Vin))
        {
            yield return (nameof(Vin), "a VIN is 17 characters of A-Z (no I, O or Q) and 0-9");
        }

        if (OdometerKm < 0)
        {
            yield return (nameof(OdometerKm), "cannot be negative");
        }

        if (ModelYear is < 1990 or > 2100)
        {
            yield return (nameof(ModelYear), "must be between 1990 and 2100");
        }
    }
}

public sealed class ProductionLine : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public long SiteId { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate() => Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name));
}

/// <summary>Factory equipment is an asset (shared key <see cref="Entity.Id"/> = the asset id).</summary>
public sealed class Equipment : Entity, IMasterData
{
    public long LineId { get; set; }
    public decimal IdealCycleTimeSeconds { get; set; }
    public string? Manufacturer { get; set; }
    public string? SerialNumber { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        if (IdealCycleTimeSeconds <= 0)
        {
            yield return (nameof(IdealCycleTimeSeconds), "must be positive");
        }
    }
}

public sealed class BatteryPack : Entity, IMasterData
{
    public required string Serial { get; set; }
    public BatteryChemistry Chemistry { get; set; }
    public decimal NominalKwh { get; set; }
    public DateTime? ManufacturedAt { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Serial), Serial))
        {
            yield return e;
        }

        if (NominalKwh <= 0)
        {
            yield return (nameof(NominalKwh), "must be positive");
        }
    }
}

/// <summary>Which pack sat in which vehicle when: the history survives pack swaps.</summary>
public sealed class BatteryPackInstallation : Entity, IVersioned
{
    public long BatteryPackId { get; set; }
    public long VehicleId { get; set; }
    public DateTime InstalledAt { get; set; }
    public DateTime? RemovedAt { get; set; }
    public decimal OdometerKmAtInstall { get; set; }
    public long? ServiceOrderId { get; set; }
    public long Version { get; set; }
}

public sealed class Mechanic : Entity, IMasterData
{
    public required string EmployeeNumber { get; set; }
    public required string Name { get; set; }
    public long SiteId { get; set; }
    public decimal HourlyCost { get; set; }
    public decimal BillableRate { get; set; }
    public bool IsActive { get; set; } = true;
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(EmployeeNumber), EmployeeNumber).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (HourlyCost < 0)
        {
            yield return (nameof(HourlyCost), "cannot be negative");
        }

        if (BillableRate < 0)
        {
            yield return (nameof(BillableRate), "cannot be negative");
        }
    }
}

public sealed class MechanicSkill : Entity, IMasterData
{
    public long MechanicId { get; set; }
    public required string Skill { get; set; }

    /// <summary>1 (trainee) to 5 (expert).</summary>
    public int Level { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Text(nameof(Skill), Skill))
        {
            yield return e;
        }

        if (Level is < 1 or > 5)
        {
            yield return (nameof(Level), "must be between 1 and 5");
        }
    }
}

public sealed class Supplier : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public int LeadTimeDays { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (LeadTimeDays < 0)
        {
            yield return (nameof(LeadTimeDays), "cannot be negative");
        }
    }
}

public sealed class Part : Entity, IMasterData
{
    public required string Sku { get; set; }
    public required string Name { get; set; }
    public string Unit { get; set; } = "EA";
    public string? Category { get; set; }
    public decimal StandardCost { get; set; }
    public decimal ReorderPoint { get; set; }
    public decimal ReorderQuantity { get; set; }
    public bool IsActive { get; set; } = true;
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Sku), Sku).Concat(Check.Text(nameof(Name), Name)).Concat(Check.Code(nameof(Unit), Unit)))
        {
            yield return e;
        }

        if (StandardCost < 0)
        {
            yield return (nameof(StandardCost), "cannot be negative");
        }

        if (ReorderPoint < 0 || ReorderQuantity < 0)
        {
            yield return (ReorderPoint < 0 ? nameof(ReorderPoint) : nameof(ReorderQuantity), "cannot be negative");
        }

        foreach (var (field, value) in new[] { (nameof(ReorderPoint), ReorderPoint), (nameof(ReorderQuantity), ReorderQuantity) })
        {
            if (value != Math.Round(value, Check.QuantityScale))
            {
                yield return (field, $"has more than {Check.QuantityScale} decimal places ({value})");
            }
        }
    }
}

public sealed class SupplierPart : Entity, IMasterData
{
    public long SupplierId { get; set; }
    public long PartId { get; set; }
    public string? SupplierSku { get; set; }
    public decimal UnitPrice { get; set; }
    public int LeadTimeDays { get; set; }
    public bool IsPreferred { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        if (UnitPrice < 0)
        {
            yield return (nameof(UnitPrice), "cannot be negative");
        }
    }
}

public sealed class DiagnosticCode : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string System { get; set; }
    public required string Description { get; set; }
    public Severity Severity { get; set; }
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate() => Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Description), Description));
}

/// <summary>A preventive plan: due every N km, N days or N cycles, whichever comes first.</summary>
public sealed class PmPlan : Entity, IMasterData
{
    public required string Code { get; set; }
    public required string Name { get; set; }
    public long? AssetId { get; set; }
    public long? VehicleModelId { get; set; }
    public int? IntervalKm { get; set; }
    public int? IntervalDays { get; set; }
    public int? IntervalCycles { get; set; }
    public decimal EstimatedHours { get; set; }
    public bool IsActive { get; set; } = true;
    public long Version { get; set; }

    public IEnumerable<(string, string)> Validate()
    {
        foreach (var e in Check.Code(nameof(Code), Code).Concat(Check.Text(nameof(Name), Name)))
        {
            yield return e;
        }

        if (IntervalKm is null && IntervalDays is null && IntervalCycles is null)
        {
            yield return (nameof(IntervalDays), "a plan needs an interval in km, days or cycles");
        }

        if (IntervalKm <= 0 || IntervalDays <= 0 || IntervalCycles <= 0)
        {
            yield return (IntervalKm <= 0 ? nameof(IntervalKm) : IntervalDays <= 0 ? nameof(IntervalDays) : nameof(IntervalCycles), "must be positive");
        }

        if (AssetId is null == VehicleModelId is null)
        {
            yield return (nameof(AssetId), "a plan applies to one asset or to one vehicle model");
        }
    }
}

internal static class Check
{
    /// <summary>The store keeps quantities with 4 decimal places; more would be rounded away and show as drift.</summary>
    public const int QuantityScale = 4;

    public static IEnumerable<(string, string)> Code(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return (field, "is required");
        }
        else if (value.Length > 64 || value.Trim() != value)
        {
            yield return (field, "must be at most 64 characters with no leading or trailing spaces");
        }
    }

    public static IEnumerable<(string, string)> Text(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return (field, "is required");
        }
        else if (value.Length > 400)
        {
            yield return (field, "must be at most 400 characters");
        }
    }

    /// <summary>ISO 3779: 17 characters, digits and capital letters other than I, O and Q.</summary>
    public static bool IsVin(string? vin) =>
        vin is { Length: 17 } && vin.All(c => c is (>= '0' and <= '9') or (>= 'A' and <= 'Z') && c is not ('I' or 'O' or 'Q'));
}

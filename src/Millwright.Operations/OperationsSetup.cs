using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>Brings an operational database to the current schema and makes sure its reference data exists.</summary>
public static class OperationsSetup
{
    /// <summary>Applies pending migrations, then adds missing reference data (virtual locations, diagnostic codes). Safe to repeat.</summary>
    public static async Task<IReadOnlyList<string>> MigrateAsync(OperationsStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var applied = await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await UnitOfWork.RunAsync(store, new OperationScope(Actor.System, "operations-setup"), async db =>
        {
            foreach (var kind in new[] { LocationKind.Supplier, LocationKind.Consumed, LocationKind.Scrap, LocationKind.Adjust })
            {
                if (!await db.StockLocations.AnyAsync(l => l.Kind == kind, cancellationToken).ConfigureAwait(false))
                {
                    db.StockLocations.Add(new StockLocation { Code = kind.Name(), Name = $"{kind} (virtual)", Kind = kind });
                }
            }

            var known = (await db.DiagnosticCodes.Select(c => c.Code).ToListAsync(cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
            foreach (var (code, system, severity, description) in DiagnosticCatalog.Codes.Where(c => !known.Contains(c.Code)))
            {
                db.DiagnosticCodes.Add(new DiagnosticCode { Code = code, System = system, Severity = severity, Description = description });
            }

            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return applied;
    }
}

/// <summary>Common OBD-II (SAE J2012) codes for electric drivetrains, plus workshop codes for findings OBD does not report.</summary>
internal static class DiagnosticCatalog
{
    public static readonly IReadOnlyList<(string Code, string System, Severity Severity, string Description)> Codes =
    [
        ("P0A7F", "battery", Severity.Critical, "Hybrid/EV battery pack deterioration"),
        ("P0A80", "battery", Severity.Critical, "Replace hybrid/EV battery pack"),
        ("P0A7E", "battery", Severity.Critical, "Hybrid/EV battery pack over temperature"),
        ("P0AFA", "battery", Severity.Warning, "Hybrid/EV battery system voltage low"),
        ("P0AFB", "battery", Severity.Warning, "Hybrid/EV battery system voltage high"),
        ("P0AA6", "battery", Severity.Critical, "Hybrid/EV battery voltage system isolation fault"),
        ("P0AC0", "battery", Severity.Warning, "Hybrid/EV battery pack current sensor circuit"),
        ("P0AA1", "battery", Severity.Critical, "Hybrid/EV battery positive contactor circuit stuck closed"),
        ("P0AA4", "battery", Severity.Critical, "Hybrid/EV battery negative contactor circuit stuck closed"),
        ("P0A1F", "battery", Severity.Warning, "Battery energy control module"),
        ("P0A0A", "high_voltage", Severity.Critical, "High voltage system interlock circuit"),
        ("P0A78", "drive_motor", Severity.Critical, "Drive motor A inverter performance"),
        ("P0A3F", "drive_motor", Severity.Warning, "Drive motor A position sensor circuit"),
        ("P0A2B", "drive_motor", Severity.Warning, "Drive motor A temperature sensor circuit range/performance"),
        ("P0A94", "dc_dc", Severity.Warning, "DC/DC converter performance"),
        ("P0A09", "dc_dc", Severity.Warning, "DC/DC converter status circuit low"),
        ("P0562", "low_voltage", Severity.Warning, "System voltage low"),
        ("P0563", "low_voltage", Severity.Warning, "System voltage high"),
        ("P0571", "brakes", Severity.Warning, "Brake switch A circuit"),
        ("U0073", "network", Severity.Warning, "Control module communication bus A off"),
        ("U0100", "network", Severity.Warning, "Lost communication with ECM/PCM A"),
        ("U0111", "network", Severity.Critical, "Lost communication with battery energy control module A"),
        ("U0293", "network", Severity.Critical, "Lost communication with hybrid/EV powertrain control module"),
        ("C0035", "chassis", Severity.Warning, "Left front wheel speed sensor circuit"),
        ("C0040", "chassis", Severity.Warning, "Right front wheel speed sensor circuit"),
        ("C0045", "chassis", Severity.Warning, "Left rear wheel speed sensor circuit"),
        ("C0050", "chassis", Severity.Warning, "Right rear wheel speed sensor circuit"),
        ("MW-CELL-IMBALANCE", "battery", Severity.Warning, "Cell voltage spread above limit (workshop finding)"),
        ("MW-COOLANT-LOW", "thermal", Severity.Warning, "Battery/motor coolant level low (workshop finding)"),
        ("MW-CHARGE-PORT", "charging", Severity.Warning, "Charge port damaged or contacts worn (workshop finding)"),
        ("MW-12V-WEAK", "low_voltage", Severity.Info, "12 V auxiliary battery weak (workshop finding)"),
        ("MW-BRAKE-WEAR", "brakes", Severity.Warning, "Brake pads or discs worn below limit (workshop finding)"),
        ("MW-TIRE-WEAR", "chassis", Severity.Info, "Tire tread below limit (workshop finding)"),
        ("MW-CHAIN-WEAR", "drivetrain", Severity.Warning, "Drive chain or belt worn (motorcycles, workshop finding)"),
    ];
}

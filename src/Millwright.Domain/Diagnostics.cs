namespace Millwright.Domain;

public sealed class VehicleAlert : Entity, IVersioned
{
    public long VehicleId { get; set; }
    public long? DiagnosticCodeId { get; set; }
    public AlertSource Source { get; set; }
    public Severity Severity { get; set; }
    public AlertStatus Status { get; set; }
    public required string Message { get; set; }
    public DateTime RaisedAt { get; set; }
    public DateTime? ClearedAt { get; set; }
    public long? ServiceOrderId { get; set; }
    public long Version { get; set; }
}

public sealed class TelemetryReading : Entity, IAppendOnly, INotAudited
{
    public long VehicleId { get; set; }
    public DateTime RecordedAt { get; set; }
    public decimal OdometerKm { get; set; }
    public decimal? SpeedKph { get; set; }
    public decimal? StateOfChargePct { get; set; }
    public decimal? PackVoltage { get; set; }
    public decimal? PackCurrent { get; set; }
    public decimal? PackTempC { get; set; }
    public decimal? MotorTempC { get; set; }
}

public sealed class ChargeSession : Entity, IVersioned, INotAudited
{
    public long VehicleId { get; set; }
    public ChargerType ChargerType { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }
    public decimal EnergyKwh { get; set; }
    public decimal StartSocPct { get; set; }
    public decimal? EndSocPct { get; set; }
    public decimal? MaxPackTempC { get; set; }
    public long Version { get; set; }
}

public sealed class BatteryHealthSnapshot : Entity, IAppendOnly
{
    public long BatteryPackId { get; set; }
    public long? VehicleId { get; set; }
    public DateTime MeasuredAt { get; set; }
    public decimal StateOfHealthPct { get; set; }
    public decimal CapacityKwh { get; set; }
    public decimal EquivalentFullCycles { get; set; }
}

using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Simulation.Core;

/// <summary>Everything one simulation run shares: the use cases, the event loop, the actors and the tallies.</summary>
internal sealed class SimContext(IOperationsGateway operations, EventLoop loop, SimulationOptions options)
{
    private long _correlation;

    public IOperationsGateway Ops { get; } = operations;
    public EventLoop Loop { get; } = loop;
    public SimulationOptions Options { get; } = options;
    public int Seed => Options.Seed;
    public SimulationCounts Counts { get; } = new();

    public Actor Planner { get; } = new("planner.sim", Role.Planner);
    public Actor Manager { get; } = new("manager.sim", Role.Manager);
    public Actor Supervisor { get; } = new("supervisor.sim", Role.Supervisor);
    public Actor Telematics { get; } = new("telematics", Role.Planner);

    public Dictionary<string, long> PartIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> SupplierIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, long> DiagnosticCodeIds { get; } = new(StringComparer.Ordinal);

    /// <summary>A scope with a correlation id that is the same in every run with the same seed.</summary>
    public OperationScope Scope(Actor actor) => new(actor, $"sim-{Seed}-{++_correlation:D9}");
}

/// <summary>Running tallies of what a simulation wrote.</summary>
internal sealed class SimulationCounts
{
    public int Vehicles;
    public int Mechanics;
    public int Equipment;
    public long TelemetryReadings;
    public long ChargeSessions;
    public long BatteryHealthSnapshots;
    public int Alerts;
    public int ServiceOrders;
    public int Breakdowns;
    public int CompletedOrders;
    public long WorkEvents;
    public int PartsIssued;
    public int PurchaseOrders;
    public int Invoices;
    public long ProductionRuns;
    public long EquipmentStateEvents;
    public long ProcessSamples;
    public long RetailOrders;
    public long RetailOrderLines;

    public SimulationTotals Snapshot() => new(
        Vehicles, Mechanics, Equipment, TelemetryReadings, ChargeSessions, BatteryHealthSnapshots, Alerts, ServiceOrders, Breakdowns,
        CompletedOrders, WorkEvents, PartsIssued, PurchaseOrders, Invoices, ProductionRuns, EquipmentStateEvents, ProcessSamples,
        RetailOrders, RetailOrderLines);
}

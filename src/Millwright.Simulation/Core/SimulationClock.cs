namespace Millwright.Simulation.Core;

/// <summary>The simulated "now" every write of the operational store is stamped with; the event loop moves it forward.</summary>
internal sealed class SimulationClock(DateTime start) : TimeProvider
{
    public DateTime Now { get; set; } = DateTime.SpecifyKind(start, DateTimeKind.Utc);

    public override DateTimeOffset GetUtcNow() => new(Now, TimeSpan.Zero);
}

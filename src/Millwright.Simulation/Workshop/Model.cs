using Millwright.Domain;
using Millwright.Simulation.Fleet;

namespace Millwright.Simulation.Workshop;

/// <summary>A workshop or plant: its stock location, mechanics and queue of work.</summary>
internal sealed class SiteSim
{
    public required long Id { get; init; }
    public required string Code { get; init; }
    public required long LocationId { get; init; }
    public required SiteKind Kind { get; init; }
    public double ClimateOffsetC { get; init; }
    public List<MechanicSim> Mechanics { get; } = [];
    public List<Job> Queue { get; } = [];

    /// <summary>The parts this site keeps in stock.</summary>
    public List<PartSpec> Parts { get; } = [];

    /// <summary>Ordered but not yet received, by part id, so a shortage is ordered once.</summary>
    public Dictionary<long, decimal> OnOrder { get; } = [];
}

internal enum Shift { Early, Late }

internal sealed class MechanicSim
{
    public required long Id { get; init; }
    public required SiteSim Site { get; init; }
    public required Shift Shift { get; init; }
    public required int Level { get; init; }
    public required Actor Actor { get; init; }
    public bool WorksSaturday { get; init; }
    public Job? Current { get; set; }

    /// <summary>The shift's hours on <paramref name="day"/>, or null on a day off.</summary>
    public (DateTime Start, DateTime End)? ShiftOn(DateTime day)
    {
        var date = day.Date;
        if (date.DayOfWeek == DayOfWeek.Sunday || (date.DayOfWeek == DayOfWeek.Saturday && !WorksSaturday))
        {
            return null;
        }

        if (date.DayOfWeek == DayOfWeek.Saturday)
        {
            return (date.AddHours(8), date.AddHours(13));
        }

        return Shift == Shift.Early ? (date.AddHours(7), date.AddHours(15.5)) : (date.AddHours(12.5), date.AddHours(21));
    }

    public bool OnShift(DateTime at) => ShiftOn(at) is { } s && at >= s.Start && at < s.End.AddMinutes(-20);

    /// <summary>The start of the next shift after <paramref name="at"/>.</summary>
    public DateTime NextShiftStart(DateTime at)
    {
        for (var day = at.Date; ; day = day.AddDays(1))
        {
            if (ShiftOn(day) is { } s && s.Start > at)
            {
                return s.Start;
            }
        }
    }

    public double SpeedFactor => 1.3 - (0.1 * Level);
}

internal enum JobState { Queued, Working, Paused, WaitingParts, Done }

/// <summary>One service order as the workshop works it: what is really wrong, what it needs, how far it has got.</summary>
internal sealed class Job
{
    public required long OrderId { get; init; }
    public required SiteSim Site { get; init; }
    public required ServiceOrderType Type { get; init; }
    public required Priority Priority { get; init; }
    public required DateTime ReportedAt { get; init; }
    public bool AssetDown { get; init; }
    public bool Billable { get; init; }
    public FailureMode? Failure { get; set; }
    public string? DiagnosticCode { get; set; }
    public string? Finding { get; set; }
    public string? Resolution { get; set; }
    public List<(string Sku, int Quantity)> Parts { get; } = [];
    public List<long> Alerts { get; } = [];
    public Func<Job, Task>? OnDone { get; init; }
    public MechanicSim? Lead { get; set; }
    public JobState State { get; set; } = JobState.Queued;
    public bool Assigned { get; set; }
    public bool Started { get; set; }
    public bool Diagnosed { get; set; }
    public bool PartsIssued { get; set; }
    public bool Reworked { get; set; }
    public double RemainingHours { get; set; }
    public string? WaitingFor { get; set; }
}

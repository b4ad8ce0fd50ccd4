namespace Millwright.Simulation;

/// <summary>What to simulate. The same options (seed included) on a fresh store give the same rows.</summary>
public sealed record SimulationOptions
{
    public int Seed { get; init; } = 42;

    /// <summary>1.0 is a 500-vehicle fleet with three workshops and a plant of three lines; 0.1 is 50 vehicles and one line.</summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Days of history to write before the run ends (or before real time begins with <see cref="Follow"/>).</summary>
    public int Days { get; init; } = 365;

    /// <summary>The first simulated day (UTC midnight). Default: <see cref="Days"/> days before today.</summary>
    public DateTime? Start { get; init; }

    public bool Fleet { get; init; } = true;
    public bool Manufacturing { get; init; } = true;
    public bool Retail { get; init; } = true;

    /// <summary>Retail history covers only the last this many days of the run (all of it when null): a long fleet history need not mean a file per day of shop orders.</summary>
    public int? RetailDays { get; init; }

    /// <summary>Retail orders on an ordinary weekday (weekends, evenings and the Christmas season shape it); default 140 x <see cref="Scale"/>.</summary>
    public double? RetailOrdersPerDay { get; init; }

    /// <summary>Where process-parameter (AI4I-shaped) and retail files are written; none when null.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>After the history, keep producing events as real time passes, until cancelled (the run then returns its summary).</summary>
    public bool Follow { get; init; }

    /// <summary>With <see cref="Follow"/>: stop after this much simulated time past the history (default: until cancelled).</summary>
    public TimeSpan? FollowFor { get; init; }

    /// <summary>Real-time mode only: simulated seconds per real second (1 = real time).</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Real-time mode only: retail order batches are handed here as they happen (the CLI posts them to the stream-load endpoint).</summary>
    public Func<RetailBatch, CancellationToken, Task>? RetailSink { get; init; }

    /// <summary>
    /// Write the history a simulated day per transaction (each use case a savepoint of it): one commit a day instead of
    /// one a use case, and a run stopped part-way keeps whole days. Only for a store no one else writes to meanwhile:
    /// on SQLite the day's transaction holds the file's write lock, and a writer in another process (a web app signing
    /// someone in) would wait behind day after day. Never while retail batches go to a server (<see cref="RetailSink"/>).
    /// </summary>
    public bool DayTransactions { get; init; }

    /// <summary>Called after every simulated day.</summary>
    public IProgress<SimulationProgress>? Progress { get; init; }

    /// <summary>The clock real-time mode waits on (tests pass a fake one).</summary>
    public TimeProvider RealTime { get; init; } = TimeProvider.System;
}

public sealed record SimulationProgress(DateTime Day, int DaysDone, int DaysTotal, SimulationTotals Totals);

public sealed record SimulationTotals(
    int Vehicles, int Mechanics, int Equipment, long TelemetryReadings, long ChargeSessions, long BatteryHealthSnapshots, int Alerts,
    int ServiceOrders, int Breakdowns, int CompletedOrders, long WorkEvents, int PartsIssued, int PurchaseOrders, int Invoices,
    long ProductionRuns, long EquipmentStateEvents, long ProcessSamples, long RetailOrders, long RetailOrderLines);

public sealed record SimulationSummary(DateTime Start, DateTime End, TimeSpan Elapsed, SimulationTotals Totals);

/// <summary>Retail orders of one interval as JSON lines (one order line per row), labelled so a retried post is a no-op.</summary>
public sealed record RetailBatch(string Source, string Label, string JsonLines, int Orders, int Lines);

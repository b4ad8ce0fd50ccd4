namespace Millwright.Ingestion.Files;

/// <summary>
/// Named points in a load where the integrity tests kill the process: with <c>MILLWRIGHT_FAULT_AFTER=STEP</c> the load
/// announces the step once it is done and then waits to be killed; with <c>MILLWRIGHT_FAULT_MARK=STEP</c> it announces
/// it and goes on, so a kill lands in whatever comes next. Unset (always, outside those tests), there is no hook.
/// </summary>
public static class FaultPoints
{
    public const string After = "MILLWRIGHT_FAULT_AFTER";
    public const string Mark = "MILLWRIGHT_FAULT_MARK";

    /// <summary>A step callback for <see cref="IngestionOptions.OnStep"/>, or null when no fault point is set.</summary>
    public static Action<string, TimeSpan>? Hook(Func<string, string?> variable, TextWriter announce)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(announce);
        var halt = variable(After);
        var mark = variable(Mark);
        if (string.IsNullOrEmpty(halt) && string.IsNullOrEmpty(mark))
        {
            return null;
        }

        return (step, _) =>
        {
            if (step != halt && step != mark)
            {
                return;
            }

            lock (announce)
            {
                announce.WriteLine($"fault point: after {step}");
                announce.Flush();
            }

            if (step == halt)
            {
                Thread.Sleep(Timeout.Infinite);
            }
        };
    }
}

namespace Millwright.Cli;

/// <summary>
/// Named points in a load where the integrity tests kill the process: with <c>MILLWRIGHT_FAULT_AFTER=STEP</c> the verb
/// announces the step on standard error once it is done and then waits to be killed; with <c>MILLWRIGHT_FAULT_MARK=STEP</c>
/// it announces it and goes on, so a kill lands in whatever comes next. Unset (always, outside those tests), nothing happens.
/// </summary>
internal static class FaultPoints
{
    public static Action<string, TimeSpan>? Hook(CliIo io)
    {
        var halt = io.Variable("MILLWRIGHT_FAULT_AFTER");
        var mark = io.Variable("MILLWRIGHT_FAULT_MARK");
        if (halt is null && mark is null)
        {
            return null;
        }

        return (step, _) => Reached(io, step, halt, mark);
    }

    public static void Reached(CliIo io, string step, string? halt, string? mark)
    {
        if (step != halt && step != mark)
        {
            return;
        }

        lock (io)
        {
            io.Error.WriteLine($"fault point: after {step}");
            io.Error.Flush();
        }

        if (step == halt)
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }
}

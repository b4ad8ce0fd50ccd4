namespace Millwright.Web.Shell;

/// <summary>A screen that follows state it cannot be told about (runs, backfills) reads it again on a timer while open.</summary>
internal static class Polling
{
    /// <summary>
    /// Every <paramref name="period"/> until <paramref name="cancellationToken"/> (the page's disposal), runs
    /// <paramref name="reload"/> on the component's renderer (<paramref name="invoke"/> is its InvokeAsync) and redraws.
    /// </summary>
    public static async Task EveryAsync(TimeSpan period, Func<Func<Task>, Task> invoke, Func<Task> reload, Action redraw, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                await invoke(async () =>
                {
                    await reload().ConfigureAwait(true);
                    redraw();
                }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

namespace Millwright.Simulation.Core;

/// <summary>
/// A discrete-event loop: actions run in time order (ties in the order they were scheduled), each with the clock set
/// to its time, so every row the operational store writes carries the simulated time of the event that wrote it.
/// </summary>
internal sealed class EventLoop(SimulationClock clock)
{
    private readonly PriorityQueue<Func<Task>, (DateTime At, long Sequence)> _queue = new();
    private long _sequence;

    public DateTime Now => clock.Now;

    public void At(DateTime at, Func<Task> action) => _queue.Enqueue(action, (at < clock.Now ? clock.Now : at, _sequence++));

    public void After(TimeSpan delay, Func<Task> action) => At(clock.Now + delay, action);

    /// <summary>Runs events up to (and excluding) <paramref name="until"/>; <paramref name="wait"/> holds each event until its time comes (real-time mode).</summary>
    public async Task RunUntilAsync(DateTime until, Func<DateTime, CancellationToken, Task>? wait, CancellationToken cancellationToken)
    {
        while (_queue.TryPeek(out _, out var key) && key.At < until)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (wait is not null)
            {
                await wait(key.At, cancellationToken).ConfigureAwait(false);
            }

            var action = _queue.Dequeue();
            clock.Now = key.At;
            await action().ConfigureAwait(false);
        }

        clock.Now = until;
    }
}

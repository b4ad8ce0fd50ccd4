using System.Threading.Channels;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Execution;

/// <summary>
/// Writes a run's events in batches on one background writer (one transaction per batch), in the order they were
/// emitted, and hands each stored event (with its id) to the listener.
/// </summary>
internal sealed class EventSink
{
    private readonly Channel<EventRecord> _channel = Channel.CreateUnbounded<EventRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IOrchestrationStorage _storage;
    private readonly Action<EventRecord>? _listener;
    private readonly Task _pump;

    public EventSink(IOrchestrationStorage storage, Action<EventRecord>? listener)
    {
        _storage = storage;
        _listener = listener;
        _pump = Task.Run(PumpAsync);
    }

    public void Emit(EventRecord e)
    {
        if (!_channel.Writer.TryWrite(e))
        {
            throw new InvalidOperationException("the run's event log is closed");
        }
    }

    /// <summary>Writes what is left and stops; rethrows a storage failure.</summary>
    public async Task CompleteAsync()
    {
        _channel.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        var batch = new List<EventRecord>();
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 1000 && _channel.Reader.TryRead(out var e))
            {
                batch.Add(e);
            }

            var stored = await _storage.AppendEventsAsync(batch, CancellationToken.None).ConfigureAwait(false);
            if (_listener is not null)
            {
                foreach (var e in stored)
                {
                    try
                    {
                        _listener(e);
                    }
                    catch (Exception failure) when (failure is not OutOfMemoryException)
                    {
                        // A listener (progress, metrics, logs) that fails must not stop the run's event log: the
                        // events stay stored and the run ends as it would have.
                        System.Diagnostics.Trace.TraceWarning($"run event listener failed on {e.Type}: {failure.Message}");
                    }
                }
            }
        }
    }
}

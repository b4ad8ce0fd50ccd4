using System.Runtime.CompilerServices;

namespace Millwright.Orchestration.Storage;

public static class StorageExtensions
{
    /// <summary>Every event of a run, oldest first, read in pages.</summary>
    public static async IAsyncEnumerable<EventRecord> ReadRunEventsAsync(this IOrchestrationStorage storage, string runId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        for (long after = 0; ;)
        {
            var page = await storage.GetRunEventsAsync(runId, after, 5000, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var e in page)
            {
                yield return e;
            }

            after = page[^1].Id;
        }
    }
}

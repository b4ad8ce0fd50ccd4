namespace Millwright.Orchestration.Storage;

/// <summary>
/// Runs, the event log, asset and check status, schedule and sensor state and ticks, backfills, dynamic partitions
/// and the daemon lease. SQLite (one file, default) and PostgreSQL implement it; one conformance suite tests both.
/// Every method is safe to call concurrently and from several processes.
/// </summary>
public interface IOrchestrationStorage : IAsyncDisposable
{
    /// <summary>Where it stores, with any password masked.</summary>
    string Describe { get; }

    /// <summary>Creates the tables when missing.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores new runs in one transaction; a run whose (instigator, run key) is already stored is left out. Returns the
    /// runs stored.
    /// </summary>
    Task<IReadOnlyList<RunRecord>> AddRunsAsync(IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs, newest first.</summary>
    Task<IReadOnlyList<RunRecord>> GetRunsAsync(RunFilter filter, CancellationToken cancellationToken);

    /// <summary>Queued runs, highest priority first, then oldest.</summary>
    Task<IReadOnlyList<RunRecord>> GetQueuedRunsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a run from one of <paramref name="from"/> to <paramref name="target"/> and stamps the time (start, end) and
    /// host; false when the run was in none of them (someone else moved it first).
    /// </summary>
    Task<bool> TransitionRunAsync(string runId, IReadOnlyList<RunStatus> from, RunStatus target, DateTimeOffset now, string? host = null, string? failure = null, CancellationToken cancellationToken = default);

    /// <summary>Records that the hosts of these runs are still running them.</summary>
    Task HeartbeatRunsAsync(IReadOnlyList<string> runIds, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Appends events in one transaction and updates asset and check status; returns the events with their ids.</summary>
    Task<IReadOnlyList<EventRecord>> AppendEventsAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken);

    /// <summary>A run's events after <paramref name="afterId"/>, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> GetRunEventsAsync(string runId, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>Events of an asset (materializations, failures, checks, freshness), newest first.</summary>
    Task<IReadOnlyList<EventRecord>> GetAssetEventsAsync(string assetKey, int limit, CancellationToken cancellationToken);

    /// <summary>Events of any type not tied to a run (freshness warnings, daemon events), newest first.</summary>
    Task<IReadOnlyList<EventRecord>> GetEventsOfTypeAsync(string type, int limit, CancellationToken cancellationToken);

    /// <summary>Every asset's latest status (partition "") and, for partitioned assets, each partition's.</summary>
    Task<IReadOnlyList<AssetStatusRecord>> GetAssetStatusAsync(string? assetKey, CancellationToken cancellationToken);

    Task<EventRecord?> GetLatestMaterializationAsync(Definitions.AssetKey asset, CancellationToken cancellationToken);

    Task<IReadOnlyList<CheckStatusRecord>> GetCheckStatusAsync(CancellationToken cancellationToken);

    Task<InstigatorState?> GetInstigatorAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<InstigatorState>> GetInstigatorsAsync(CancellationToken cancellationToken);

    Task SetInstigatorAsync(InstigatorState state, CancellationToken cancellationToken);

    /// <summary>Records a tick; false when that instigator already has a tick at that time (another daemon took it).</summary>
    Task<TickRecord?> AddTickAsync(TickRecord tick, CancellationToken cancellationToken);

    Task UpdateTickAsync(TickRecord tick, CancellationToken cancellationToken);

    /// <summary>Ticks of an instigator, newest first.</summary>
    Task<IReadOnlyList<TickRecord>> GetTicksAsync(string instigator, int limit, CancellationToken cancellationToken);

    Task AddBackfillAsync(BackfillRecord backfill, CancellationToken cancellationToken);

    Task<BackfillRecord?> GetBackfillAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<BackfillRecord>> GetBackfillsAsync(BackfillStatus? status, int limit, CancellationToken cancellationToken);

    Task UpdateBackfillAsync(string id, BackfillStatus status, int submitted, DateTimeOffset? endedAt, string? failure, CancellationToken cancellationToken);

    Task AddDynamicPartitionsAsync(string name, IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> GetDynamicPartitionsAsync(string name, CancellationToken cancellationToken);

    Task DeleteDynamicPartitionAsync(string name, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews the lease <paramref name="name"/> for <paramref name="holder"/> until now + ttl; true when held.
    /// Another holder's lease is taken only once it has expired.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken);

    Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken);

    /// <summary>The holder of a lease that has not expired at <paramref name="now"/>.</summary>
    Task<(string Holder, DateTimeOffset ExpiresAt)?> GetLeaseAsync(string name, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes events, ticks and finished runs older than <paramref name="before"/>, keeping each asset's (and
    /// partition's) latest materialization, each check's latest evaluation and the runs they belong to.
    /// </summary>
    Task<PruneResult> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

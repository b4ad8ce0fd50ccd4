namespace Millwright.Orchestration.Storage;

public enum RunStatus
{
    Queued,
    Starting,
    Started,
    Success,
    Failure,
    Canceling,
    Canceled,
}

public static class RunStatuses
{
    public static bool IsFinished(this RunStatus status) => status is RunStatus.Success or RunStatus.Failure or RunStatus.Canceled;

    public static bool IsActive(this RunStatus status) => status is RunStatus.Starting or RunStatus.Started or RunStatus.Canceling;

    public static string Name(this RunStatus status) => status.ToString().ToUpperInvariant();

    public static RunStatus Parse(string name) => Enum.Parse<RunStatus>(name, ignoreCase: true);
}

/// <summary>One run: what it materializes, how it was started, where it runs and how it ended.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }

    public RunStatus Status { get; init; } = RunStatus.Queued;

    /// <summary>The asset keys the run materializes, upstream first.</summary>
    public required IReadOnlyList<string> Assets { get; init; }

    public string? PartitionKey { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The run's configuration: a JSON object keyed by step name.</summary>
    public string? Config { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The process that runs it: machine/pid/start time.</summary>
    public string? Host { get; init; }

    public DateTimeOffset? HeartbeatAt { get; init; }

    public string? ParentRunId { get; init; }

    public string? RootRunId { get; init; }

    public string? BackfillId { get; init; }

    /// <summary>The schedule, sensor, automation or backfill that requested it; null for a manual launch.</summary>
    public string? Instigator { get; init; }

    public string? RunKey { get; init; }

    /// <summary>Higher runs leave the queue first.</summary>
    public int Priority { get; init; }

    public string? Error { get; init; }
}

public sealed record RunFilter
{
    public IReadOnlyList<RunStatus>? Statuses { get; init; }

    public string? BackfillId { get; init; }

    public string? Instigator { get; init; }

    /// <summary>Runs that materialize this asset.</summary>
    public string? Asset { get; init; }

    /// <summary>Runs created before this one (paging, newest first).</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>
    /// With <see cref="CreatedBefore"/>: the last run of the page before, so runs created in the same millisecond (a
    /// backfill's) are split between pages by their id and none is skipped.
    /// </summary>
    public string? BeforeRunId { get; init; }

    public int Limit { get; init; } = 100;
}

/// <summary>Event types of the structured event log.</summary>
public static class EventTypes
{
    public const string RunQueued = "RUN_QUEUED";
    public const string RunStart = "RUN_START";
    public const string RunSuccess = "RUN_SUCCESS";
    public const string RunFailure = "RUN_FAILURE";
    public const string RunCanceling = "RUN_CANCELING";
    public const string RunCanceled = "RUN_CANCELED";
    public const string StepStart = "STEP_START";
    public const string StepSuccess = "STEP_SUCCESS";
    public const string StepFailure = "STEP_FAILURE";
    public const string StepRetry = "STEP_RETRY";
    public const string StepSkipped = "STEP_SKIPPED";
    public const string Materialization = "ASSET_MATERIALIZATION";
    public const string AssetFailed = "ASSET_FAILED";
    public const string AssetSkipped = "ASSET_SKIPPED";
    public const string CheckEvaluation = "ASSET_CHECK_EVALUATION";
    public const string Log = "LOG";
    public const string FreshnessWarning = "FRESHNESS_WARNING";
    public const string EngineEvent = "ENGINE_EVENT";
}

/// <summary>One entry of the event log.</summary>
public sealed record EventRecord
{
    public long Id { get; init; }

    public string? RunId { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    public required string Type { get; init; }

    public string? StepKey { get; init; }

    public string? AssetKey { get; init; }

    public string? PartitionKey { get; init; }

    public string? CheckName { get; init; }

    /// <summary>info, warning, error or debug.</summary>
    public string Level { get; init; } = "info";

    public string Message { get; init; } = "";

    /// <summary>Structured details as JSON: metadata, the exception, retry attempt and delay, check outcome.</summary>
    public string? Data { get; init; }
}

/// <summary>An asset's (or one partition's) latest materialization and latest failure.</summary>
public sealed record AssetStatusRecord(
    string AssetKey,
    string PartitionKey,
    long? LastMaterializationId,
    DateTimeOffset? LastMaterializationAt,
    string? LastMaterializationRunId,
    DateTimeOffset? LastFailureAt,
    string? LastFailureRunId,
    string? Metadata);

/// <summary>A check's latest evaluation.</summary>
public sealed record CheckStatusRecord(string AssetKey, string CheckName, long EventId, bool Passed, bool Blocking, DateTimeOffset EvaluatedAt, string? RunId, string Description);

/// <summary>A schedule's or sensor's stored state.</summary>
public sealed record InstigatorState(string Name, string Kind, bool Running, string? Cursor, DateTimeOffset UpdatedAt);

public enum TickStatus
{
    Started,
    Success,
    Skipped,
    Failure,
}

/// <summary>One evaluation of a schedule or sensor.</summary>
public sealed record TickRecord
{
    public long Id { get; init; }

    public required string Instigator { get; init; }

    /// <summary>The tick's time: the cron time for schedules, the evaluation time for sensors.</summary>
    public DateTimeOffset TickAt { get; init; }

    public TickStatus Status { get; init; }

    public IReadOnlyList<string> RunIds { get; init; } = [];

    public string? Cursor { get; init; }

    public string? SkipReason { get; init; }

    public string? Error { get; init; }
}

public enum BackfillStatus
{
    Requested,
    Completed,
    Canceled,
    Failed,
}

/// <summary>A backfill: the runs to submit (one per partition) and how far submission got.</summary>
public sealed record BackfillRecord
{
    public required string Id { get; init; }

    public BackfillStatus Status { get; init; } = BackfillStatus.Requested;

    public required IReadOnlyList<string> Assets { get; init; }

    public required IReadOnlyList<string> Partitions { get; init; }

    /// <summary>How many partitions have their run submitted.</summary>
    public int Submitted { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? Error { get; init; }
}

/// <summary>What a retention pass removed.</summary>
public sealed record PruneResult(int Events, int Runs, int Ticks);

using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Definitions;

/// <summary>A request for a run from a schedule, sensor or automation.</summary>
public sealed record RunRequest
{
    /// <summary>The assets, in selection syntax; the instigator's target when null.</summary>
    public string? Selection { get; init; }

    public string? PartitionKey { get; init; }

    /// <summary>A request whose key the instigator already used launches nothing (de-duplication).</summary>
    public string? RunKey { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The run's configuration as a JSON object keyed by step name.</summary>
    public string? Config { get; init; }
}

/// <summary>What one sensor evaluation decided.</summary>
public sealed record SensorResult
{
    public IReadOnlyList<RunRequest> RunRequests { get; init; } = [];

    /// <summary>The cursor to store for the next evaluation; unchanged when null.</summary>
    public string? Cursor { get; init; }

    public string? SkipReason { get; init; }

    /// <summary>Keys to add to dynamic partition sets before the runs launch.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> AddDynamicPartitions { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public static SensorResult Skip(string reason, string? cursor = null) => new() { SkipReason = reason, Cursor = cursor };
}

/// <summary>What a sensor sees when it is evaluated.</summary>
public sealed record SensorContext(string Name, string? Cursor, DateTimeOffset Now, IOrchestrationStorage Storage, CancellationToken CancellationToken);

/// <summary>A polling function with a cursor, evaluated every <see cref="Interval"/>, cut off after <see cref="Timeout"/>.</summary>
public sealed record SensorDefinition(string Name, Func<SensorContext, Task<SensorResult>> Evaluate)
{
    /// <summary>The assets its run requests materialize unless a request names others.</summary>
    public string Target { get; init; } = "*";

    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    public string Description { get; init; } = "";

    /// <summary>Whether it runs before anyone starts or stops it.</summary>
    public bool RunningByDefault { get; init; } = true;

    public string Kind { get; init; } = "custom";

    /// <summary>For a file sensor, the folder it watches: a run it requests may read a file from there.</summary>
    public string? Folder { get; init; }
}

/// <summary>A cron schedule in a time zone that requests a run of its target at each tick.</summary>
public sealed record ScheduleDefinition
{
    public ScheduleDefinition(string name, string cron, string target, string timeZone = "UTC")
    {
        Name = name;
        Cron = cron;
        Target = target;
        TimeZone = timeZone;
        Expression = CronText.Parse(cron, $"schedule {name}");
        Zone = TimeWindowPartitions.FindZone(timeZone);
    }

    public string Name { get; }

    public string Cron { get; }

    public string Target { get; }

    public string TimeZone { get; }

    internal Cronos.CronExpression Expression { get; }

    internal TimeZoneInfo Zone { get; }

    public string Description { get; init; } = "";

    public bool RunningByDefault { get; init; } = true;

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>For partitioned targets: request the window that just closed at the tick (true) or no partition.</summary>
    public bool LatestPartition { get; init; } = true;

    /// <summary>The ticks after <paramref name="after"/> up to and including <paramref name="until"/>.</summary>
    public IEnumerable<DateTimeOffset> TicksBetween(DateTimeOffset after, DateTimeOffset until) =>
        Expression.GetOccurrences(after.UtcDateTime, until.UtcDateTime, Zone, fromInclusive: false, toInclusive: true).Select(t => new DateTimeOffset(t, TimeSpan.Zero));

    public DateTimeOffset? NextTick(DateTimeOffset after) =>
        Expression.GetNextOccurrence(after, Zone) is { } next ? next : null;
}

/// <summary>Ready-made sensors.</summary>
public static class Sensors
{
    /// <summary>
    /// New or changed files in <paramref name="folder"/> matching <paramref name="pattern"/>: one run per file, keyed by
    /// path, size and modification time, with the file's full path in the run tag <c>millwright/file</c>. A file is
    /// picked up once it has not changed for <paramref name="settle"/>, so a half-written file is never read.
    /// </summary>
    public static SensorDefinition Files(string name, string folder, string pattern, string target, TimeSpan? interval = null, TimeSpan? settle = null) =>
        new(name, context =>
        {
            var quiet = settle ?? TimeSpan.FromSeconds(1);
            var seen = ParseCursor(context.Cursor);
            if (!Directory.Exists(folder))
            {
                return Task.FromResult(SensorResult.Skip($"folder {folder} does not exist"));
            }

            var requests = new List<RunRequest>();

            // The cursor keeps only files still there, so it does not grow with every file ever dropped.
            var next = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                var modified = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
                var relative = Path.GetRelativePath(folder, file);
                if (context.Now - modified < quiet)
                {
                    if (seen.TryGetValue(relative, out var previous))
                    {
                        next[relative] = previous;
                    }

                    continue;
                }

                var stamp = $"{info.Length}@{modified.ToUnixTimeMilliseconds()}";
                if (seen.TryGetValue(relative, out var known) && known == stamp)
                {
                    next[relative] = known;
                    continue;
                }

                next[relative] = stamp;
                requests.Add(new RunRequest
                {
                    RunKey = $"{relative}:{stamp}",
                    Tags = new Dictionary<string, string> { [RunFiles.Tag] = info.FullName },
                });
            }

            var cursor = System.Text.Json.JsonSerializer.Serialize(next);
            return Task.FromResult(requests.Count == 0
                ? SensorResult.Skip($"no new files matching {pattern} in {folder}", cursor)
                : new SensorResult { RunRequests = requests, Cursor = cursor });
        })
        {
            Target = target,
            Interval = interval ?? TimeSpan.FromSeconds(30),
            Kind = "file",
            Folder = folder,
            Description = $"new files matching {pattern} in {folder}",
        };

    /// <summary>Each new materialization of <paramref name="asset"/> requests a run of <paramref name="target"/>.</summary>
    public static SensorDefinition Asset(string name, AssetKey asset, string target, TimeSpan? interval = null) =>
        new(name, async context =>
        {
            var after = long.TryParse(context.Cursor, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : 0;
            var latest = await context.Storage.GetLatestMaterializationAsync(asset, context.CancellationToken).ConfigureAwait(false);
            if (latest is null || latest.Id <= after)
            {
                return SensorResult.Skip($"no new materialization of {asset}");
            }

            return new SensorResult
            {
                RunRequests = [new RunRequest { RunKey = $"{asset}:{latest.Id}", Tags = new Dictionary<string, string> { ["millwright/upstream_run"] = latest.RunId ?? "" } }],
                Cursor = latest.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        })
        {
            Target = target,
            Interval = interval ?? TimeSpan.FromSeconds(30),
            Kind = "asset",
            Description = $"new materializations of {asset}",
        };

    private static SortedDictionary<string, string> ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return new(StringComparer.Ordinal);
        }

        try
        {
            return new(System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(cursor) ?? [], StringComparer.Ordinal);
        }
        catch (System.Text.Json.JsonException)
        {
            return new(StringComparer.Ordinal);
        }
    }
}

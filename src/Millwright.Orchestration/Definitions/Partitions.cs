using System.Globalization;

namespace Millwright.Orchestration.Definitions;

/// <summary>Reads the keys of dynamic partition sets (kept in storage).</summary>
public delegate IReadOnlyList<string> DynamicPartitionKeys(string name);

/// <summary>How an asset is split into independently materialized partitions.</summary>
public abstract class PartitionsDefinition
{
    /// <summary>A short description for listings, e.g. <c>daily from 2024-01-01 (Europe/Paris)</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Every partition key that exists at <paramref name="now"/>, in order.</summary>
    public abstract IReadOnlyList<string> GetKeys(DateTimeOffset now, DynamicPartitionKeys dynamicKeys);

    /// <summary>Fails with a message naming the key and what was expected when the key is not one of this definition's forms.</summary>
    public abstract void ValidateKey(string key);

    /// <summary>The keys from <paramref name="first"/> to <paramref name="last"/> inclusive, as listed at <paramref name="now"/>.</summary>
    public IReadOnlyList<string> Range(string first, string last, DateTimeOffset now, DynamicPartitionKeys dynamicKeys)
    {
        var keys = GetKeys(now, dynamicKeys);
        var from = IndexOf(keys, first);
        var to = IndexOf(keys, last);
        if (from > to)
        {
            throw new OrchestrationException($"partition range {first}...{last} is empty: {first} comes after {last}");
        }

        return keys.Skip(from).Take(to - from + 1).ToList();
    }

    private int IndexOf(IReadOnlyList<string> keys, string key)
    {
        ValidateKey(key);
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] == key)
            {
                return i;
            }
        }

        throw new OrchestrationException($"partition '{key}' does not exist yet in {Description}");
    }
}

public enum PartitionCadence
{
    Hourly,
    Daily,
    Weekly,
    Monthly,
}

/// <summary>
/// Time windows (hourly, daily, weekly from Monday, monthly) from a start, in a time zone, up to the last window
/// that has ended. Keys are the window's local start: <c>2024-03-31</c>, or <c>2024-03-31-02:00</c> for hours.
/// Windows are computed on local wall-clock time, so a daily window on a DST change lasts 23 or 25 hours, an hour
/// that DST skips is no partition and the hour that repeats is one two-hour partition.
/// </summary>
public sealed class TimeWindowPartitions : PartitionsDefinition
{
    public TimeWindowPartitions(PartitionCadence cadence, DateTime start, string timeZone = "UTC", int endOffset = 0)
    {
        Cadence = cadence;
        TimeZone = FindZone(timeZone);
        Start = Floor(DateTime.SpecifyKind(start, DateTimeKind.Unspecified));
        EndOffset = endOffset;
    }

    public PartitionCadence Cadence { get; }

    /// <summary>The local start of the first window.</summary>
    public DateTime Start { get; }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>Windows beyond the last complete one that also exist (1: the current, still open window).</summary>
    public int EndOffset { get; }

    public override string Description =>
        $"{Cadence.ToString().ToLowerInvariant()} from {Start.ToString(Format, CultureInfo.InvariantCulture)} ({TimeZone.Id})";

    private string Format => Cadence == PartitionCadence.Hourly ? "yyyy-MM-dd-HH:mm" : "yyyy-MM-dd";

    public override IReadOnlyList<string> GetKeys(DateTimeOffset now, DynamicPartitionKeys dynamicKeys)
    {
        var keys = new List<string>();
        var localNow = TimeZoneInfo.ConvertTime(now, TimeZone).DateTime;
        var current = Start;
        while (Next(current) <= localNow)
        {
            AddKey(current);
            current = Next(current);
        }

        for (var i = 0; i < EndOffset; i++)
        {
            AddKey(current);
            current = Next(current);
        }

        return keys;

        void AddKey(DateTime local)
        {
            // An hour that DST skips (02:00 on a spring-forward night) is not a partition.
            if (Cadence != PartitionCadence.Hourly || !TimeZone.IsInvalidTime(local))
            {
                keys.Add(Key(local));
            }
        }
    }

    public override void ValidateKey(string key)
    {
        if (!DateTime.TryParseExact(key, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) || Floor(local) != local || local < Start)
        {
            throw new OrchestrationException($"partition '{key}' is not a {Cadence.ToString().ToLowerInvariant()} window key of {Description} (expected {Format}, e.g. {Key(Start)})");
        }
    }

    /// <summary>The window a key names, as instants: [start, end).</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Window(string key)
    {
        ValidateKey(key);
        var local = DateTime.ParseExact(key, Format, CultureInfo.InvariantCulture);
        return (ToInstant(local), ToInstant(Next(local)));
    }

    /// <summary>The key of the window that contains <paramref name="instant"/>.</summary>
    public string KeyAt(DateTimeOffset instant) => Key(Floor(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime));

    internal string Key(DateTime local) => local.ToString(Format, CultureInfo.InvariantCulture);

    private DateTimeOffset ToInstant(DateTime local)
    {
        // A local time skipped by DST moves forward to the first valid instant; an ambiguous one takes the earlier offset.
        while (TimeZone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    private DateTime Floor(DateTime local) => Cadence switch
    {
        PartitionCadence.Hourly => new DateTime(local.Year, local.Month, local.Day, local.Hour, 0, 0, DateTimeKind.Unspecified),
        PartitionCadence.Daily => local.Date,
        PartitionCadence.Weekly => local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7)),
        PartitionCadence.Monthly => new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified),
        _ => throw new ArgumentOutOfRangeException(nameof(local)),
    };

    private DateTime Next(DateTime local) => Cadence switch
    {
        PartitionCadence.Hourly => local.AddHours(1),
        PartitionCadence.Daily => local.AddDays(1),
        PartitionCadence.Weekly => local.AddDays(7),
        PartitionCadence.Monthly => local.AddMonths(1),
        _ => throw new ArgumentOutOfRangeException(nameof(local)),
    };

    internal static TimeZoneInfo FindZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new OrchestrationException($"unknown time zone '{id}' (use an IANA name such as Europe/Paris or UTC)", e);
        }
    }
}

/// <summary>A fixed list of keys, e.g. production lines or plants.</summary>
public sealed class StaticPartitions : PartitionsDefinition
{
    private readonly string[] _keys;

    public StaticPartitions(IEnumerable<string> keys)
    {
        _keys = keys.ToArray();
        if (_keys.Length == 0 || _keys.Distinct(StringComparer.Ordinal).Count() != _keys.Length || _keys.Any(k => k.Length == 0 || k.Contains('|', StringComparison.Ordinal)))
        {
            throw new OrchestrationException("static partitions need at least one key, no repeats, no empty key and no '|'");
        }
    }

    public override string Description => $"static ({_keys.Length} keys)";

    public override IReadOnlyList<string> GetKeys(DateTimeOffset now, DynamicPartitionKeys dynamicKeys) => _keys;

    public override void ValidateKey(string key)
    {
        if (!_keys.Contains(key, StringComparer.Ordinal))
        {
            throw new OrchestrationException($"partition '{key}' is not one of the static keys {string.Join(", ", _keys.Take(10))}{(_keys.Length > 10 ? ", ..." : "")}");
        }
    }
}

/// <summary>Keys added and removed at run time (by sensors or the API), kept in storage under a name.</summary>
public sealed class DynamicPartitions(string name) : PartitionsDefinition
{
    public string Name { get; } = name;

    public override string Description => $"dynamic '{Name}'";

    public override IReadOnlyList<string> GetKeys(DateTimeOffset now, DynamicPartitionKeys dynamicKeys) => dynamicKeys(Name);

    public override void ValidateKey(string key)
    {
        if (key.Length is 0 or > 200 || key.Contains('|', StringComparison.Ordinal) || key.Any(char.IsControl))
        {
            throw new OrchestrationException($"'{new string([.. key.Take(200).Select(c => char.IsControl(c) ? '?' : c)])}' cannot be a key of dynamic partitions '{Name}' (1 to 200 characters, no '|' and no control characters)");
        }
    }
}

/// <summary>
/// The product of any number of dimensions; a key joins one key per dimension with '|' in dimension order,
/// e.g. <c>2024-01-01|line-3|shift-a</c>.
/// </summary>
public sealed class MultiPartitions : PartitionsDefinition
{
    public MultiPartitions(IReadOnlyList<KeyValuePair<string, PartitionsDefinition>> dimensions)
    {
        if (dimensions.Count < 2 || dimensions.Select(d => d.Key).Distinct(StringComparer.Ordinal).Count() != dimensions.Count)
        {
            throw new OrchestrationException("multi-dimensional partitions need two or more dimensions with distinct names");
        }

        if (dimensions.Any(d => d.Value is MultiPartitions))
        {
            throw new OrchestrationException("a dimension of multi-dimensional partitions cannot itself be multi-dimensional; list its dimensions instead");
        }

        Dimensions = dimensions;
    }

    public IReadOnlyList<KeyValuePair<string, PartitionsDefinition>> Dimensions { get; }

    public override string Description => "multi (" + string.Join(" x ", Dimensions.Select(d => $"{d.Key}: {d.Value.Description}")) + ")";

    public override IReadOnlyList<string> GetKeys(DateTimeOffset now, DynamicPartitionKeys dynamicKeys)
    {
        IEnumerable<string> keys = [""];
        foreach (var (_, dimension) in Dimensions)
        {
            var values = dimension.GetKeys(now, dynamicKeys);
            keys = keys.SelectMany(prefix => values.Select(v => prefix.Length == 0 ? v : prefix + "|" + v)).ToList();
        }

        return keys.Where(k => k.Length > 0).ToList();
    }

    public override void ValidateKey(string key)
    {
        var parts = key.Split('|');
        if (parts.Length != Dimensions.Count)
        {
            throw new OrchestrationException($"partition '{key}' needs {Dimensions.Count} parts joined by '|' ({string.Join("|", Dimensions.Select(d => d.Key))})");
        }

        for (var i = 0; i < parts.Length; i++)
        {
            try
            {
                Dimensions[i].Value.ValidateKey(parts[i]);
            }
            catch (OrchestrationException e)
            {
                throw new OrchestrationException($"partition '{key}', dimension {Dimensions[i].Key}: {e.Message}", e);
            }
        }
    }

    /// <summary>The key's value in each dimension.</summary>
    public IReadOnlyDictionary<string, string> Split(string key)
    {
        ValidateKey(key);
        var parts = key.Split('|');
        return Dimensions.Select((d, i) => (d.Key, parts[i])).ToDictionary(p => p.Key, p => p.Item2, StringComparer.Ordinal);
    }
}

/// <summary>Which partitions of an upstream asset a partition of its downstream asset reads.</summary>
public abstract class PartitionMapping
{
    /// <summary>
    /// The default: the same keys for the same definition; overlapping windows between time windows (a monthly
    /// roll-up reads every day of its month); a time dimension of a multi-partitioned asset maps to a time-window
    /// upstream by the same rule; every upstream partition for an unpartitioned downstream.
    /// </summary>
    public static PartitionMapping Default { get; } = new DefaultMapping();

    /// <summary>Every partition of the upstream asset.</summary>
    public static PartitionMapping All { get; } = new AllMapping();

    /// <summary>Only the upstream's most recent partition.</summary>
    public static PartitionMapping Last { get; } = new LastMapping();

    /// <summary>The upstream keys read by <paramref name="downstreamKey"/> (null for an unpartitioned downstream).</summary>
    public abstract IReadOnlyList<string> UpstreamKeys(string? downstreamKey, PartitionsDefinition? downstream, PartitionsDefinition upstream, DateTimeOffset now, DynamicPartitionKeys dynamicKeys);

    private sealed class AllMapping : PartitionMapping
    {
        public override IReadOnlyList<string> UpstreamKeys(string? downstreamKey, PartitionsDefinition? downstream, PartitionsDefinition upstream, DateTimeOffset now, DynamicPartitionKeys dynamicKeys) =>
            upstream.GetKeys(now, dynamicKeys);
    }

    private sealed class LastMapping : PartitionMapping
    {
        public override IReadOnlyList<string> UpstreamKeys(string? downstreamKey, PartitionsDefinition? downstream, PartitionsDefinition upstream, DateTimeOffset now, DynamicPartitionKeys dynamicKeys) =>
            upstream.GetKeys(now, dynamicKeys) is { Count: > 0 } keys ? [keys[^1]] : [];
    }

    private sealed class DefaultMapping : PartitionMapping
    {
        public override IReadOnlyList<string> UpstreamKeys(string? downstreamKey, PartitionsDefinition? downstream, PartitionsDefinition upstream, DateTimeOffset now, DynamicPartitionKeys dynamicKeys)
        {
            if (downstreamKey is null || downstream is null)
            {
                return upstream.GetKeys(now, dynamicKeys);
            }

            if (ReferenceEquals(downstream, upstream) || (downstream.Description == upstream.Description && downstream.GetType() == upstream.GetType()))
            {
                return [downstreamKey];
            }

            if (downstream is TimeWindowPartitions down && upstream is TimeWindowPartitions up)
            {
                var (start, end) = down.Window(downstreamKey);
                return up.GetKeys(now, dynamicKeys).Where(k =>
                {
                    var (s, e) = up.Window(k);
                    return s < end && e > start;
                }).ToList();
            }

            if (downstream is MultiPartitions multi)
            {
                var parts = multi.Split(downstreamKey);
                foreach (var (name, dimension) in multi.Dimensions)
                {
                    if (dimension is TimeWindowPartitions && upstream is TimeWindowPartitions)
                    {
                        return UpstreamKeys(parts[name], dimension, upstream, now, dynamicKeys);
                    }

                    if (dimension.Description == upstream.Description && dimension.GetType() == upstream.GetType())
                    {
                        return [parts[name]];
                    }
                }
            }

            if (upstream is MultiPartitions upMulti)
            {
                // Every upstream key whose matching dimension maps to the downstream key.
                return upMulti.GetKeys(now, dynamicKeys).Where(k =>
                {
                    var parts = upMulti.Split(k);
                    return upMulti.Dimensions.Any(d => UpstreamKeys(downstreamKey, downstream, d.Value, now, dynamicKeys).Contains(parts[d.Key], StringComparer.Ordinal));
                }).ToList();
            }

            throw new OrchestrationException($"no default partition mapping from {downstream.Description} to {upstream.Description}; give the dependency a mapping");
        }
    }
}

using System.Text.Json;
using Millwright.Orchestration.Execution;

namespace Millwright.Orchestration.Definitions;

/// <summary>A dependency on an upstream asset, with how partitions map (the default when null).</summary>
public sealed record AssetDependency(AssetKey Asset, PartitionMapping? Mapping = null);

/// <summary>What an asset is: its key, dependencies, ownership, partitions and policies. The computation lives in an <see cref="AssetsDefinition"/>.</summary>
public sealed record AssetSpec(AssetKey Key)
{
    public IReadOnlyList<AssetDependency> Deps { get; init; } = [];

    /// <summary>The group the asset is listed under; the key's first segment, else "default", when empty.</summary>
    public string? Group { get; init; }

    public string Description { get; init; } = "";

    /// <summary>People or teams, e.g. <c>team:reliability</c> or an e-mail address.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>What computes or stores it, e.g. <c>dbt</c>, <c>sql</c>, <c>duckdb</c>.</summary>
    public IReadOnlyList<string> Kinds { get; init; } = [];

    public PartitionsDefinition? Partitions { get; init; }

    public AutomationCondition? Automation { get; init; }

    /// <summary>Warn when the latest materialization is older than this.</summary>
    public TimeSpan? MaximumLag { get; init; }

    public string GroupName => !string.IsNullOrEmpty(Group) ? Group : Key.Prefix.Length > 0 ? Key.Prefix : "default";
}

/// <summary>A data-quality check on an asset; a failing blocking check stops what depends on the asset.</summary>
public sealed record AssetCheckSpec(string Name, AssetKey Asset)
{
    public bool Blocking { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Runs after the asset materializes; null when the asset's computation reports the result itself (dbt tests).</summary>
    public Func<AssetContext, Task<CheckOutcome>>? Evaluate { get; init; }
}

/// <summary>A check's result as the check function returns it.</summary>
public sealed record CheckOutcome(bool Passed, string? Description = null, IReadOnlyDictionary<string, object?>? Metadata = null);

public enum Backoff
{
    Constant,
    Linear,
    Exponential,
}

/// <summary>How a failed step is retried (through Polly): attempts, first delay, growth, jitter and a cap.</summary>
public sealed record RetryPolicy(int MaxRetries, TimeSpan Delay)
{
    public Backoff Backoff { get; init; } = Backoff.Exponential;

    public bool Jitter { get; init; }

    public TimeSpan? MaxDelay { get; init; }
}

public enum AutomationKind
{
    /// <summary>Whenever any upstream updates (and none is missing or in progress).</summary>
    Eager,

    /// <summary>Once, when the asset has never been materialized and its upstreams have.</summary>
    OnMissing,

    /// <summary>Once per cron tick, after every upstream has updated since that tick.</summary>
    OnCron,
}

/// <summary>When the daemon requests an asset on its own (declarative automation).</summary>
public sealed record AutomationCondition(AutomationKind Kind, string? Cron = null, string TimeZone = "UTC")
{
    public static AutomationCondition Eager() => new(AutomationKind.Eager);

    public static AutomationCondition OnMissing() => new(AutomationKind.OnMissing);

    public static AutomationCondition OnCron(string cron, string timeZone = "UTC")
    {
        CronText.Parse(cron, "automation on_cron");
        TimeWindowPartitions.FindZone(timeZone);
        return new(AutomationKind.OnCron, cron, timeZone);
    }

    public override string ToString() => Kind switch
    {
        AutomationKind.Eager => "eager",
        AutomationKind.OnMissing => "on_missing",
        _ => $"on_cron({Cron}, {TimeZone})",
    };
}

/// <summary>Computes one or more assets.</summary>
public delegate Task AssetCompute(AssetContext context);

/// <summary>
/// One computation that materializes one asset or several (a multi-asset, such as a dbt project), with its checks,
/// retry policy, concurrency pool and typed configuration.
/// </summary>
public sealed class AssetsDefinition
{
    public AssetsDefinition(string name, IReadOnlyList<AssetSpec> specs, AssetCompute? compute)
    {
        if (specs.Count == 0)
        {
            throw new OrchestrationException($"'{name}' defines no asset");
        }

        Name = name;
        Specs = specs;
        Compute = compute;
    }

    /// <summary>The step name: the asset key for a single asset.</summary>
    public string Name { get; }

    public IReadOnlyList<AssetSpec> Specs { get; }

    /// <summary>Null for an external asset (a source that something outside Millwright updates).</summary>
    public AssetCompute? Compute { get; }

    public bool IsExternal => Compute is null;

    public IReadOnlyList<AssetCheckSpec> Checks { get; init; } = [];

    public RetryPolicy? Retry { get; init; }

    /// <summary>The concurrency pool the step takes a slot of (e.g. one writer to the DuckDB file).</summary>
    public string? Pool { get; init; }

    /// <summary>Whether a run may compute only some of its assets (true for dbt; a single asset trivially).</summary>
    public bool CanSubset { get; init; } = true;

    /// <summary>The record the step's configuration binds to; the run's config is validated against it at launch.</summary>
    public Type? ConfigType { get; init; }

    /// <summary>
    /// Folders this computation may read a run's file from (<see cref="RunFiles.Tag"/>); empty when it reads none. A
    /// run that names a file outside every selected computation's folders is refused.
    /// </summary>
    public IReadOnlyList<string> FileFolders { get; init; } = [];

    /// <summary>The same computation with more checks on the assets it computes.</summary>
    public AssetsDefinition WithChecks(IEnumerable<AssetCheckSpec> checks) => new(Name, Specs, Compute)
    {
        Checks = [.. Checks, .. checks],
        Retry = Retry,
        Pool = Pool,
        CanSubset = CanSubset,
        ConfigType = ConfigType,
        FileFolders = FileFolders,
    };

    public object? ParseConfig(JsonElement? element)
    {
        if (ConfigType is null)
        {
            return null;
        }

        try
        {
            return element is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } e
                ? e.Deserialize(ConfigType, ConfigJson.Options)
                : JsonSerializer.Deserialize("{}", ConfigType, ConfigJson.Options);
        }
        catch (JsonException e)
        {
            throw new OrchestrationException($"config of '{Name}': {e.Message}", e);
        }
    }
}

internal static class ConfigJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };
}

internal static class CronText
{
    public static Cronos.CronExpression Parse(string cron, string what)
    {
        try
        {
            var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return Cronos.CronExpression.Parse(cron, fields == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard);
        }
        catch (Cronos.CronFormatException e)
        {
            throw new OrchestrationException($"{what}: '{cron}' is not a cron expression: {e.Message}", e);
        }
    }
}

using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Execution;

/// <summary>What a computation sees and reports through: its run, partition, config and resources; logs, metadata, materializations and check results.</summary>
public sealed class AssetContext
{
    private readonly StepRun _step;
    private readonly Dictionary<string, object?> _metadata = new(StringComparer.Ordinal);

    internal AssetContext(StepRun step, IReadOnlyList<AssetKey> selected, int attempt, CancellationToken cancellationToken)
    {
        _step = step;
        Selected = selected;
        Attempt = attempt;
        CancellationToken = cancellationToken;
    }

    public string RunId => _step.Run.RunId;

    public string StepKey => _step.Node.Name;

    /// <summary>The assets this step computes in this run (a subset of a multi-asset's assets when the run selected only some).</summary>
    public IReadOnlyList<AssetKey> Selected { get; }

    /// <summary>The one asset of a single-asset step.</summary>
    public AssetKey Key => Selected.Count == 1 ? Selected[0] : throw new OrchestrationException($"'{StepKey}' computes {Selected.Count} assets; use Selected");

    public string? PartitionKey => _step.Run.PartitionKey;

    /// <summary>The time window of a time-partitioned asset's partition.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? PartitionWindow =>
        PartitionKey is { } key && _step.Definitions.Spec(Selected[0]).Partitions is TimeWindowPartitions time ? time.Window(key) : null;

    public IReadOnlyDictionary<string, string> Tags => _step.Run.Tags;

    /// <summary>1 for the first attempt, 2 for the first retry, and so on.</summary>
    public int Attempt { get; }

    public CancellationToken CancellationToken { get; }

    public T Resource<T>(string name) =>
        _step.Definitions.Resources.TryGetValue(name, out var resource) && resource is T typed
            ? typed
            : throw new OrchestrationException($"'{StepKey}' needs resource '{name}' of type {typeof(T).Name}, which is not defined");

    /// <summary>This step's section of the run configuration, bound to <typeparamref name="T"/>.</summary>
    public T Config<T>()
    {
        var section = _step.ConfigSection;
        try
        {
            return (section is { } s ? s.Deserialize<T>(ConfigJson.Options) : JsonSerializer.Deserialize<T>("{}", ConfigJson.Options))
                ?? throw new OrchestrationException($"config of '{StepKey}' is null");
        }
        catch (JsonException e)
        {
            throw new OrchestrationException($"config of '{StepKey}': {e.Message}", e);
        }
    }

    /// <summary>The upstream asset's partitions this step's partition reads (by the dependency's mapping).</summary>
    public IReadOnlyList<string> UpstreamPartitions(AssetKey upstream)
    {
        var spec = _step.Definitions.Spec(Selected[0]);
        var dependency = spec.Deps.FirstOrDefault(d => d.Asset == upstream) ?? throw new OrchestrationException($"{spec.Key} does not depend on {upstream}");
        var upstreamPartitions = _step.Definitions.Spec(upstream).Partitions;
        return upstreamPartitions is null
            ? []
            : (dependency.Mapping ?? PartitionMapping.Default).UpstreamKeys(PartitionKey, spec.Partitions, upstreamPartitions, _step.Now(), _step.DynamicKeys);
    }

    public void Log(string message, string level = "info") => _step.Emit(new EventRecord { Type = EventTypes.Log, Level = level, Message = message });

    /// <summary>A value recorded with the materialization of a single-asset step (e.g. row_count, schema).</summary>
    public void AddMetadata(string name, object? value) => _metadata[name] = value;

    internal IReadOnlyDictionary<string, object?> Metadata => _metadata;

    /// <summary>Reports one asset of a multi-asset step as materialized.</summary>
    public void Materialized(AssetKey key, IReadOnlyDictionary<string, object?>? metadata = null) => _step.Materialized(key, metadata, null);

    /// <summary>Reports one asset of a multi-asset step as failed while the step goes on with the others.</summary>
    public void Failed(AssetKey key, string message) => _step.AssetFailed(key, message);

    /// <summary>Reports one asset of a multi-asset step as skipped (its own upstream failed inside the step).</summary>
    public void Skipped(AssetKey key, string reason) => _step.AssetSkipped(key, reason);

    /// <summary>Reports a check's result (for checks the computation evaluates itself, such as dbt tests).</summary>
    public void CheckResult(AssetKey key, string check, CheckOutcome outcome, bool? blocking = null) => _step.CheckResult(key, check, outcome, blocking);
}

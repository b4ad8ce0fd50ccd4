using System.Diagnostics;
using System.Text.Json;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Execution;

/// <summary>How an asset ended in a run.</summary>
internal enum AssetOutcome
{
    Pending,
    Materialized,
    Failed,
    Skipped,

    /// <summary>Materialized, but a blocking check failed: what depends on it does not run.</summary>
    Blocked,
}

/// <summary>One step (a single asset or a multi-asset's selected assets) of one run, and the events it reports.</summary>
internal sealed class StepRun
{
    private readonly RunExecution _execution;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public StepRun(RunExecution execution, AssetsDefinition node, IReadOnlyList<AssetKey> assets)
    {
        _execution = execution;
        Node = node;
        Assets = assets;
        foreach (var key in assets)
        {
            Outcomes[key] = AssetOutcome.Pending;
        }
    }

    public AssetsDefinition Node { get; }

    public IReadOnlyList<AssetKey> Assets { get; }

    public Dictionary<AssetKey, AssetOutcome> Outcomes { get; } = [];

    public List<StepRun> Upstream { get; } = [];

    public RunRecord Run => _execution.Run;

    public Definitions.Definitions Definitions => _execution.Definitions;

    public JsonElement? ConfigSection => _execution.ConfigFor(Node.Name);

    public DateTimeOffset Now() => _execution.Now();

    public IReadOnlyList<string> DynamicKeys(string name) => _execution.DynamicKeys(name);

    public void Emit(EventRecord e) => _execution.Emit(e with { StepKey = e.StepKey ?? Node.Name });

    private string? PartitionOf(AssetKey key) => Definitions.Spec(key).Partitions is null ? null : Run.PartitionKey;

    public void Materialized(AssetKey key, IReadOnlyDictionary<string, object?>? metadata, TimeSpan? duration)
    {
        lock (Outcomes)
        {
            if (!Outcomes.ContainsKey(key))
            {
                throw new OrchestrationException($"'{Node.Name}' reported {key}, which this run did not select from it");
            }

            Outcomes[key] = AssetOutcome.Materialized;
        }

        var data = new Dictionary<string, object?>(metadata ?? new Dictionary<string, object?>(), StringComparer.Ordinal);
        data.TryAdd("duration_ms", Math.Round((duration ?? _clock.Elapsed).TotalMilliseconds, 3));
        Emit(new EventRecord
        {
            Type = EventTypes.Materialization,
            AssetKey = key.Path,
            PartitionKey = PartitionOf(key),
            Message = $"materialized {key}" + (PartitionOf(key) is { } p ? $" [{p}]" : ""),
            Data = JsonSerializer.Serialize(data),
        });
    }

    public void AssetFailed(AssetKey key, string message)
    {
        lock (Outcomes)
        {
            Outcomes[key] = AssetOutcome.Failed;
        }

        Emit(new EventRecord { Type = EventTypes.AssetFailed, AssetKey = key.Path, PartitionKey = PartitionOf(key), Level = "error", Message = message });
    }

    public void AssetSkipped(AssetKey key, string reason)
    {
        lock (Outcomes)
        {
            Outcomes[key] = AssetOutcome.Skipped;
        }

        Emit(new EventRecord { Type = EventTypes.AssetSkipped, AssetKey = key.Path, PartitionKey = PartitionOf(key), Level = "warning", Message = reason });
    }

    public void CheckResult(AssetKey key, string check, CheckOutcome outcome, bool? blocking)
    {
        var spec = Node.Checks.FirstOrDefault(c => c.Asset == key && c.Name == check);
        var isBlocking = blocking ?? spec?.Blocking ?? false;
        if (!outcome.Passed && isBlocking)
        {
            lock (Outcomes)
            {
                if (Outcomes.TryGetValue(key, out var current) && current == AssetOutcome.Materialized)
                {
                    Outcomes[key] = AssetOutcome.Blocked;
                }
            }
        }

        var data = new Dictionary<string, object?>(outcome.Metadata ?? new Dictionary<string, object?>(), StringComparer.Ordinal)
        {
            ["passed"] = outcome.Passed,
            ["blocking"] = isBlocking,
        };
        Emit(new EventRecord
        {
            Type = EventTypes.CheckEvaluation,
            AssetKey = key.Path,
            PartitionKey = PartitionOf(key),
            CheckName = check,
            Level = outcome.Passed ? "info" : isBlocking ? "error" : "warning",
            Message = outcome.Description ?? $"check {check} on {key} {(outcome.Passed ? "passed" : "failed")}",
            Data = JsonSerializer.Serialize(data),
        });
    }
}

using Millwright.Modeling;
using Millwright.Modeling.Execution;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Execution;

namespace Millwright.Pipelines;

/// <summary>What a dbt project contributes: one multi-asset over its models, seeds and snapshots, and its sources.</summary>
internal sealed record DbtBridge(AssetsDefinition? Definition, IReadOnlyList<AssetSpec> Sources, IReadOnlyList<string> Warnings)
{
    /// <summary>The data-quality rules of its sources and staging models, by asset key.</summary>
    public IReadOnlyDictionary<AssetKey, Quality.TableRules> Quality { get; init; } = new Dictionary<AssetKey, Quality.TableRules>();

    /// <summary>The relation each model, seed and snapshot asset builds (its schema and alias as dbt resolved them).</summary>
    public IReadOnlyDictionary<AssetKey, Warehouse.RelationName> Relations { get; init; } = new Dictionary<AssetKey, Warehouse.RelationName>();
}

/// <summary>
/// The bridge between the modeling engine and the orchestrator: every model, seed and snapshot of a pipeline's dbt
/// project is an asset (key = its name), every source an asset (key = source/table) that a pipeline asset of that key
/// computes or that is external, and every test an asset check on the node it tests (error severity blocks). A run
/// materializes the selected nodes with one <c>dbt build</c>.
/// </summary>
internal static class DbtAssets
{
    public static async Task<DbtBridge> LoadAsync(PipelineFile pipeline, DbtDecl dbt, PipelineOptions options, IReadOnlyDictionary<AssetKey, string> owned, CancellationToken cancellationToken)
    {
        var baseOptions = Options(dbt, options);
        DbtRunSummary listing;
        try
        {
            listing = await DbtRunner.RunAsync(DbtCommand.List, baseOptions with { WriteArtifacts = false }, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelingException e)
        {
            throw new PipelineException($"pipeline '{pipeline.Name}': dbt project {dbt.ProjectDir}: {e.Message}", e);
        }

        var nodes = listing.Nodes.ToDictionary(n => n.UniqueId, StringComparer.Ordinal);
        var keyOf = new Dictionary<string, AssetKey>(StringComparer.Ordinal);
        var sources = new List<AssetSpec>();
        foreach (var node in listing.Nodes)
        {
            switch (node.ResourceType)
            {
                case "source":
                    var sourceKey = AssetKey.Of(Segment(node.SourceName!), Segment(node.TableName!));
                    keyOf[node.UniqueId] = sourceKey;
                    if (!owned.ContainsKey(sourceKey))
                    {
                        sources.Add(new AssetSpec(sourceKey) { Description = node.Description, Group = node.SourceName, Kinds = ["dbt", "source"], Tags = Tags(node) });
                    }

                    break;
                case "model" or "seed" or "snapshot" when node.Materialized != "ephemeral":
                    keyOf[node.UniqueId] = new AssetKey(Segment(node.Name));
                    break;
            }
        }

        // An ephemeral model is no asset; what depends on it depends on what it reads.
        IEnumerable<AssetKey> Upstream(DbtNodeInfo node) => node.DependsOn.SelectMany(id =>
            keyOf.TryGetValue(id, out var key) ? [key] : nodes.TryGetValue(id, out var through) ? Upstream(through) : []).Distinct();

        var specs = new List<AssetSpec>();
        var selectors = new Dictionary<AssetKey, string>();
        var idOf = new Dictionary<string, AssetKey>(StringComparer.Ordinal);
        var relations = new Dictionary<AssetKey, Warehouse.RelationName>();
        foreach (var node in listing.Nodes.Where(n => n.ResourceType is "model" or "seed" or "snapshot" && keyOf.ContainsKey(n.UniqueId)))
        {
            var key = keyOf[node.UniqueId];
            if (dbt.Exclude.Contains(node.Name, StringComparer.Ordinal))
            {
                continue;
            }

            specs.Add(new AssetSpec(key)
            {
                Deps = Upstream(node).Select(k => new AssetDependency(k)).ToList(),
                Description = node.Description,
                Group = node.Group ?? dbt.Group ?? pipeline.Name,
                Owners = node.Owners,
                Tags = Tags(node),
                Kinds = ["dbt", node.ResourceType, node.Materialized ?? ""],
                Automation = node.ResourceType == "model" ? dbt.Automation : null,
            });
            selectors[key] = node.Selector;
            idOf[node.UniqueId] = key;
            relations[key] = new Warehouse.RelationName(node.Schema, node.Identifier ?? node.Name);
        }

        var warnings = new List<string>();
        var checks = new List<AssetCheckSpec>();
        foreach (var test in listing.Nodes.Where(n => n.ResourceType is "test" or "unit_test"))
        {
            if (test.AttachedNode is { } attached && idOf.TryGetValue(attached, out var target))
            {
                checks.Add(new AssetCheckSpec(test.Name, target) { Blocking = test.ErrorSeverity, Description = test.Description });
            }
            else if (TestedNode(test.DependsOn.Where(idOf.ContainsKey).ToList(), nodes) is { } parent && idOf[parent] is var tested)
            {
                checks.Add(new AssetCheckSpec(test.Name, tested) { Blocking = test.ErrorSeverity, Description = test.Description });
            }
            else
            {
                warnings.Add($"pipeline '{pipeline.Name}': dbt test {test.Name} tests a source or nothing dbt builds; it runs with dbt but is no asset check");
            }
        }

        Dictionary<AssetKey, Quality.TableRules> quality;
        try
        {
            var included = keyOf.Where(k => !nodes[k.Key].ResourceType.Equals("model", StringComparison.Ordinal) || idOf.ContainsKey(k.Key)).ToDictionary(StringComparer.Ordinal);
            quality = QualityChecks.FromDbt(Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(pipeline.Folder)) ?? ".", dbt.ProjectDir), listing.Nodes, included);
        }
        catch (Quality.QualityException e)
        {
            throw new PipelineException(e.Message, e);
        }

        if (specs.Count == 0)
        {
            return new DbtBridge(null, sources, warnings) { Quality = quality };
        }

        var byId = idOf.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var checkNames = checks.Select(c => (c.Asset, c.Name)).ToHashSet();
        var definition = new AssetsDefinition($"dbt:{pipeline.Name}", specs, ctx => BuildAsync(ctx, baseOptions, selectors, byId, checkNames))
        {
            Checks = checks,
            Retry = dbt.Retry,
            Pool = dbt.Pool,
        };
        return new DbtBridge(definition, sources, warnings) { Quality = quality, Relations = relations };
    }

    private static DbtOptions Options(DbtDecl dbt, PipelineOptions options)
    {
        // The project's own profiles.yml wins; without one, the project runs on the workspace's warehouse.
        var hasProfile = File.Exists(Path.Combine(dbt.ProjectDir, "profiles.yml"));
        return new DbtOptions
        {
            ProjectDir = dbt.ProjectDir,
            ProfilesDir = hasProfile ? dbt.ProjectDir : null,
            Connection = hasProfile ? null : WorkspaceDbt.Connection(dbt, options.Warehouse),
            Environment = options.Environment,
        };
    }

    /// <summary>
    /// The model a test of several models is a check of: the one the others are all upstream of (so the check runs
    /// with the last of them to be built), else the first.
    /// </summary>
    private static string? TestedNode(List<string> parents, Dictionary<string, DbtNodeInfo> nodes)
    {
        if (parents.Count <= 1)
        {
            return parents.FirstOrDefault();
        }

        HashSet<string> Upstream(string id)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var stack = new Stack<string>([id]);
            while (stack.TryPop(out var next))
            {
                foreach (var parent in nodes.GetValueOrDefault(next)?.DependsOn ?? [])
                {
                    if (seen.Add(parent))
                    {
                        stack.Push(parent);
                    }
                }
            }

            return seen;
        }

        return parents.FirstOrDefault(p => Upstream(p) is var above && parents.All(q => q == p || above.Contains(q))) ?? parents[0];
    }

    private static async Task BuildAsync(AssetContext ctx, DbtOptions baseOptions, Dictionary<AssetKey, string> selectors, Dictionary<string, AssetKey> byId, HashSet<(AssetKey, string)> checks)
    {
        var selected = ctx.Selected.ToHashSet();
        var options = baseOptions with
        {
            Select = ctx.Selected.Select(k => selectors[k]).ToList(),
            // A test runs when every model it reads is in the run or upstream of it: one that also reads a model
            // outside the run (not built yet, or stale) waits for a run that builds that model too.
            IndirectSelection = IndirectSelection.Buildable,
            OnMessage = message => ctx.Log(message, message.StartsWith("warning", StringComparison.Ordinal) ? "warning" : "info"),
            OnNodeFinished = result =>
            {
                if (result.ResourceType is "test" or "unit_test")
                {
                    var check = checks.FirstOrDefault(c => c.Item2 == result.Name);
                    if (check != default && selected.Contains(check.Item1))
                    {
                        var passed = result.Status == NodeStatus.Pass;
                        ctx.CheckResult(check.Item1, result.Name, new Orchestration.Definitions.CheckOutcome(
                            passed,
                            $"{result.Name}: {result.Status.ToString().ToUpperInvariant()}" + (result.Failures is > 0 ? $" ({result.Failures} failing row(s))" : "") + (result.Status == NodeStatus.Error ? $": {result.Message}" : ""),
                            new Dictionary<string, object?> { ["failures"] = result.Failures, ["dbt_unique_id"] = result.UniqueId }));
                    }

                    return;
                }

                if (!byId.TryGetValue(result.UniqueId, out var key) || !selected.Contains(key))
                {
                    return;
                }

                switch (result.Status)
                {
                    case NodeStatus.Success:
                        ctx.Materialized(key, new Dictionary<string, object?>
                        {
                            ["dbt_unique_id"] = result.UniqueId,
                            ["dbt_message"] = result.Message,
                            ["duration_ms"] = Math.Round(result.Duration.TotalMilliseconds, 3),
                        });
                        break;
                    case NodeStatus.Skipped:
                        ctx.Skipped(key, $"skipped {key}: {result.Message}");
                        break;
                    default:
                        ctx.Failed(key, $"{key} failed: {result.Message}");
                        break;
                }
            },
        };
        var summary = await DbtRunner.RunAsync(DbtCommand.Build, options, ctx.CancellationToken).ConfigureAwait(false);
        ctx.Log($"dbt build: PASS={summary.Passed} WARN={summary.Warned} ERROR={summary.Errored} SKIP={summary.Skipped} in {summary.Elapsed.TotalSeconds:0.00}s");
    }

    private static string Segment(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray());

    private static Dictionary<string, string> Tags(DbtNodeInfo node) => node.Tags.ToDictionary(t => t, _ => "", StringComparer.Ordinal);
}

using Millwright.Modeling.Manifest;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Runs nodes in dependency order on up to N threads. Edges come from the graph, looking through nodes that
/// are not run (sources, ephemerals, unselected nodes); in build, a test also gates the children of the nodes it
/// tests. A failure skips everything downstream; with fail-fast it skips everything not yet started.
/// </summary>
internal sealed class Scheduler
{
    private readonly ProjectManifest _manifest;
    private readonly List<ManifestNode> _runnable;
    private readonly int _threads;
    private readonly bool _failFast;
    private readonly Dictionary<string, HashSet<string>> _parents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _children = new(StringComparer.Ordinal);

    public Scheduler(ProjectManifest manifest, List<ManifestNode> runnable, bool build, int threads, bool failFast)
    {
        _manifest = manifest;
        _runnable = runnable;
        _threads = Math.Max(1, threads);
        _failFast = failFast;
        var included = runnable.Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        var memo = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var node in runnable)
        {
            _parents[node.UniqueId] = EffectiveParents(node.UniqueId, included, memo);
            _children[node.UniqueId] = [];
        }

        if (build)
        {
            AddTestEdges(included);
        }

        foreach (var (child, parents) in _parents)
        {
            foreach (var parent in parents)
            {
                _children[parent].Add(child);
            }
        }
    }

    private HashSet<string> EffectiveParents(string id, HashSet<string> included, Dictionary<string, HashSet<string>> memo)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parent in _manifest.Nodes[id].DependsOn)
        {
            if (included.Contains(parent))
            {
                result.Add(parent);
            }
            else
            {
                if (!memo.TryGetValue(parent, out var through))
                {
                    through = EffectiveParents(parent, included, memo);
                    memo[parent] = through;
                }

                result.UnionWith(through);
            }
        }

        return result;
    }

    /// <summary>
    /// A test runs before the children of what it tests, as dbt orders a build: before a child that descends from every
    /// node the test reads (so a relationships test gates what is built from both of its models, and never a model
    /// built from only one of them, which could wait on the test through the other and never start).
    /// </summary>
    private void AddTestEdges(HashSet<string> included)
    {
        var ancestors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var test in _runnable.Where(n => n.Type == NodeType.Test))
        {
            // A unit test runs before its model (which it gates) and after the model's inputs are built.
            if (test.UnitTest is { } unit)
            {
                if (included.Contains(unit.ModelId))
                {
                    _parents[unit.ModelId].Add(test.UniqueId);
                }

                continue;
            }

            var reads = test.DependsOn.ToHashSet(StringComparer.Ordinal);
            foreach (var parent in test.DependsOn)
            {
                foreach (var child in RunnableChildren(parent, included))
                {
                    if (child == test.UniqueId || _manifest.Nodes[child].Type == NodeType.Test)
                    {
                        continue;
                    }

                    if (!ancestors.TryGetValue(child, out var upstream))
                    {
                        upstream = ancestors[child] = Ancestors(child);
                    }

                    if (reads.All(upstream.Contains))
                    {
                        _parents[child].Add(test.UniqueId);
                    }
                }
            }
        }
    }

    /// <summary>The children of a node that run, looking through children that do not (ephemeral models).</summary>
    private HashSet<string> RunnableChildren(string id, HashSet<string> included)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(_manifest.Children[id]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (!seen.Add(next))
            {
                continue;
            }

            if (included.Contains(next))
            {
                found.Add(next);
            }
            else if (_manifest.Nodes[next].Type != NodeType.Test)
            {
                foreach (var child in _manifest.Children[next])
                {
                    stack.Push(child);
                }
            }
        }

        return found;
    }

    private HashSet<string> Ancestors(string id)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(_manifest.Nodes[id].DependsOn);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
            {
                foreach (var p in _manifest.Nodes[next].DependsOn)
                {
                    stack.Push(p);
                }
            }
        }

        return seen;
    }

    public async Task<List<NodeResult>> RunAsync(
        Func<ManifestNode, int, int, string, CancellationToken, Task<NodeResult>> run,
        Action<NodeResult> report,
        CancellationToken cancellationToken)
    {
        var order = _runnable.Select((n, i) => (n.UniqueId, i)).ToDictionary(x => x.UniqueId, x => x.i, StringComparer.Ordinal);
        var waiting = _parents.ToDictionary(kv => kv.Key, kv => kv.Value.Count, StringComparer.Ordinal);
        var ready = new SortedSet<(int Order, string Id)>(_runnable.Where(n => waiting[n.UniqueId] == 0).Select(n => (order[n.UniqueId], n.UniqueId)));
        var skipReason = new Dictionary<string, string>(StringComparer.Ordinal);
        var running = new Dictionary<Task<NodeResult>, (string Id, int Slot)>();
        var freeSlots = new SortedSet<int>(Enumerable.Range(1, _threads));
        var results = new List<NodeResult>(_runnable.Count);
        var total = _runnable.Count;
        var started = 0;
        var stopAll = false;

        void Done(string id)
        {
            foreach (var child in _children[id])
            {
                if (--waiting[child] == 0)
                {
                    ready.Add((order[child], child));
                }
            }
        }

        void SkipDownstream(string id, string reason)
        {
            var stack = new Stack<string>(_children[id]);
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                if (skipReason.TryAdd(next, reason))
                {
                    foreach (var c in _children[next])
                    {
                        stack.Push(c);
                    }
                }
            }
        }

        while (ready.Count > 0 || running.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (ready.Count > 0 && (running.Count < _threads || stopAll || skipReason.ContainsKey(ready.Min.Id)))
            {
                var (_, id) = ready.Min;
                ready.Remove(ready.Min);
                var node = _manifest.Nodes[id];
                var index = ++started;
                if (stopAll || skipReason.ContainsKey(id))
                {
                    var reason = stopAll ? "skipped: an earlier node failed and --fail-fast is set" : skipReason[id];
                    var skipped = new NodeResult(id, node.Name, node.ResourceTypeName, node.DisplayRelation, NodeStatus.Skipped, reason, TimeSpan.Zero, index, total);
                    results.Add(skipped);
                    report(skipped);
                    SkipDownstream(id, reason);
                    Done(id);
                    continue;
                }

                var slot = freeSlots.Min;
                freeSlots.Remove(slot);
                running[run(node, index, total, $"Thread-{slot}", cancellationToken)] = (id, slot);
            }

            if (running.Count == 0)
            {
                break;
            }

            var finished = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var (finishedId, finishedSlot) = running[finished];
            running.Remove(finished);
            freeSlots.Add(finishedSlot);
            var result = await finished.ConfigureAwait(false);
            results.Add(result);
            report(result);
            if (result.Status is NodeStatus.Error or NodeStatus.Fail)
            {
                SkipDownstream(finishedId, $"skipped: upstream {_manifest.Nodes[finishedId].ResourceTypeName} '{_manifest.Nodes[finishedId].Name}' failed");
                stopAll |= _failFast;
            }

            Done(finishedId);
        }

        if (results.Count < total)
        {
            var stuck = _runnable.Select(n => n.UniqueId).Except(results.Select(r => r.UniqueId), StringComparer.Ordinal).Order(StringComparer.Ordinal);
            throw new ModelingException($"these nodes wait on each other and cannot run: {string.Join(", ", stuck)}");
        }

        return results;
    }
}

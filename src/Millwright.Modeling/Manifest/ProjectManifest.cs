namespace Millwright.Modeling.Manifest;

/// <summary>The parsed project: every enabled node by unique id, the disabled ones, macros and docs.</summary>
internal sealed class ProjectManifest
{
    private readonly Dictionary<string, ManifestNode> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), ManifestNode> _sources = [];

    public ProjectManifest(string projectName, IEnumerable<ManifestNode> nodes, IEnumerable<ManifestNode> disabled)
    {
        ProjectName = projectName;
        Nodes = nodes.ToDictionary(n => n.UniqueId, StringComparer.Ordinal);
        Disabled = disabled.ToList();
        foreach (var node in Nodes.Values)
        {
            if (node.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot)
            {
                _byName[node.Name] = node;
            }
            else if (node.Type == NodeType.Source)
            {
                _sources[(node.Source!.SourceName, node.Source.TableName)] = node;
            }
        }

        Children = Nodes.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var node in Nodes.Values)
        {
            foreach (var parent in node.DependsOn)
            {
                Children[parent].Add(node.UniqueId);
            }
        }
    }

    public string ProjectName { get; }

    public Dictionary<string, ManifestNode> Nodes { get; }

    public IReadOnlyList<ManifestNode> Disabled { get; }

    /// <summary>For each node, the nodes that depend on it.</summary>
    public Dictionary<string, List<string>> Children { get; }

    public ManifestNode? FindRef(RefCall call) =>
        _byName.TryGetValue(call.Name, out var node) && (call.Package is null || call.Package == node.Package) ? node : null;

    public ManifestNode? FindSource(string source, string table) => _sources.GetValueOrDefault((source, table));

    /// <summary>The nodes in dependency order (parents first); ties keep unique-id order.</summary>
    public IReadOnlyList<ManifestNode> TopologicalOrder()
    {
        var inDegree = Nodes.Values.ToDictionary(n => n.UniqueId, n => n.DependsOn.Count, StringComparer.Ordinal);
        var ready = new SortedSet<string>(inDegree.Where(kv => kv.Value == 0).Select(kv => kv.Key), StringComparer.Ordinal);
        var order = new List<ManifestNode>(Nodes.Count);
        while (ready.Count > 0)
        {
            var id = ready.Min!;
            ready.Remove(id);
            order.Add(Nodes[id]);
            foreach (var child in Children[id])
            {
                if (--inDegree[child] == 0)
                {
                    ready.Add(child);
                }
            }
        }

        return order;
    }

    /// <summary>Fails with the nodes of a cycle, in order, when the graph has one.</summary>
    public void CheckAcyclic()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<string>();
        foreach (var id in Nodes.Keys.Order(StringComparer.Ordinal))
        {
            Visit(id);
        }

        void Visit(string id)
        {
            var s = state.GetValueOrDefault(id);
            if (s == 2)
            {
                return;
            }

            if (s == 1)
            {
                var start = stack.IndexOf(id);
                var cycle = stack.Skip(start).Append(id);
                throw new ModelingException("Found a cycle: " + string.Join(" --> ", cycle));
            }

            state[id] = 1;
            stack.Add(id);
            foreach (var parent in Nodes[id].DependsOn.Order(StringComparer.Ordinal))
            {
                Visit(parent);
            }

            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
        }
    }
}

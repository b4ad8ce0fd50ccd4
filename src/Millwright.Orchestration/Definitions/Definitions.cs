namespace Millwright.Orchestration.Definitions;

/// <summary>
/// Every asset, check, sensor, schedule, pool and resource of a deployment, validated: keys are unique, every
/// dependency exists, the graph has no cycle. Immutable once built.
/// </summary>
public sealed class Definitions
{
    private readonly Dictionary<AssetKey, AssetsDefinition> _owners;
    private readonly Dictionary<AssetKey, AssetSpec> _specs;
    private readonly Dictionary<AssetKey, List<AssetKey>> _downstream;
    private readonly Dictionary<AssetKey, int> _order;

    internal Definitions(
        IReadOnlyList<AssetsDefinition> nodes,
        IReadOnlyList<SensorDefinition> sensors,
        IReadOnlyList<ScheduleDefinition> schedules,
        IReadOnlyDictionary<string, int> pools,
        IReadOnlyDictionary<string, object> resources)
    {
        Nodes = nodes;
        Sensors = sensors;
        Schedules = schedules;
        Pools = pools;
        Resources = resources;
        _owners = [];
        _specs = [];
        foreach (var node in nodes)
        {
            foreach (var spec in node.Specs)
            {
                if (_owners.TryGetValue(spec.Key, out var other))
                {
                    throw new OrchestrationException($"asset {spec.Key} is defined twice: by '{other.Name}' and by '{node.Name}'");
                }

                _owners[spec.Key] = node;
                _specs[spec.Key] = spec;
            }
        }

        _downstream = _specs.Keys.ToDictionary(k => k, _ => new List<AssetKey>());
        foreach (var spec in _specs.Values)
        {
            foreach (var dep in spec.Deps)
            {
                if (!_specs.ContainsKey(dep.Asset))
                {
                    throw new OrchestrationException($"asset {spec.Key} depends on {dep.Asset}, which is not defined");
                }

                _downstream[dep.Asset].Add(spec.Key);
            }
        }

        foreach (var node in nodes)
        {
            foreach (var check in node.Checks.Where(c => !_owners.TryGetValue(c.Asset, out var owner) || owner != node))
            {
                throw new OrchestrationException($"check {check.Name} of '{node.Name}' is on {check.Asset}, which '{node.Name}' does not compute");
            }

            if (node.Pool is { } pool && !pools.ContainsKey(pool))
            {
                throw new OrchestrationException($"'{node.Name}' uses pool '{pool}', which is not defined (pools: {string.Join(", ", pools.Keys)})");
            }
        }

        foreach (var name in sensors.Select(s => s.Name).Concat(schedules.Select(s => s.Name)).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new OrchestrationException($"two sensors or schedules are named '{name.Key}'");
        }

        TopologicalOrder = Sort();
        _order = TopologicalOrder.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        foreach (var sensor in sensors)
        {
            Select(sensor.Target);
        }

        foreach (var schedule in schedules)
        {
            Select(schedule.Target);
        }
    }

    public IReadOnlyList<AssetsDefinition> Nodes { get; }

    public IReadOnlyList<SensorDefinition> Sensors { get; }

    public IReadOnlyList<ScheduleDefinition> Schedules { get; }

    /// <summary>Concurrency pools: name to the number of steps that may hold it at once (in one process).</summary>
    public IReadOnlyDictionary<string, int> Pools { get; }

    public IReadOnlyDictionary<string, object> Resources { get; }

    /// <summary>Every asset key, upstream before downstream (ties by key).</summary>
    public IReadOnlyList<AssetKey> TopologicalOrder { get; }

    public IEnumerable<AssetSpec> Assets => TopologicalOrder.Select(k => _specs[k]);

    public bool Contains(AssetKey key) => _specs.ContainsKey(key);

    public AssetSpec Spec(AssetKey key) => _specs.TryGetValue(key, out var spec) ? spec : throw new OrchestrationException($"no asset {key}");

    public AssetsDefinition Owner(AssetKey key) => _owners[key];

    public IReadOnlyList<AssetKey> Upstream(AssetKey key) => Spec(key).Deps.Select(d => d.Asset).ToList();

    public IReadOnlyList<AssetKey> Downstream(AssetKey key) => _downstream[key];

    public int OrderOf(AssetKey key) => _order[key];

    public AssetCheckSpec? Check(AssetKey asset, string name) =>
        Owner(asset).Checks.FirstOrDefault(c => c.Asset == asset && c.Name == name);

    /// <summary>The keys a selection names, in topological order (see <see cref="AssetSelection"/>).</summary>
    public IReadOnlyList<AssetKey> Select(string selection) => AssetSelection.Select(this, selection);

    public static DefinitionsBuilder Builder() => new();

    private List<AssetKey> Sort()
    {
        var indegree = _specs.Values.ToDictionary(s => s.Key, s => s.Deps.Select(d => d.Asset).Distinct().Count());
        var ready = new SortedSet<AssetKey>(indegree.Where(p => p.Value == 0).Select(p => p.Key));
        var order = new List<AssetKey>(_specs.Count);
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            order.Add(next);
            foreach (var down in _downstream[next].Distinct())
            {
                if (--indegree[down] == 0)
                {
                    ready.Add(down);
                }
            }
        }

        if (order.Count != _specs.Count)
        {
            throw new OrchestrationException("the asset graph has a cycle: " + FindCycle(indegree.Where(p => p.Value > 0).Select(p => p.Key).ToHashSet()));
        }

        return order;
    }

    private string FindCycle(HashSet<AssetKey> remaining)
    {
        var start = remaining.Min();
        var path = new List<AssetKey> { start };
        var current = start;
        while (true)
        {
            current = _specs[current].Deps.Select(d => d.Asset).First(remaining.Contains);
            var at = path.IndexOf(current);
            if (at >= 0)
            {
                var cycle = path.Skip(at).Append(current).Reverse();
                return string.Join(" -> ", cycle);
            }

            path.Add(current);
        }
    }
}

/// <summary>Declares assets, checks, sensors, schedules, pools and resources; <see cref="Build"/> validates them.</summary>
public sealed class DefinitionsBuilder
{
    private readonly List<AssetsDefinition> _nodes = [];
    private readonly List<SensorDefinition> _sensors = [];
    private readonly List<ScheduleDefinition> _schedules = [];
    private readonly Dictionary<string, int> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _resources = new(StringComparer.Ordinal);

    /// <summary>An asset computed by <paramref name="compute"/>; <paramref name="configure"/> sets dependencies and policies.</summary>
    public DefinitionsBuilder Asset(AssetKey key, AssetCompute compute, Action<AssetBuilder>? configure = null)
    {
        var builder = new AssetBuilder(key);
        configure?.Invoke(builder);
        _nodes.Add(builder.Build(compute));
        return this;
    }

    /// <summary>An asset updated outside Millwright (a source): it appears in the graph but is never materialized.</summary>
    public DefinitionsBuilder External(AssetSpec spec)
    {
        _nodes.Add(new AssetsDefinition(spec.Key.Path, [spec], null));
        return this;
    }

    /// <summary>A computation that materializes several assets (and may report their checks).</summary>
    public DefinitionsBuilder Add(AssetsDefinition definition)
    {
        _nodes.Add(definition);
        return this;
    }

    public DefinitionsBuilder Sensor(SensorDefinition sensor)
    {
        _sensors.Add(sensor);
        return this;
    }

    public DefinitionsBuilder Schedule(ScheduleDefinition schedule)
    {
        _schedules.Add(schedule);
        return this;
    }

    /// <summary>A concurrency pool: at most <paramref name="limit"/> steps hold it at once.</summary>
    public DefinitionsBuilder Pool(string name, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _pools[name] = limit;
        return this;
    }

    /// <summary>A shared object (a connection, a client) that computations get by name.</summary>
    public DefinitionsBuilder Resource(string name, object resource)
    {
        _resources[name] = resource;
        return this;
    }

    public Definitions Build() => new([.. _nodes], [.. _sensors], [.. _schedules], new Dictionary<string, int>(_pools), new Dictionary<string, object>(_resources));
}

/// <summary>The fluent settings of one asset.</summary>
public sealed class AssetBuilder
{
    private readonly List<AssetCheckSpec> _checks = [];
    private AssetSpec _spec;
    private RetryPolicy? _retry;
    private string? _pool;
    private Type? _configType;

    internal AssetBuilder(AssetKey key) => _spec = new AssetSpec(key);

    public AssetBuilder DependsOn(params AssetKey[] upstream)
    {
        _spec = _spec with { Deps = [.. _spec.Deps, .. upstream.Select(k => new AssetDependency(k))] };
        return this;
    }

    public AssetBuilder DependsOn(AssetKey upstream, PartitionMapping mapping)
    {
        _spec = _spec with { Deps = [.. _spec.Deps, new AssetDependency(upstream, mapping)] };
        return this;
    }

    public AssetBuilder Group(string group) => With(_spec with { Group = group });

    public AssetBuilder Description(string description) => With(_spec with { Description = description });

    public AssetBuilder Owners(params string[] owners) => With(_spec with { Owners = owners });

    public AssetBuilder Tag(string name, string value) => With(_spec with { Tags = new Dictionary<string, string>(_spec.Tags) { [name] = value } });

    public AssetBuilder Kinds(params string[] kinds) => With(_spec with { Kinds = kinds });

    public AssetBuilder Partitions(PartitionsDefinition partitions) => With(_spec with { Partitions = partitions });

    public AssetBuilder Automation(AutomationCondition condition) => With(_spec with { Automation = condition });

    public AssetBuilder MaximumLag(TimeSpan lag) => With(_spec with { MaximumLag = lag });

    public AssetBuilder Retry(RetryPolicy policy)
    {
        _retry = policy;
        return this;
    }

    public AssetBuilder Pool(string pool)
    {
        _pool = pool;
        return this;
    }

    public AssetBuilder Config<T>()
    {
        _configType = typeof(T);
        return this;
    }

    public AssetBuilder Check(string name, Func<Execution.AssetContext, Task<CheckOutcome>> evaluate, bool blocking = false, string description = "")
    {
        _checks.Add(new AssetCheckSpec(name, _spec.Key) { Evaluate = evaluate, Blocking = blocking, Description = description });
        return this;
    }

    private AssetBuilder With(AssetSpec spec)
    {
        _spec = spec;
        return this;
    }

    internal AssetsDefinition Build(AssetCompute compute) => new(_spec.Key.Path, [_spec], compute)
    {
        Checks = _checks,
        Retry = _retry,
        Pool = _pool,
        ConfigType = _configType,
    };
}

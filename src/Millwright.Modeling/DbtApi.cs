namespace Millwright.Modeling;

/// <summary>The dbt commands the engine runs.</summary>
public enum DbtCommand
{
    Parse,
    Compile,
    Seed,
    Run,
    Test,
    Build,
    List,
    DocsGenerate,
    Snapshot,
    RunOperation,
    SourceFreshness,
    Deps,
}

/// <summary>dbt's --indirect-selection: which tests a selection of models (and seeds, snapshots) takes along.</summary>
public enum IndirectSelection
{
    /// <summary>Every test with a selected parent (dbt's default).</summary>
    Eager,

    /// <summary>Only tests whose parents are all selected.</summary>
    Cautious,

    /// <summary>Tests whose parents are all selected or upstream of the selection (built before it).</summary>
    Buildable,

    /// <summary>No test but those selected directly.</summary>
    Empty,
}

/// <summary>How one invocation runs: the project, profile, target, selection and run flags.</summary>
public sealed record DbtOptions
{
    public required string ProjectDir { get; init; }

    public string? ProfilesDir { get; init; }

    public string? Target { get; init; }

    /// <summary>Runs on this warehouse instead of a profiles.yml target (how a workspace's pipelines run their projects).</summary>
    public DbtConnection? Connection { get; init; }

    public IReadOnlyList<string> Select { get; init; } = [];

    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Which tests of the selected nodes run too (dbt's --indirect-selection).</summary>
    public IndirectSelection IndirectSelection { get; init; } = IndirectSelection.Eager;

    /// <summary>--vars: a YAML or JSON mapping.</summary>
    public string? Vars { get; init; }

    public bool FullRefresh { get; init; }

    /// <summary>Overrides the target's threads when set.</summary>
    public int? Threads { get; init; }

    public bool FailFast { get; init; }

    /// <summary>Store every test's failing rows in a table, as if each test had store_failures: true.</summary>
    public bool StoreFailures { get; init; }

    /// <summary>For run-operation: the macro to call, and its arguments as a YAML or JSON mapping.</summary>
    public string? Operation { get; init; }

    public string? OperationArgs { get; init; }

    /// <summary>Whether parse and ls write target/manifest.json (an orchestrator listing a project turns this off).</summary>
    public bool WriteArtifacts { get; init; } = true;

    /// <summary>For ls: only these resource types (model, seed, test, source).</summary>
    public IReadOnlyList<string> ResourceTypes { get; init; } = [];

    /// <summary>Reads environment variables (env_var, DBT_PROFILES_DIR); the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Called as each node finishes, from the thread that ran it.</summary>
    public Action<NodeResult>? OnNodeFinished { get; init; }

    /// <summary>Warnings and log() messages.</summary>
    public Action<string>? OnMessage { get; init; }
}

/// <summary>A warehouse to run on without a profiles.yml: the engine, the default schema and the thread count.</summary>
public sealed record DbtConnection(Millwright.Warehouse.WarehouseOptions Warehouse, string Schema = "main", int Threads = 4);

/// <summary>How a node ended.</summary>
public enum NodeStatus
{
    Success,
    Error,
    Skipped,
    Pass,
    Fail,
    Warn,
}

/// <summary>One node's result: status, timing, message and, for tests, the failure count.</summary>
public sealed record NodeResult(
    string UniqueId,
    string Name,
    string ResourceType,
    string Description,
    NodeStatus Status,
    string Message,
    TimeSpan Duration,
    int Index,
    int Total,
    long? Failures = null,
    string? ThreadId = null,
    string? CompiledPath = null);

/// <summary>A node listed by ls, with what an orchestrator needs to make it an asset.</summary>
public sealed record DbtNodeInfo(string UniqueId, string Name, string ResourceType, string Selector, string OriginalFilePath, string? Relation)
{
    /// <summary>The unique ids of the nodes it depends on (models, seeds, snapshots, sources; tests: what they test).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string Description { get; init; } = "";

    /// <summary>For a source: its source name and table name.</summary>
    public string? SourceName { get; init; }

    public string? TableName { get; init; }

    /// <summary>For a test: the node it is attached to, and whether its severity is error (else warn).</summary>
    public string? AttachedNode { get; init; }

    public bool ErrorSeverity { get; init; } = true;

    /// <summary>config.group, or meta.group.</summary>
    public string? Group { get; init; }

    /// <summary>meta.owner (a string or a list joined by ', ').</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    public string? Materialized { get; init; }

    /// <summary>The schema and name of its relation in the warehouse (none for tests and ephemeral models).</summary>
    public string? Schema { get; init; }

    public string? Identifier { get; init; }

    /// <summary>config.meta (and a source table's meta) in plain form: mappings, lists, strings, numbers, booleans.</summary>
    public IReadOnlyDictionary<string, object?> Meta { get; init; } = new Dictionary<string, object?>();

    /// <summary>For a generic test: what it is and what it was declared with.</summary>
    public DbtTestInfo? Test { get; init; }

    /// <summary>For a source table with a loaded_at_field and a freshness policy: the column and its limits.</summary>
    public DbtSourceFreshness? Freshness { get; init; }
}

/// <summary>A generic test's declaration: <c>accepted_values</c> (namespace null) or <c>dbt_utils.accepted_range</c>, its column and arguments in plain form.</summary>
public sealed record DbtTestInfo(string Name, string? Namespace, string? Column, IReadOnlyDictionary<string, object?> Arguments);

/// <summary>A source table's freshness policy.</summary>
public sealed record DbtSourceFreshness(string LoadedAtField, TimeSpan? WarnAfter, TimeSpan? ErrorAfter);

/// <summary>What an invocation did.</summary>
public sealed record DbtRunSummary(
    DbtCommand Command,
    IReadOnlyList<NodeResult> Results,
    IReadOnlyList<DbtNodeInfo> Nodes,
    TimeSpan Elapsed,
    IReadOnlyList<string> Warnings,
    string TargetPath)
{
    public int Passed => Results.Count(r => r.Status is NodeStatus.Success or NodeStatus.Pass);

    public int Warned => Results.Count(r => r.Status == NodeStatus.Warn);

    public int Errored => Results.Count(r => r.Status is NodeStatus.Error or NodeStatus.Fail);

    public int Skipped => Results.Count(r => r.Status == NodeStatus.Skipped);

    public bool Succeeded => Errored == 0 && Skipped == 0;
}

using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Manifest;

/// <summary>The kinds of node in a project's graph.</summary>
public enum NodeType
{
    Model,
    Seed,
    Test,
    Source,
    Snapshot,
}

/// <summary>A documented column of a model, seed or source.</summary>
internal sealed record ColumnDoc(string Name, string Description, string? DataType, PyDict Meta, IReadOnlyList<string> Tags);

/// <summary>A ref() call: an optional package and a node name.</summary>
internal sealed record RefCall(string? Package, string Name);

/// <summary>What a generic test was declared with.</summary>
internal sealed record GenericTest(string TestName, string? Namespace, PyDict Kwargs, string? ColumnName, string AttachedNode);

/// <summary>One input of a unit test: the relation it stands for (ref('x'), source('a', 'b') or this) and its rows.</summary>
internal sealed record UnitTestInput(string Input, UnitTestRows Rows);

/// <summary>Rows of a unit test given as dicts, as CSV text or as SQL (format dict, csv or sql).</summary>
internal sealed record UnitTestRows(string Format, object? Rows);

/// <summary>
/// A unit test from properties YAML: the model it tests (by unique id), the rows standing in for its inputs, the rows
/// it must return, and what it overrides (macros, including is_incremental; vars; env_vars).
/// </summary>
internal sealed record UnitTestDefinition(string ModelId, IReadOnlyList<UnitTestInput> Given, UnitTestRows Expect, PyDict Macros, PyDict Vars, PyDict EnvVars);

/// <summary>A source table's declaration.</summary>
internal sealed record SourceTable(string SourceName, string TableName, string Identifier, string SourceDescription, string? Loader, string? LoadedAtField, PyDict Meta);

/// <summary>One node of the manifest: a model, seed, test or source table.</summary>
internal sealed class ManifestNode
{
    public required string UniqueId { get; init; }

    public required string Name { get; init; }

    public required NodeType Type { get; init; }

    public required string Package { get; init; }

    /// <summary>The file that defines the node, relative to the project, with '/' separators.</summary>
    public required string OriginalFilePath { get; init; }

    /// <summary>The path within its resource folder (models/staging/a.sql gives staging/a.sql).</summary>
    public required string Path { get; init; }

    public required IReadOnlyList<string> Fqn { get; init; }

    public string RawCode { get; set; } = "";

    public PyDict Config { get; set; } = new();

    public string Description { get; set; } = "";

    public Dictionary<string, ColumnDoc> Columns { get; } = new(StringComparer.Ordinal);

    public string? PatchPath { get; set; }

    public List<RefCall> Refs { get; } = [];

    public List<(string Source, string Table)> SourceRefs { get; } = [];

    /// <summary>Unique ids of the nodes this one reads, once refs and sources are resolved.</summary>
    public List<string> DependsOn { get; } = [];

    public string Database { get; set; } = "";

    public string Schema { get; set; } = "";

    public string Alias { get; set; } = "";

    public GenericTest? Test { get; init; }

    /// <summary>Set on a unit test (a test node whose rows stand in for its model's inputs).</summary>
    public UnitTestDefinition? UnitTest { get; init; }

    public SourceTable? Source { get; init; }

    /// <summary>The absolute path of a seed's CSV file.</summary>
    public string? SeedFile { get; init; }

    public string? CompiledCode { get; set; }

    /// <summary>The parsed raw code, kept from parse time so compiling does not parse again.</summary>
    public Template? Template { get; set; }

    public bool Enabled => Config.Get("enabled") is not false;

    public string Materialized => Config.Get("materialized") as string ?? (Type switch
    {
        NodeType.Seed => "seed",
        NodeType.Test => "test",
        NodeType.Source => "source",
        NodeType.Snapshot => "snapshot",
        _ => "view",
    });

    public bool IsEphemeral => Type == NodeType.Model && Materialized == "ephemeral";

    /// <summary>
    /// How the model's table is stored, as dbt-clickhouse's configs say it: <c>engine</c>, <c>order_by</c>,
    /// <c>partition_by</c>, <c>primary_key</c> (each key a column, an expression or a list of them); null when none is set.
    /// </summary>
    public Millwright.Warehouse.TableLayout? Layout
    {
        get
        {
            var engine = Config.Get("engine") as string;
            var orderBy = Keys(Config.Get("order_by"));
            var partitionBy = Keys(Config.Get("partition_by"));
            var primaryKey = Keys(Config.Get("primary_key"));
            return engine is null && orderBy is null && partitionBy is null && primaryKey is null ? null : new(engine, orderBy, partitionBy, primaryKey);

            static IReadOnlyList<string>? Keys(object? value) => value switch
            {
                null => null,
                string s => [s],
                var list => Py.ToList(list).Select(k => Py.Str(k)).ToList(),
            };
        }
    }

    public IReadOnlyList<string> Tags => Config.Get("tags") is List<object?> tags ? tags.Select(t => Py.Str(t)).ToList() : [];

    public string ResourceTypeName => Type switch
    {
        NodeType.Model => "model",
        NodeType.Seed => "seed",
        NodeType.Test => UnitTest is null ? "test" : "unit_test",
        NodeType.Snapshot => "snapshot",
        _ => "source",
    };

    /// <summary>How the node is addressed in messages: its schema-qualified relation, or its name for tests.</summary>
    public string DisplayRelation => Type == NodeType.Test ? Name : $"{Schema}.{Alias}";
}

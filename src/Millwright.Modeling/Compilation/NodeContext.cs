using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// The context one node renders in: ref, source, config, this, model, execute, adapter and the project's macros
/// bound to this node. At parse time (execute = false) ref, source and config are recorded; at compile time
/// they resolve to relations, and ephemeral models become CTEs.
/// </summary>
internal sealed partial class NodeContext
{
    private readonly DbtRuntime _runtime;
    private readonly ManifestNode _node;
    private readonly Dictionary<(string?, string), object?> _resolved = [];
    private readonly Dictionary<string, TemplateScope> _packageScopes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object?> _globals;
    private readonly Dictionary<string, PyDict> _statements = new(StringComparer.Ordinal);

    private readonly UnitTestScope? _unitTest;

    public NodeContext(DbtRuntime runtime, ManifestNode node, bool execute, bool incremental = false, UnitTestScope? unitTest = null)
    {
        _runtime = runtime;
        _node = node;
        _unitTest = unitTest;
        Execute = execute;
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["ref"] = new PyFunction("ref", Ref),
            ["source"] = new PyFunction("source", Source),
            ["config"] = new ConfigObject(this),
            ["this"] = execute || node.Schema.Length > 0 ? ThisRelation() : new RelationValue(Dialect, runtime.Target.Database, runtime.Target.Schema, node.Name),
            ["model"] = ModelDict(),
            ["execute"] = execute,
            ["is_incremental"] = new PyFunction("is_incremental", _ => incremental),
            ["doc"] = new PyFunction("doc", Doc),
            ["adapter"] = CreateAdapter(),
            ["api"] = CreateApi(),
            ["run_query"] = new PyFunction("run_query", a => Execute ? Statement(Py.Str(a.Get(0, "sql")), fetch: true)[1] : null),
            ["statement"] = new PyFunction("statement", StatementBlock),
            ["load_result"] = new PyFunction("load_result", a => _statements.GetValueOrDefault(Py.Str(a.Get(0, "name")))),
        };
        globals["builtins"] = new AttributeBag(new Dictionary<string, object?> { ["ref"] = globals["ref"], ["source"] = globals["source"], ["config"] = globals["config"] }, "builtins");
        if (unitTest is not null)
        {
            ApplyUnitTest(globals, unitTest, incremental);
        }

        _globals = globals;
        var ownPackage = node.Package == runtime.Project.Name ? null : node.Package;
        Scope = runtime.Engine.CreateScope(globals, name => Resolve(name, ownPackage));
    }

    public bool Execute { get; }

    public TemplateScope Scope { get; }

    /// <summary>Config given with config(...) in the node's own file (parse time).</summary>
    public PyDict InFileConfig { get; } = new();

    public List<RefCall> Refs { get; } = [];

    public List<(string Source, string Table)> Sources { get; } = [];

    /// <summary>Ephemeral models this render referenced, in the order first seen.</summary>
    public List<ManifestNode> Ephemerals { get; } = [];

    public ManifestNode Node => _node;

    public string Render(Template template)
    {
        try
        {
            return template.Render(Scope);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in {_node.ResourceTypeName} {_node.Name} ({_node.OriginalFilePath})\n  {e.Message}", e);
        }
    }

    public string RenderString(string text)
    {
        Template template;
        try
        {
            template = _runtime.Template(text, _node.OriginalFilePath);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in {_node.ResourceTypeName} {_node.Name} ({_node.OriginalFilePath})\n  {e.Message}", e);
        }

        return Render(template);
    }

    public object? Evaluate(string expression)
    {
        try
        {
            return _runtime.Expression(expression, _node.OriginalFilePath).Evaluate(Scope);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in {_node.ResourceTypeName} {_node.Name} ({_node.OriginalFilePath})\n  {e.Message}", e);
        }
    }

    /// <summary>Calls a macro by name in this node's scope.</summary>
    public object? CallMacro(string name, Arguments arguments)
    {
        if (Resolve(name, null) is not IPyCallable macro)
        {
            throw new ModelingException($"Compilation Error in {_node.ResourceTypeName} {_node.Name} ({_node.OriginalFilePath})\n  no macro named '{name}'");
        }

        try
        {
            return macro.Invoke(arguments);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in {_node.ResourceTypeName} {_node.Name} ({_node.OriginalFilePath})\n  {e.Message}", e);
        }
    }

    /// <summary>The scope a package's macros run in: same globals, but unqualified names find that package's macros first.</summary>
    private TemplateScope ScopeFor(string package)
    {
        if (package == _runtime.Project.Name || package == "dbt")
        {
            return Scope;
        }

        if (!_packageScopes.TryGetValue(package, out var scope))
        {
            scope = _runtime.Engine.CreateScope(_globals, name => Resolve(name, package));
            _packageScopes[package] = scope;
        }

        return scope;
    }

    private IPyCallable Bind(MacroEntry entry) => entry.Definition.Bind(ScopeFor(entry.Package));

    private object? Resolve(string name, string? fromPackage)
    {
        if (_resolved.TryGetValue((fromPackage, name), out var known))
        {
            return known;
        }

        object? value;
        if (_unitTest is not null && fromPackage is null && _unitTest.Macros.TryGetValue(name, out var overridden))
        {
            return overridden is IPyCallable ? overridden : new PyFunction(name, _ => overridden);
        }

        if (_runtime.FindMacro(name, fromPackage) is { } entry)
        {
            value = Bind(entry);
        }
        else if (name == "graph")
        {
            return Execute ? _runtime.Graph() : new PyDict { ["nodes"] = new PyDict(), ["sources"] = new PyDict() };
        }
        else if (name == _runtime.Project.Name || name == "dbt" || _runtime.Packages.Contains(name))
        {
            value = new MacroNamespace(this, name);
        }
        else
        {
            return new Undefined(name);
        }

        _resolved[(fromPackage, name)] = value;
        return value;
    }

    /// <summary>Calls a generic test's macro (from its package when namespaced) with the test's arguments.</summary>
    public object? CallTest(string testName, string? package, Arguments arguments)
    {
        var entry = _runtime.FindTest(testName, package)
            ?? throw new ModelingException($"Compilation Error in test {_node.Name} ({_node.OriginalFilePath})\n  no generic test '{testName}'");
        try
        {
            return Bind(entry).Invoke(arguments);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in test {_node.Name} ({_node.OriginalFilePath})\n  {e.Message}", e);
        }
    }

    private RelationValue ThisRelation() =>
        new(Dialect, _node.Database, _node.Schema, _node.Alias.Length > 0 ? _node.Alias : _node.Name, _node.Materialized == "view" ? "view" : "table");

    private PyDict ModelDict() => new()
    {
        ["unique_id"] = _node.UniqueId,
        ["name"] = _node.Name,
        ["resource_type"] = _node.ResourceTypeName,
        ["package_name"] = _node.Package,
        ["original_file_path"] = _node.OriginalFilePath,
        ["path"] = _node.Path,
        ["fqn"] = _node.Fqn.Select(f => (object?)f).ToList(),
        ["alias"] = _node.Alias,
        ["schema"] = _node.Schema,
        ["database"] = _node.Database,
        ["config"] = _node.Config,
        ["tags"] = _node.Tags.Select(t => (object?)t).ToList(),
        ["description"] = _node.Description,
        ["raw_code"] = _node.RawCode,
    };

    private object? Ref(Arguments a)
    {
        if (a.Positional.Count == 0 || a.Positional.Count > 2)
        {
            throw new TemplateRaisedException("ref() takes a model name, or a package name and a model name");
        }

        var call = a.Positional.Count == 2
            ? new RefCall(Py.Str(a.Positional[0]), Py.Str(a.Positional[1]))
            : new RefCall(null, Py.Str(a.Positional[0]));
        if (!Execute)
        {
            Refs.Add(call);
            return new RelationValue(Dialect, _runtime.Target.Database, _runtime.Target.Schema, call.Name);
        }

        if (_unitTest is not null)
        {
            return _unitTest.Relation(_unitTest.RefKey(call.Package, call.Name), _node.Name, Dialect);
        }

        var target = _runtime.Manifest!.FindRef(call)
            ?? throw new TemplateRaisedException($"{_node.ResourceTypeName} '{_node.Name}' refers to '{call.Name}', which is not a model, seed or snapshot of this project");
        if (target.IsEphemeral)
        {
            if (!Ephemerals.Contains(target))
            {
                Ephemerals.Add(target);
            }

            return new RelationValue(Dialect, null, null, "__dbt__cte__" + target.Name, "cte", isCte: true);
        }

        return new RelationValue(Dialect, target.Database, target.Schema, target.Alias, target.Materialized == "view" ? "view" : "table");
    }

    private object? Source(Arguments a)
    {
        var sourceName = Py.Str(a.Required(0, "source_name", "source"));
        var tableName = Py.Str(a.Required(1, "table_name", "source"));
        if (!Execute)
        {
            Sources.Add((sourceName, tableName));
            return new RelationValue(Dialect, _runtime.Target.Database, sourceName, tableName);
        }

        if (_unitTest is not null)
        {
            return _unitTest.Relation($"source('{sourceName}', '{tableName}')", _node.Name, Dialect);
        }

        var source = _runtime.Manifest!.FindSource(sourceName, tableName)
            ?? throw new TemplateRaisedException($"{_node.ResourceTypeName} '{_node.Name}' uses source('{sourceName}', '{tableName}'), which is not declared");
        return new RelationValue(Dialect, source.Database, source.Schema, source.Alias);
    }

    private object? Doc(Arguments a)
    {
        var name = Py.Str(a.Positional.Count == 2 ? a.Positional[1] : a.Required(0, "name", "doc"));
        return _runtime.Docs.TryGetValue(name, out var text)
            ? text
            : throw new TemplateRaisedException($"doc('{name}') names no docs block");
    }

    private T WithWarehouse<T>(Func<Warehouse.IWarehouse, Task<T>> call, T whenParsing)
    {
        if (!Execute)
        {
            return whenParsing;
        }

        var warehouse = _runtime.Warehouse ?? throw new TemplateRaisedException("this command has no warehouse connection for introspection");
        return Sync.Wait(call(warehouse));
    }

    private Warehouse.RelationName Relation(object? value) => value switch
    {
        RelationValue r => new Warehouse.RelationName(r.Schema ?? _runtime.Target.Schema, r.Identifier ?? throw new TemplateRaisedException($"the relation {r} has no identifier")),
        string s => s.Split('.') is var parts && parts.Length >= 2 ? new Warehouse.RelationName(parts[^2].Trim('"'), parts[^1].Trim('"')) : new Warehouse.RelationName(_runtime.Target.Schema, s.Trim('"')),
        _ => throw new TemplateRaisedException($"expected a relation, got {Py.TypeName(value)}"),
    };

    private object? GetRelation(Arguments a)
    {
        var schema = Py.Str(a.Get(1, "schema"));
        var identifier = Py.Str(a.Get(2, "identifier"));
        var found = WithWarehouse(w => w.GetRelationAsync(new Warehouse.RelationName(schema, identifier)), null);
        return found is null
            ? null
            : new RelationValue(Dialect, a.Get(0, "database") as string ?? _runtime.Target.Database, found.Schema, found.Name, found.Kind == Warehouse.RelationKind.View ? "view" : "table");
    }

    /// <summary>Runs SQL for run_query, adapter.execute and statement blocks: (response, table or null).</summary>
    private PyTuple Statement(string sql, bool fetch)
    {
        if (!Execute)
        {
            return new PyTuple(["", null]);
        }

        var warehouse = _runtime.Warehouse ?? throw new TemplateRaisedException("this command has no warehouse connection to run SQL");
        if (fetch)
        {
            var table = Sync.Wait(ResultTable.ReadAsync(warehouse, sql, CancellationToken.None));
            return new PyTuple([$"OK {table.Data.Count}", table]);
        }

        var affected = Sync.Wait(warehouse.ExecuteAsync(sql, CancellationToken.None));
        return new PyTuple([$"OK {affected}", null]);
    }

    /// <summary>{% call statement('name', fetch_result=True) %} SQL {% endcall %}; the result is kept for load_result('name').</summary>
    private object? StatementBlock(Arguments a)
    {
        var name = a.Get(0, "name") as string ?? "statement";
        var fetch = Py.Truthy(a.Get(1, "fetch_result", false));
        if (a.Keywords.GetValueOrDefault("caller") is not IPyCallable caller)
        {
            throw new TemplateRaisedException("statement() is used as {% call statement(...) %} SQL {% endcall %}");
        }

        var sql = Py.Str(caller.Invoke(Arguments.None));
        if (!Execute)
        {
            return "";
        }

        var result = Statement(sql, fetch);
        var table = result[1] as ResultTable;
        _statements[name] = new PyDict
        {
            ["response"] = result[0],
            ["data"] = table?.Data ?? [],
            ["table"] = table,
        };
        return "";
    }

    /// <summary>
    /// adapter.dispatch(name, macro_namespace): ENGINE__name, then default__name, in each package of the search order
    /// (the project's dispatch config for the namespace, else the root project and then the namespace).
    /// </summary>
    private object? Dispatch(Arguments a)
    {
        var name = Py.Str(a.Required(0, "macro_name", "adapter.dispatch"));
        var ns = a.Get(1, "macro_namespace") as string;
        var order = new List<string>();
        if (ns is not null && _runtime.DispatchOrder.TryGetValue(ns, out var configured))
        {
            order.AddRange(configured);
        }
        else
        {
            order.Add(_runtime.Project.Name);
            order.Add(ns ?? "dbt");
        }

        if (!order.Contains("dbt"))
        {
            order.Add("dbt");
        }

        foreach (var package in order)
        {
            foreach (var candidate in new[] { $"{_runtime.Target.Type}__{name}", $"default__{name}" })
            {
                if (_runtime.FindMacroIn(package, candidate) is { } entry)
                {
                    return Bind(entry);
                }
            }
        }

        throw new TemplateRaisedException($"adapter.dispatch found no implementation of '{name}' for {_runtime.Target.Type} in {string.Join(", ", order)} (looked for {_runtime.Target.Type}__{name} and default__{name})");
    }

    /// <summary>config(...) records at parse time; config.get / config.require read the node's final config.</summary>
    private sealed class ConfigObject(NodeContext owner) : IPyObject, IPyCallable
    {
        public object? Invoke(Arguments arguments)
        {
            if (!owner.Execute)
            {
                if (arguments.Positional.Count > 0 && arguments.Positional[0] is PyDict given)
                {
                    foreach (var (key, value) in given)
                    {
                        Configs.MergeInto(owner.InFileConfig, Py.Str(key), value);
                    }
                }

                foreach (var (key, value) in arguments.Keywords)
                {
                    Configs.MergeInto(owner.InFileConfig, key, value);
                }
            }

            return "";
        }

        public object? GetAttribute(string name) => name switch
        {
            "get" => new PyFunction("get", a =>
            {
                var key = Configs.NormalizeKey(Py.Str(a.Required(0, "name", "config.get")));
                return Current().TryGetValue(key, out var value) && value is not null ? value : a.Get(1, "default");
            }),
            "require" => new PyFunction("require", a =>
            {
                var key = Configs.NormalizeKey(Py.Str(a.Required(0, "name", "config.require")));
                return Current().TryGetValue(key, out var value) && value is not null
                    ? value
                    : throw new TemplateRaisedException($"{owner._node.Name}: required config '{key}' was not set");
            }),
            _ => new Undefined(name, $"'config' has no attribute '{name}'"),
        };

        private PyDict Current()
        {
            if (owner.Execute)
            {
                return owner._node.Config;
            }

            var merged = new PyDict();
            foreach (var (key, value) in owner._node.Config)
            {
                merged[key] = value;
            }

            foreach (var (key, value) in owner.InFileConfig)
            {
                merged[key] = value;
            }

            return merged;
        }
    }

    /// <summary>A package name used as a namespace: jaffle_shop.my_macro(...), dbt.some_macro(...).</summary>
    private sealed class MacroNamespace(NodeContext owner, string package) : IPyObject
    {
        public object? GetAttribute(string name) => owner._runtime.FindMacroIn(package, name) is { } entry
            ? owner.Bind(entry)
            : new Undefined(name, $"package '{package}' has no macro '{name}'");
    }
}

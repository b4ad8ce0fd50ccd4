using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Project;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Compilation;

/// <summary>A macro and the package it came from.</summary>
internal sealed record MacroEntry(MacroDefinition Definition, string Package, string OriginalFilePath);

/// <summary>
/// Everything templates of one invocation share: the template engine with dbt's global functions, the macros
/// (project first, then built-ins), docs blocks, vars, the target and, once parsed, the manifest.
/// </summary>
internal sealed class DbtRuntime
{
    public const string DbtVersion = "1.9.0";

    private readonly Dictionary<string, MacroEntry> _macros = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MacroEntry> _builtinMacros = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, MacroEntry>> _packageMacros = new(StringComparer.Ordinal);
    private readonly Action<string> _log;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, string Text), Template> _templates = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, string Text), TemplateExpression> _expressions = new();
    private PyDict? _graph;

    public DbtRuntime(ProjectDefinition project, TargetDefinition target, PyDict cliVars, Func<string, string?> environment, Action<string> log)
    {
        Project = project;
        Target = target;
        CliVars = cliVars;
        Environment = environment;
        _log = log;
        RunStartedAt = DateTime.UtcNow;
        InvocationId = Guid.NewGuid().ToString();
        Engine = new TemplateEngine(CreateGlobals());
        LoadBuiltinMacros();
        foreach (var (ns, order) in project.Dispatch)
        {
            DispatchOrder[ns] = order;
        }

        RenderVars(project.Vars);
        foreach (var tree in project.ConfigTrees.Values)
        {
            RenderConfigTree(tree);
        }
    }

    /// <summary>
    /// Renders the Jinja in dbt_project.yml's vars natively, once, as dbt does ("{{ env_var('DAYS', '7') | int }}"
    /// is the number 7); a var's value may use --vars and env_var.
    /// </summary>
    private void RenderVars(PyDict vars)
    {
        foreach (var key in vars.Keys.ToList())
        {
            switch (vars[key])
            {
                case PyDict child:
                    RenderVars(child);
                    break;
                case string text when NativeValues.IsTemplate(text):
                    vars[key] = RenderNative(text, $"vars: '{key}'");
                    break;
            }
        }
    }

    /// <summary>Renders a YAML value's Jinja and reads the result as dbt's native rendering does (see <see cref="NativeValues"/>).</summary>
    public object? RenderNative(string text, string where)
    {
        try
        {
            return NativeValues.Read(Engine.Parse(text, "dbt_project.yml").Render(Engine.CreateScope()), Engine);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"dbt_project.yml: in {where}: {e.Reason}", e);
        }
    }

    /// <summary>
    /// Renders the Jinja in dbt_project.yml's config trees once, with target, var and env_var, as dbt does
    /// ("+schema: \"{{ 'marts' if target.name == 'prod' else 'dev' }}\""); hooks stay raw, rendered per node.
    /// </summary>
    private void RenderConfigTree(PyDict tree)
    {
        foreach (var key in tree.Keys.ToList())
        {
            var name = Configs.NormalizeKey(Py.Str(key));
            switch (tree[key])
            {
                case PyDict child:
                    RenderConfigTree(child);
                    break;
                case string text when name is not ("pre-hook" or "post-hook") && NativeValues.IsTemplate(text):
                    tree[key] = RenderNative(text, $"'{key}'");
                    break;
            }
        }
    }

    public ProjectDefinition Project { get; }

    public TargetDefinition Target { get; }

    public PyDict CliVars { get; }

    public Func<string, string?> Environment { get; }

    public TemplateEngine Engine { get; }

    public DateTime RunStartedAt { get; }

    public string InvocationId { get; }

    public Dictionary<string, string> Docs { get; } = new(StringComparer.Ordinal);

    public Manifest.ProjectManifest? Manifest { get; set; }

    /// <summary>The warehouse, once a command that talks to it has opened it (run_query, statement, adapter.*).</summary>
    public Warehouse.IWarehouse? Warehouse { get; set; }

    public IEnumerable<MacroEntry> AllMacros => _macros.Values
        .Concat(_packageMacros.Values.SelectMany(p => p.Values))
        .Concat(_builtinMacros.Values.Where(m => !_macros.ContainsKey(m.Definition.Name)));

    /// <summary>Installed packages (dbt_packages/NAME) by name.</summary>
    public IReadOnlyCollection<string> Packages => _packageMacros.Keys;

    /// <summary>The dispatch search order per macro namespace, from dbt_project.yml's dispatch config.</summary>
    public Dictionary<string, IReadOnlyList<string>> DispatchOrder { get; } = new(StringComparer.Ordinal);

    public void AddMacros(Template template, string originalFilePath, string? package = null)
    {
        package ??= Project.Name;
        var registry = package == Project.Name ? _macros : PackageMacros(package);
        foreach (var macro in template.Macros)
        {
            if (registry.TryGetValue(macro.Name, out var existing))
            {
                throw new ModelingException($"{originalFilePath}:{macro.Line}: macro '{macro.Name}' is defined twice (also in {existing.OriginalFilePath}:{existing.Definition.Line})");
            }

            registry[macro.Name] = new MacroEntry(macro, package, originalFilePath);
        }
    }

    /// <summary>A parsed template, parsed once per invocation for each file and text (test arguments repeat a lot).</summary>
    public Template Template(string text, string name) => _templates.GetOrAdd((name, text), key => Engine.Parse(key.Text, key.Name));

    public TemplateExpression Expression(string text, string name) => _expressions.GetOrAdd((name, text), key => Engine.ParseExpression(key.Text, key.Name));

    public Dictionary<string, MacroEntry> PackageMacros(string package)
    {
        if (!_packageMacros.TryGetValue(package, out var registry))
        {
            registry = new Dictionary<string, MacroEntry>(StringComparer.Ordinal);
            _packageMacros[package] = registry;
        }

        return registry;
    }

    /// <summary>
    /// A macro by unqualified name as code in <paramref name="fromPackage"/> sees it: that package's own macros
    /// first, then the root project's, then the built-ins.
    /// </summary>
    public MacroEntry? FindMacro(string name, string? fromPackage = null)
    {
        if (fromPackage is not null && _packageMacros.TryGetValue(fromPackage, out var own) && own.TryGetValue(name, out var found))
        {
            return found;
        }

        return _macros.TryGetValue(name, out var entry) ? entry : _builtinMacros.GetValueOrDefault(name);
    }

    /// <summary>A macro of one package: the root project, "dbt" (built-ins) or an installed package.</summary>
    public MacroEntry? FindMacroIn(string package, string name)
    {
        if (package == Project.Name)
        {
            return _macros.GetValueOrDefault(name);
        }

        if (package == "dbt")
        {
            return _builtinMacros.GetValueOrDefault(name);
        }

        return _packageMacros.TryGetValue(package, out var registry) ? registry.GetValueOrDefault(name) : null;
    }

    /// <summary>A generic test macro: in the named package, or unqualified in the project, then any package, then built-ins.</summary>
    public MacroEntry? FindTest(string name, string? package)
    {
        if (package is not null)
        {
            return FindMacroIn(package, "test_" + name);
        }

        return _macros.GetValueOrDefault("test_" + name)
            ?? _packageMacros.Values.Select(p => p.GetValueOrDefault("test_" + name)).FirstOrDefault(m => m is not null)
            ?? _builtinMacros.GetValueOrDefault("test_" + name);
    }

    public void Log(string message) => _log(message);

    private void LoadBuiltinMacros()
    {
        var assembly = typeof(DbtRuntime).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Millwright.Modeling.Macros.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var file = "millwright/" + resource["Millwright.Modeling.Macros.".Length..];
            foreach (var macro in Engine.Parse(reader.ReadToEnd(), file).Macros)
            {
                _builtinMacros[macro.Name] = new MacroEntry(macro, "dbt", file);
            }
        }
    }

    /// <summary>The value of var(name): --vars, then the project's scoped vars, then its global vars.</summary>
    public bool TryGetVar(string name, out object? value)
    {
        if (CliVars.TryGetValue(name, out value))
        {
            return true;
        }

        if (Project.Vars.Get(Project.Name) is PyDict scoped && scoped.TryGetValue(name, out value))
        {
            return true;
        }

        if (Project.Vars.TryGetValue(name, out value) && !(name == Project.Name && value is PyDict))
        {
            return true;
        }

        value = null;
        return false;
    }

    private Dictionary<string, object?> CreateGlobals()
    {
        var exceptions = new AttributeBag(new Dictionary<string, object?>
        {
            ["raise_compiler_error"] = new PyFunction("raise_compiler_error", a => throw new TemplateRaisedException(Py.Str(a.Get(0, "msg")))),
            ["raise_not_implemented"] = new PyFunction("raise_not_implemented", a => throw new TemplateRaisedException("not implemented: " + Py.Str(a.Get(0, "msg")))),
            ["warn"] = new PyFunction("warn", a =>
            {
                _log("warning: " + Py.Str(a.Get(0, "msg")));
                return "";
            }),
        }, "exceptions");
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["return"] = TemplateEngine.ReturnFunction,
            ["exceptions"] = exceptions,
            ["log"] = new PyFunction("log", a =>
            {
                if (Py.Truthy(a.Get(1, "info", false)))
                {
                    _log(Py.Str(a.Get(0, "msg")));
                }

                return "";
            }),
            ["print"] = new PyFunction("print", a =>
            {
                _log(string.Join(" ", a.Positional.Select(p => Py.Str(p))));
                return "";
            }),
            ["env_var"] = new PyFunction("env_var", EnvVar),
            ["var"] = new PyFunction("var", Var),
            ["tojson"] = new PyFunction("tojson", a => Json.Serialize(a.Get(0, "value"), sortKeys: Py.Truthy(a.Get(2, "sort_keys", false)))),
            ["fromjson"] = new PyFunction("fromjson", a => FromJson(Py.Str(a.Get(0, "string")), a.Get(1, "default"))),
            ["zip"] = new PyFunction("zip", a =>
            {
                var lists = a.Positional.Select(Py.ToList).ToList();
                var n = lists.Count == 0 ? 0 : lists.Min(l => l.Count);
                return Enumerable.Range(0, n).Select(i => (object?)new PyTuple(lists.Select(l => l[i]).ToArray())).ToList();
            }),
            ["set"] = new PyFunction("set", a => new PySet(a.Positional.Count == 0 ? [] : Py.Iterate(a.Get(0, "value")))),
            ["set_strict"] = new PyFunction("set_strict", a => a.Get(0, "value") is System.Collections.IEnumerable value
                ? new PySet(Py.Iterate(value))
                : throw new TemplateRaisedException($"set_strict: '{Py.TypeName(a.Get(0, "value"))}' object is not iterable")),
            ["toyaml"] = new PyFunction("toyaml", a => PyYaml.Dump(a.Get(0, "value"), Py.Truthy(a.Get(2, "sort_keys", false)))),
            ["fromyaml"] = new PyFunction("fromyaml", a => PyYaml.Load(Py.Str(a.Get(0, "value")), a.Get(1, "default"))),
            ["local_md5"] = new PyFunction("local_md5", a => Md5(Py.Str(a.Get(0, "value")))),
            ["modules"] = PyModules.Create(),
            ["run_started_at"] = new PyDateTime(RunStartedAt, true, true),
            ["invocation_id"] = InvocationId,
            ["dbt_version"] = DbtVersion,
            ["project_name"] = Project.Name,
            ["target"] = Target.Values,
            ["flags"] = new AttributeBag(new Dictionary<string, object?> { ["FULL_REFRESH"] = false, ["STORE_FAILURES"] = false, ["WHICH"] = "run" }, "flags"),
            ["adapter"] = new AttributeBag(new Dictionary<string, object?>
            {
                ["quote"] = new PyFunction("quote", a => Target.Warehouse.Engine.Dialect().QuoteIdentifier(Py.Str(a.Get(0, "identifier")))),
                ["type"] = new PyFunction("type", _ => Target.Type),
            }, "adapter"),
            
        };
    }

    private object? EnvVar(Arguments a)
    {
        var name = Py.Str(a.Required(0, "var", "env_var"));
        var value = Environment(name);
        if (value is not null)
        {
            return value;
        }

        if (a.Has(1, "default"))
        {
            return a.Get(1, "default");
        }

        throw new TemplateRaisedException($"Env var required but not provided: '{name}'");
    }

    private object? Var(Arguments a)
    {
        var name = Py.Str(a.Required(0, "var_name", "var"));
        if (TryGetVar(name, out var value))
        {
            return value;
        }

        if (a.Has(1, "default"))
        {
            return a.Get(1, "default");
        }

        throw new TemplateRaisedException($"Required var '{name}' not found in config: give it in dbt_project.yml 'vars' or with --vars");
    }

    /// <summary>graph.nodes and graph.sources as dicts, built once per invocation.</summary>
    public PyDict Graph()
    {
        if (_graph is not null)
        {
            return _graph;
        }

        var nodes = new PyDict();
        var sources = new PyDict();
        foreach (var node in (IEnumerable<ManifestNode>?)Manifest?.Nodes.Values ?? [])
        {
            (node.Type == NodeType.Source ? sources : nodes)[node.UniqueId] = Artifacts.ArtifactWriter.NodeValue(node, Target.Warehouse.Engine.Dialect());
        }

        _graph = new PyDict
        {
            ["nodes"] = nodes,
            ["sources"] = sources,
            ["exposures"] = new PyDict(),
            ["metrics"] = new PyDict(),
            ["groups"] = new PyDict(),
            ["semantic_models"] = new PyDict(),
            ["saved_queries"] = new PyDict(),
            ["unit_tests"] = new PyDict(),
        };
        return _graph;
    }

    private static object? FromJson(string text, object? fallback)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return FromJsonElement(doc.RootElement);
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    internal static object? FromJsonElement(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => new PyDict(e.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, FromJsonElement(p.Value)))),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJsonElement).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? (object)l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>An md5 hex digest: dbt names long tests and exposes local_md5 with it; not used for security.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "Naming compatibility with dbt, not security.")]
    public static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
}

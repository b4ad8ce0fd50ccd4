using System.Text.RegularExpressions;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Project;
using Millwright.Modeling.Templating;
using YamlDotNet.RepresentationModel;

namespace Millwright.Modeling.Manifest;

/// <summary>
/// Reads a project's files into a manifest: macros and docs blocks, models (rendered once to capture ref,
/// source and config), seeds, sources and generic tests from properties files, singular tests; then applies
/// configs, names relations, resolves dependencies and checks the graph for cycles.
/// </summary>
internal sealed partial class ManifestBuilder
{
    private static readonly HashSet<string> PropertiesTopKeys = ["version", "models", "seeds", "sources", "macros", "snapshots", "analyses", "exposures", "metrics", "semantic_models", "saved_queries", "groups", "unit_tests", "data_tests"];
    private static readonly HashSet<string> ModelKeys = ["name", "description", "columns", "config", "tests", "data_tests", "docs", "meta", "tags", "access", "group", "constraints", "latest_version", "versions", "deprecation_date", "time_spine", "quote_columns", "relation"];
    private static readonly HashSet<string> ColumnKeys = ["name", "description", "data_type", "tests", "data_tests", "meta", "tags", "quote", "constraints", "policy_tags", "granularity", "config"];
    private static readonly HashSet<string> SourceKeys = ["name", "description", "database", "schema", "loader", "loaded_at_field", "freshness", "meta", "tags", "config", "quoting", "tables", "overrides"];
    private static readonly HashSet<string> TableKeys = ["name", "identifier", "description", "columns", "tests", "data_tests", "loaded_at_field", "freshness", "meta", "tags", "config", "quoting", "external", "loader"];
    private static readonly HashSet<string> TestConfigKeys = ["severity", "tags", "enabled", "where", "limit", "warn_if", "error_if", "store_failures", "store_failures_as", "meta", "alias", "schema", "database", "fail_calc"];

    private readonly DbtRuntime _runtime;
    private readonly ProjectDefinition _root;
    private readonly List<ProjectDefinition> _packages = [];

    /// <summary>The project whose files are being read: the root project, then each installed package in turn.</summary>
    private ProjectDefinition _project;
    private readonly ICollection<string> _warnings;
    private readonly List<ManifestNode> _nodes = [];
    private readonly Dictionary<string, ManifestNode> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ManifestNode> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PyDict Entry, string File)> _modelPatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PyDict Entry, string File)> _seedPatches = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PyDict Entry, string File)> _snapshotPatches = new(StringComparer.Ordinal);
    private readonly List<PendingTest> _pendingTests = [];
    private readonly List<(PyDict Entry, string File, long Line)> _pendingUnitTests = [];

    private ManifestBuilder(DbtRuntime runtime, ICollection<string> warnings)
    {
        _runtime = runtime;
        _root = _project = runtime.Project;
        _warnings = warnings;
    }

    private sealed record PendingTest(object Definition, string File, string TargetKind, string TargetName, string? SourceTable, string? ColumnName);

    public static ProjectManifest Build(DbtRuntime runtime, ICollection<string> warnings)
    {
        var builder = new ManifestBuilder(runtime, warnings);
        return builder.Run();
    }

    private ProjectManifest Run()
    {
        LoadMacrosAndDocs();
        LoadNodes();

        // Installed packages contribute their models, seeds, snapshots, sources and tests too, each read with its own
        // paths and config, under the project's config for that package.
        foreach (var package in _packages)
        {
            _project = package;
            _modelPatches.Clear();
            _seedPatches.Clear();
            _snapshotPatches.Clear();
            _pendingTests.Clear();
            _pendingUnitTests.Clear();
            LoadNodes();
        }

        _project = _root;
        CheckUnusedTreePaths();
        var enabled = _nodes.Where(n => n.Enabled).ToList();
        var disabled = _nodes.Where(n => !n.Enabled).ToList();
        foreach (var dropped in ResolveDependencies(enabled, disabled))
        {
            enabled.Remove(dropped.Node);
            disabled.Add(dropped.Node);
            _warnings.Add(dropped.Reason);
        }

        var manifest = new ProjectManifest(_project.Name, enabled, disabled);
        manifest.CheckAcyclic();
        return manifest;
    }

    /// <summary>Reads the current project's properties, models, seeds, snapshots and tests into nodes.</summary>
    private void LoadNodes()
    {
        foreach (var file in Files(_project.ModelPaths.Concat(_project.SeedPaths).Concat(_project.MacroPaths).Concat(_project.SnapshotPaths).Distinct(), "*.yml", "*.yaml"))
        {
            LoadProperties(file);
        }

        foreach (var root in _project.ModelPaths)
        {
            foreach (var file in Files([root], "*.sql"))
            {
                AddModel(root, file);
            }
        }

        foreach (var root in _project.SeedPaths)
        {
            foreach (var file in Files([root], "*.csv"))
            {
                AddSeed(root, file);
            }
        }

        foreach (var root in _project.SnapshotPaths)
        {
            foreach (var file in Files([root], "*.sql"))
            {
                foreach (var block in ParseTemplate(File.ReadAllText(file), Relative(file)).Blocks.Where(b => b.Kind == "snapshot"))
                {
                    AddSnapshot(root, file, block.Name, block.Body, null);
                }
            }
        }

        foreach (var (name, (entry, file)) in _snapshotPatches.Where(p => p.Value.Entry.Get("relation") is string))
        {
            var relation = (string)entry.Get("relation")!;
            var body = ParseTemplate("select * from {{ " + relation + " }}", file);
            AddSnapshot(Path.GetDirectoryName(file) ?? "", Path.Combine(_project.RootPath, file), name, body, entry);
        }

        foreach (var root in _project.TestPaths)
        {
            // tests/generic/ holds generic test definitions (loaded as macros) and tests/fixtures/ unit-test fixtures:
            // neither is a singular test.
            foreach (var file in Files([root], "*.sql").Where(f => Path.GetRelativePath(Path.Combine(_project.RootPath, root), f).Split(Path.DirectorySeparatorChar)[0] is not ("generic" or "fixtures")))
            {
                AddSingularTest(root, file);
            }
        }

        foreach (var (name, (_, file)) in _modelPatches)
        {
            if (!_byName.TryGetValue(name, out var patched) || patched.Type != NodeType.Model)
            {
                _warnings.Add($"{file}: properties for model '{name}', which has no .sql file, are ignored");
            }
        }

        foreach (var pending in _pendingTests)
        {
            AddGenericTest(pending);
        }

        foreach (var (entry, file, line) in _pendingUnitTests)
        {
            AddUnitTest(entry, file, line);
        }
    }

    // ---- files --------------------------------------------------------------------------------------------

    private IEnumerable<string> Files(IEnumerable<string> roots, params string[] patterns)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var dir = Path.Combine(_project.RootPath, root);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            var files = patterns.SelectMany(p => Directory.EnumerateFiles(dir, p, SearchOption.AllDirectories))
                .Where(f => !Path.GetRelativePath(_project.RootPath, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (seen.Add(file))
                {
                    yield return file;
                }
            }
        }
    }

    private Template ParseTemplate(string source, string name)
    {
        try
        {
            return _runtime.Engine.Parse(source, name);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"Compilation Error in {name}\n  {e.Message}", e);
        }
    }

    private string Relative(string file) => Path.GetRelativePath(_project.RootPath, file).Replace('\\', '/');

    private void LoadMacrosAndDocs()
    {
        var installed = Path.Combine(_project.RootPath, _project.PackagesInstallPath);
        if (Directory.Exists(installed))
        {
            foreach (var dir in Directory.GetDirectories(installed).Order(StringComparer.Ordinal))
            {
                if (!File.Exists(Path.Combine(dir, "dbt_project.yml")))
                {
                    continue;
                }

                var package = ProjectDefinition.Load(dir, _warnings);
                _packages.Add(package);
                foreach (var macroPath in package.MacroPaths.Concat(package.TestPaths.Select(t => Path.Combine(t, "generic"))))
                {
                    var macroDir = Path.Combine(dir, macroPath);
                    if (!Directory.Exists(macroDir))
                    {
                        continue;
                    }

                    foreach (var file in Directory.EnumerateFiles(macroDir, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    {
                        _runtime.AddMacros(ParseTemplate(File.ReadAllText(file), Relative(file)), Relative(file), package.Name);
                    }
                }
            }
        }

        foreach (var file in Files(_project.MacroPaths.Concat(_project.TestPaths.Select(t => Path.Combine(t, "generic"))), "*.sql"))
        {
            var template = ParseTemplate(File.ReadAllText(file), Relative(file));
            _runtime.AddMacros(template, Relative(file));
        }

        foreach (var file in Files(_project.DocsPaths.Concat(_project.MacroPaths).Distinct(), "*.md"))
        {
            var template = ParseTemplate(File.ReadAllText(file), Relative(file));
            foreach (var block in template.Blocks.Where(b => b.Kind == "docs"))
            {
                if (_runtime.Docs.ContainsKey(block.Name))
                {
                    throw new ModelingException($"{Relative(file)}:{block.Line}: docs block '{block.Name}' is defined twice");
                }

                _runtime.Docs[block.Name] = block.Render(_runtime.Engine.CreateScope()).Trim();
            }
        }
    }

    // ---- properties YAML ------------------------------------------------------------------------------------

    private void LoadProperties(string file)
    {
        var relative = Relative(file);
        if (Yaml.Load(file, relative) is not YamlMappingNode root)
        {
            return;
        }

        WarnUnknown(root, PropertiesTopKeys, relative, "properties file");
        foreach (var entry in Entries(root, "models"))
        {
            AddPatch(entry, relative, _modelPatches, "model");
        }

        foreach (var entry in Entries(root, "seeds"))
        {
            AddPatch(entry, relative, _seedPatches, "seed");
        }

        foreach (var entry in Entries(root, "snapshots"))
        {
            AddPatch(entry, relative, _snapshotPatches, "snapshot");
        }

        foreach (var entry in Entries(root, "sources"))
        {
            AddSource(entry, relative);
        }

        foreach (var entry in Entries(root, "unit_tests"))
        {
            _pendingUnitTests.Add(((PyDict)Yaml.ToValue(entry)!, relative, entry.Start.Line));
        }
    }

    /// <summary>The mappings listed under a top-level key of a properties file.</summary>
    private static IEnumerable<YamlMappingNode> Entries(YamlMappingNode root, string key) =>
        root.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlSequenceNode list
            ? list.Children.OfType<YamlMappingNode>()
            : [];

    private void WarnUnknown(YamlMappingNode map, HashSet<string> known, string file, string what)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!known.Contains(key.Value ?? ""))
            {
                _warnings.Add($"{file}:{key.Start.Line}: unknown key '{key.Value}' in {what} is ignored");
            }
        }
    }

    private void AddPatch(YamlMappingNode node, string file, Dictionary<string, (PyDict, string)> patches, string kind)
    {
        var entry = (PyDict)Yaml.ToValue(node)!;
        var name = entry.Get("name") as string ?? throw new ModelingException($"{file}:{node.Start.Line}: a {kind} entry needs a 'name'");
        WarnUnknown(node, ModelKeys, file, $"{kind} '{name}'");
        if (patches.TryGetValue(name, out var earlier))
        {
            throw new ModelingException($"{file}:{node.Start.Line}: {kind} '{name}' is described twice (also in {earlier.Item2})");
        }

        if (node.Children.TryGetValue(new YamlScalarNode("columns"), out var columns) && columns is YamlSequenceNode columnList)
        {
            foreach (var column in columnList.Children.OfType<YamlMappingNode>())
            {
                WarnUnknown(column, ColumnKeys, file, $"a column of {kind} '{name}'");
            }
        }

        patches[name] = (entry, file);
        foreach (var test in TestsOf(entry))
        {
            _pendingTests.Add(new PendingTest(test, file, kind, name, null, null));
        }

        foreach (var column in entry.Get("columns") as List<object?> ?? [])
        {
            if (column is PyDict c && c.Get("name") is { } columnName)
            {
                foreach (var test in TestsOf(c))
                {
                    _pendingTests.Add(new PendingTest(test, file, kind, name, null, Py.Str(columnName)));
                }
            }
        }
    }

    private static IEnumerable<object> TestsOf(PyDict entry) =>
        (entry.Get("data_tests") as List<object?> ?? []).Concat(entry.Get("tests") as List<object?> ?? []).Where(t => t is not null)!;

    private void AddSource(YamlMappingNode node, string file)
    {
        var source = (PyDict)Yaml.ToValue(node)!;
        var sourceName = source.Get("name") as string ?? throw new ModelingException($"{file}:{node.Start.Line}: a source needs a 'name'");
        WarnUnknown(node, SourceKeys, file, $"source '{sourceName}'");
        var tablesNode = node.Children.TryGetValue(new YamlScalarNode("tables"), out var t) ? t as YamlSequenceNode : null;
        foreach (var tableNode in tablesNode?.Children.OfType<YamlMappingNode>() ?? [])
        {
            var table = (PyDict)Yaml.ToValue(tableNode)!;
            var tableName = table.Get("name") as string ?? throw new ModelingException($"{file}:{tableNode.Start.Line}: a table of source '{sourceName}' needs a 'name'");
            WarnUnknown(tableNode, TableKeys, file, $"table '{sourceName}.{tableName}'");
            var dirs = DirParts(file);
            var config = new PyDict { ["enabled"] = true };
            Configs.MergeAll(config, source.Get("config") as PyDict);
            Configs.MergeAll(config, table.Get("config") as PyDict);
            if (source.Get("tags") is { } sourceTags)
            {
                Configs.MergeInto(config, "tags", sourceTags);
            }

            if (table.Get("tags") is { } tableTags)
            {
                Configs.MergeInto(config, "tags", tableTags);
            }

            var meta = new PyDict();
            Configs.MergeAll(meta, source.Get("meta") as PyDict);
            Configs.MergeAll(meta, table.Get("meta") as PyDict);
            var freshness = table.ContainsKey("freshness") ? table.Get("freshness") : source.Get("freshness");
            if (freshness is not null)
            {
                config["freshness"] = freshness;
            }

            var identifier = table.Get("identifier") is string id ? RenderDescription(id, file) : tableName;
            var sourceNode = new ManifestNode
            {
                UniqueId = $"source.{_project.Name}.{sourceName}.{tableName}",
                Name = tableName,
                Type = NodeType.Source,
                Package = _project.Name,
                OriginalFilePath = file,
                Path = file,
                Fqn = [_project.Name, .. dirs, sourceName, tableName],
                Config = config,
                Description = RenderDescription(table.Get("description"), file),
                Source = new SourceTable(sourceName, tableName, identifier, RenderDescription(source.Get("description"), file), source.Get("loader") as string,
                    (table.Get("loaded_at_field") ?? source.Get("loaded_at_field")) as string, meta),
                Database = source.Get("database") is string database ? RenderDescription(database, file) : _runtime.Target.Database,
                Schema = source.Get("schema") is string schema ? RenderDescription(schema, file) : sourceName,
                Alias = identifier,
            };
            AddColumns(sourceNode, table, file);
            if (_nodes.FirstOrDefault(n => n.Source is { } other && other.SourceName == sourceName && other.TableName == tableName && n.Package != _project.Name) is { } declared)
            {
                _warnings.Add($"{file}: source table '{sourceName}.{tableName}' of {_project.Name} is also declared by {declared.Package} ({declared.OriginalFilePath}); that declaration is used");
                continue;
            }

            if (_byId.ContainsKey(sourceNode.UniqueId))
            {
                throw new ModelingException($"{file}:{tableNode.Start.Line}: source table '{sourceName}.{tableName}' is declared twice");
            }

            AddNode(sourceNode);
            foreach (var test in TestsOf(table))
            {
                _pendingTests.Add(new PendingTest(test, file, "source", sourceName, tableName, null));
            }

            foreach (var column in table.Get("columns") as List<object?> ?? [])
            {
                if (column is PyDict c && c.Get("name") is { } columnName)
                {
                    foreach (var test in TestsOf(c))
                    {
                        _pendingTests.Add(new PendingTest(test, file, "source", sourceName, tableName, Py.Str(columnName)));
                    }
                }
            }
        }
    }

    private List<string> DirParts(string relativeFile)
    {
        var parts = relativeFile.Split('/').ToList();
        parts.RemoveAt(parts.Count - 1);
        var roots = _project.ModelPaths.Concat(_project.SeedPaths).Concat(_project.TestPaths).Concat(_project.MacroPaths);
        foreach (var root in roots)
        {
            var rootParts = root.Replace('\\', '/').Trim('/').Split('/');
            if (parts.Count >= rootParts.Length && parts.Take(rootParts.Length).SequenceEqual(rootParts))
            {
                return parts.Skip(rootParts.Length).ToList();
            }
        }

        return parts;
    }

    private string RenderDescription(object? description, string file)
    {
        if (description is null)
        {
            return "";
        }

        var text = Py.Str(description);
        if (!NativeValues.IsTemplate(text))
        {
            return text;
        }

        var scope = _runtime.Engine.CreateScope(new Dictionary<string, object?>
        {
            ["doc"] = new PyFunction("doc", a =>
            {
                var name = Py.Str(a.Positional.Count == 2 ? a.Positional[1] : a.Get(0, "name"));
                return _runtime.Docs.TryGetValue(name, out var doc) ? doc : throw new TemplateRaisedException($"doc('{name}') names no docs block");
            }),
        });
        try
        {
            return ParseTemplate(text, file).Render(scope);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"{file}: in a description: {e.Reason}", e);
        }
    }

    /// <summary>Config from a properties file with its Jinja rendered (target_schema: "{{ target.schema }}_x"); hooks stay raw.</summary>
    private PyDict? RenderConfig(PyDict? config, string file)
    {
        if (config is null)
        {
            return null;
        }

        var rendered = new PyDict();
        foreach (var (key, value) in config)
        {
            rendered[key] = Configs.NormalizeKey(Py.Str(key)) is "pre-hook" or "post-hook" ? value : RenderConfigValue(value, file);
        }

        return rendered;
    }

    /// <summary>A properties-YAML config value with its Jinja rendered natively ("{{ var('on') }}" giving False is false), nested too.</summary>
    private object? RenderConfigValue(object? value, string file) => value switch
    {
        string text when NativeValues.IsTemplate(text) => NativeValues.Read(RenderDescription(text, file), _runtime.Engine),
        PyDict dict => new PyDict(dict.Select(kv => new KeyValuePair<string, object?>(Py.Str(kv.Key), RenderConfigValue(kv.Value, file)))),
        List<object?> list => list.Select(item => RenderConfigValue(item, file)).ToList(),
        _ => value,
    };

    private void AddColumns(ManifestNode node, PyDict entry, string file)
    {
        foreach (var column in entry.Get("columns") as List<object?> ?? [])
        {
            if (column is not PyDict c || c.Get("name") is not { } name)
            {
                continue;
            }

            var columnName = Py.Str(name);
            var tags = c.Get("tags") is List<object?> t ? t.Select(x => Py.Str(x)).ToList() : [];
            node.Columns[columnName] = new ColumnDoc(columnName, RenderDescription(c.Get("description"), file), c.Get("data_type") as string, c.Get("meta") as PyDict ?? new PyDict(), tags);
        }
    }

    // ---- models, seeds, singular tests ----------------------------------------------------------------------

    /// <summary>A node for a file under one of the resource folders: its name, fqn and paths; a name used twice fails.</summary>
    private ManifestNode FileNode(string root, string file, NodeType type, string? rawCode = null, string? seedFile = null)
    {
        var relative = Relative(file);
        var pathInRoot = Path.GetRelativePath(Path.Combine(_project.RootPath, root), file).Replace('\\', '/');
        var name = Path.GetFileNameWithoutExtension(file);
        if (type != NodeType.Test && _byName.TryGetValue(name, out var duplicate) && duplicate.Package == _project.Name)
        {
            throw new ModelingException($"two nodes are named '{name}': {duplicate.OriginalFilePath} and {relative}");
        }

        var fqn = new List<string> { _project.Name };
        fqn.AddRange(pathInRoot.Split('/')[..^1]);
        fqn.Add(name);
        return new ManifestNode
        {
            UniqueId = $"{type.ToString().ToLowerInvariant()}.{_project.Name}.{name}",
            Name = name,
            Type = type,
            Package = _project.Name,
            OriginalFilePath = relative,
            Path = pathInRoot,
            Fqn = fqn,
            RawCode = rawCode ?? "",
            SeedFile = seedFile,
        };
    }

    private void AddModel(string root, string file)
    {
        var node = FileNode(root, file, NodeType.Model, File.ReadAllText(file));
        Configure(node, new PyDict { ["enabled"] = true, ["materialized"] = "view" }, "models", _modelPatches);
        Capture(node, ParseTemplate(node.RawCode, node.OriginalFilePath));
        CheckMaterialization(node);
        NameRelation(node);
        AddNode(node);
    }

    /// <summary>
    /// The dbt_project.yml config trees for a node by its fqn: a package's own, then the project's (whose
    /// <c>models: package_name:</c> entries configure the package's nodes and win).
    /// </summary>
    private void ApplyTrees(PyDict config, string tree, IReadOnlyList<string> fqn)
    {
        if (!ReferenceEquals(_project, _root))
        {
            Configs.ApplyTree(config, _project.ConfigTrees[tree], fqn, new HashSet<string>(StringComparer.Ordinal));
        }

        Configs.ApplyTree(config, _root.ConfigTrees[tree], fqn, _usedTreePaths);
    }

    /// <summary>A node's config before its own file speaks: defaults, then the project tree by fqn, then its properties entry.</summary>
    private PyDict Configure(ManifestNode node, PyDict config, string tree, Dictionary<string, (PyDict Entry, string File)>? patches)
    {
        ApplyTrees(config, tree, node.Fqn);
        if (patches is not null && patches.TryGetValue(node.Name, out var patch))
        {
            ApplyPatch(node, config, patch.Entry, patch.File);
        }

        node.Config = config;
        return config;
    }

    /// <summary>Renders a node once at parse time to record its refs, sources and in-file config() (which wins).</summary>
    private void Capture(ManifestNode node, Template template)
    {
        node.Template = template;
        var context = new NodeContext(_runtime, node, execute: false);
        context.Render(template);
        Configs.MergeAll(node.Config, context.InFileConfig);
        node.Refs.AddRange(context.Refs);
        node.SourceRefs.AddRange(context.Sources);
    }

    private static void CheckMaterialization(ManifestNode node)
    {
        if (node.Materialized is not ("view" or "table" or "ephemeral" or "incremental"))
        {
            throw new ModelingException($"Compilation Error in model {node.Name} ({node.OriginalFilePath})\n  unknown materialization '{node.Materialized}': use view, table, ephemeral or incremental");
        }

        Execution.Incremental.Validate(node);
    }

    private void ApplyPatch(ManifestNode node, PyDict config, PyDict entry, string file)
    {
        node.PatchPath = file;
        node.Description = RenderDescription(entry.Get("description"), file);
        Configs.MergeAll(config, RenderConfig(entry.Get("config") as PyDict, file));
        if (entry.Get("tags") is { } tags)
        {
            Configs.MergeInto(config, "tags", tags);
        }

        if (entry.Get("meta") is PyDict meta)
        {
            Configs.MergeInto(config, "meta", meta);
        }

        if (entry.Get("docs") is PyDict docs)
        {
            Configs.MergeInto(config, "docs", docs);
        }

        AddColumns(node, entry, file);
    }

    private void AddSeed(string root, string file)
    {
        var node = FileNode(root, file, NodeType.Seed, seedFile: file);
        Configure(node, new PyDict { ["enabled"] = true, ["materialized"] = "seed" }, "seeds", _seedPatches);
        NameRelation(node);
        AddNode(node);
    }

    private void AddSnapshot(string root, string file, string name, Template body, PyDict? yamlEntry)
    {
        var relative = Relative(file);
        if (_byName.TryGetValue(name, out var duplicate))
        {
            throw new ModelingException($"two nodes are named '{name}': {duplicate.OriginalFilePath} and {relative}");
        }

        var rootDir = Path.Combine(_project.RootPath, root);
        var pathInRoot = Path.GetRelativePath(rootDir, file).Replace('\\', '/');
        var fqn = new List<string> { _project.Name };
        fqn.AddRange(pathInRoot.Split('/')[..^1].Where(p => p is not ("." or "..")));
        fqn.Add(name);
        var node = new ManifestNode
        {
            UniqueId = $"snapshot.{_project.Name}.{name}",
            Name = name,
            Type = NodeType.Snapshot,
            Package = _project.Name,
            OriginalFilePath = relative,
            Path = pathInRoot,
            Fqn = fqn,
            RawCode = File.Exists(file) && yamlEntry is null ? File.ReadAllText(file) : "",
            Template = body,
        };
        var config = Configure(node, new PyDict { ["enabled"] = true, ["materialized"] = "snapshot", ["strategy"] = null, ["unique_key"] = null }, "snapshots", _snapshotPatches);
        Capture(node, body);
        Execution.Snapshots.Validate(node);
        node.Schema = config.Get("target_schema") is string legacy ? legacy : GenerateSchemaName(config.Get("schema") as string, node);
        node.Database = config.Get("target_database") as string ?? config.Get("database") as string ?? _runtime.Target.Database;
        node.Alias = config.Get("alias") as string ?? name;
        AddNode(node);
    }

    private void AddSingularTest(string root, string file)
    {
        var node = FileNode(root, file, NodeType.Test, File.ReadAllText(file));
        Configure(node, TestDefaults(), "tests", null);
        Capture(node, ParseTemplate(node.RawCode, node.OriginalFilePath));
        NameTestRelation(node);
        AddNode(node);
    }

    private static PyDict TestDefaults() => new()
    {
        ["enabled"] = true,
        ["materialized"] = "test",
        ["severity"] = "ERROR",
        ["warn_if"] = "!= 0",
        ["error_if"] = "!= 0",
        ["fail_calc"] = "count(*)",
        ["store_failures"] = null,
        ["where"] = null,
        ["limit"] = null,
    };

    private void AddNode(ManifestNode node)
    {
        if (node.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot && _byName.TryGetValue(node.Name, out var other) && other.Package != node.Package)
        {
            // A package's node may share a name with another package's only while one of the two is disabled.
            if (other.Enabled && node.Enabled)
            {
                throw new ModelingException($"two nodes are named '{node.Name}': {other.OriginalFilePath} of {other.Package} and {node.OriginalFilePath} of {node.Package}; Millwright needs node names unique across a project and its packages (disable one with +enabled: false)");
            }

            _nodes.Add(node);
            _byId[node.UniqueId] = node;
            if (node.Enabled)
            {
                _byName[node.Name] = node;
            }

            return;
        }

        _nodes.Add(node);
        _byId[node.UniqueId] = node;
        if (node.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot)
        {
            _byName[node.Name] = node;
        }
    }

    // ---- generic tests ------------------------------------------------------------------------------------------

    private void AddGenericTest(PendingTest pending)
    {
        var (testName, ns, args, config, customName) = ParseTestDefinition(pending);
        var kwargs = new PyDict();
        if (pending.ColumnName is not null)
        {
            kwargs["column_name"] = pending.ColumnName;
        }

        foreach (var (key, value) in args)
        {
            kwargs[key] = value;
        }

        string targetName;
        string targetExpression;
        string attachedNode;
        if (pending.TargetKind == "source")
        {
            targetName = $"source_{pending.TargetName}_{pending.SourceTable}";
            targetExpression = $"source('{pending.TargetName}', '{pending.SourceTable}')";
            attachedNode = $"source.{_project.Name}.{pending.TargetName}.{pending.SourceTable}";
        }
        else
        {
            targetName = pending.TargetName;
            targetExpression = $"ref('{pending.TargetName}')";
            attachedNode = $"{pending.TargetKind}.{_project.Name}.{pending.TargetName}";
        }

        var testType = ns is null ? testName : $"{ns}_{testName}";
        var (shortName, _) = SynthesizeName(testType, targetName, kwargs);
        var name = customName ?? shortName;
        var withModel = new PyDict { ["model"] = "{{ get_where_subquery(" + targetExpression + ") }}" };
        foreach (var (key, value) in kwargs)
        {
            withModel[key] = value;
        }

        var dirs = DirParts(pending.File);
        var node = new ManifestNode
        {
            UniqueId = $"test.{_project.Name}.{name}.{TestHash(name, testName, ns, withModel, pending.ColumnName, pending.File)}",
            Name = name,
            Type = NodeType.Test,
            Package = _project.Name,
            OriginalFilePath = pending.File,
            Path = string.Join('/', [.. dirs, name + ".sql"]),
            Fqn = [_project.Name, .. dirs, name],
            Test = new GenericTest(testName, ns, withModel, pending.ColumnName, attachedNode),
            RawCode = "{{ test_" + testName + "(**_dbt_generic_test_kwargs) }}",
        };
        var nodeConfig = TestDefaults();
        ApplyTrees(nodeConfig, "tests", node.Fqn);
        Configs.MergeAll(nodeConfig, config);
        node.Config = nodeConfig;
        if (_byId.ContainsKey(node.UniqueId))
        {
            throw new ModelingException($"{pending.File}: the test '{name}' on {pending.TargetName} is declared twice; give one of them a distinct 'name'");
        }

        // Capture the refs and sources its arguments use, so the test runs after them, and the config() its definition
        // calls (fail_calc, severity, warn_if...): the test's own YAML config still wins over it, as in dbt.
        var context = new NodeContext(_runtime, node, execute: false);
        var rendered = RenderTestArguments(context, withModel);
        if (DefinitionConfig(context, testName, ns, rendered) is { Count: > 0 } fromDefinition)
        {
            var withDefinition = TestDefaults();
            ApplyTrees(withDefinition, "tests", node.Fqn);
            Configs.MergeAll(withDefinition, fromDefinition);
            Configs.MergeAll(withDefinition, config);
            node.Config = withDefinition;
        }

        node.Refs.AddRange(context.Refs);
        node.SourceRefs.AddRange(context.Sources);
        NameTestRelation(node);
        AddNode(node);
    }

    /// <summary>
    /// The config() calls of a generic test's definition, by rendering it as dbt does at parse time (execute false).
    /// A definition that cannot render before the run (it reads results) contributes none here; its errors surface
    /// when the test compiles for the run.
    /// </summary>
    private static PyDict DefinitionConfig(NodeContext context, string testName, string? ns, PyDict kwargs)
    {
        try
        {
            context.CallTest(testName, ns, new Arguments([], kwargs.ToDictionary(kv => Py.Str(kv.Key), kv => kv.Value)));
        }
        catch (ModelingException)
        {
            return [];
        }

        return context.InFileConfig;
    }

    [GeneratedRegex(@"^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$", RegexOptions.Singleline)]
    private static partial Regex LooksLikeFunction();

    /// <summary>An argument that is one <c>{{ expression }}</c> and nothing else: dbt renders it natively (a relation stays one).</summary>
    [GeneratedRegex(@"^\s*\{\{-?((?:(?!\{\{|\}\}|\{%).)*?)-?\}\}\s*$", RegexOptions.Singleline)]
    private static partial Regex SingleExpression();

    /// <summary>Renders a generic test's arguments as dbt does: ref('x') and friends evaluate; other Jinja renders.</summary>
    public static PyDict RenderTestArguments(NodeContext context, PyDict kwargs)
    {
        var rendered = new PyDict();
        foreach (var (key, value) in kwargs)
        {
            rendered[key] = Equals(key, "column_name") ? value : RenderArgument(context, value);
        }

        return rendered;
    }

    private static object? RenderArgument(NodeContext context, object? value) => value switch
    {
        string s when LooksLikeFunction().IsMatch(s) => context.Evaluate(s),
        string s when SingleExpression().Match(s) is { Success: true } single => context.Evaluate(single.Groups[1].Value),
        string s when NativeValues.IsTemplate(s) => context.RenderString(s),
        List<object?> list => list.Select(item => RenderArgument(context, item)).ToList(),
        PyDict dict => new PyDict(dict.Select(kv => new KeyValuePair<string, object?>(Py.Str(kv.Key), RenderArgument(context, kv.Value)))),
        _ => value,
    };

    private (string TestName, string? Namespace, PyDict Args, PyDict Config, string? CustomName) ParseTestDefinition(PendingTest pending)
    {
        string testName;
        PyDict args = new();
        var config = new PyDict();
        string? customName = null;
        switch (pending.Definition)
        {
            case string s:
                testName = s;
                break;
            case PyDict d when d.ContainsKey("test_name"):
                testName = Py.Str(d.Get("test_name"));
                customName = d.Get("name") as string;
                foreach (var (key, value) in d)
                {
                    if (key is not ("test_name" or "name"))
                    {
                        args[key] = value;
                    }
                }

                break;
            case PyDict d when d.Count == 1:
                var only = d.First();
                testName = Py.Str(only.Key);
                if (only.Value is PyDict given)
                {
                    args = new PyDict(given.Select(kv => new KeyValuePair<string, object?>(Py.Str(kv.Key), kv.Value)));
                }
                else if (only.Value is not null)
                {
                    throw new ModelingException($"{pending.File}: the arguments of test '{testName}' on {pending.TargetName} must be a mapping");
                }

                break;
            default:
                throw new ModelingException($"{pending.File}: a test on {pending.TargetName} must be a test name or a mapping of one test name to its arguments");
        }

        if (args.Get("name") is string named)
        {
            customName = named;
            args.Remove("name");
        }

        if (args.Get("arguments") is PyDict arguments)
        {
            args.Remove("arguments");
            foreach (var (key, value) in arguments)
            {
                args[key] = value;
            }
        }

        if (args.Get("config") is PyDict explicitConfig)
        {
            args.Remove("config");
            Configs.MergeAll(config, RenderConfig(explicitConfig, pending.File));
        }

        foreach (var key in args.Keys.Select(k => Py.Str(k)).Where(TestConfigKeys.Contains).ToList())
        {
            Configs.MergeInto(config, key, RenderConfigValue(args.Get(key), pending.File));
            args.Remove(key);
        }

        string? ns = null;
        var dot = testName.LastIndexOf('.');
        if (dot > 0)
        {
            ns = testName[..dot];
            testName = testName[(dot + 1)..];
        }

        if (_runtime.FindTest(testName, ns) is null)
        {
            throw new ModelingException($"{pending.File}: {pending.TargetKind} '{pending.TargetName}' uses test '{(ns is null ? "" : ns + ".")}{testName}', but no generic test of that name exists (define it with {{% test {testName}(model, column_name) %}} in a macro file)");
        }

        return (testName, ns, args, config, customName);
    }

    /// <summary>dbt's test naming: type_target_args, or a truncated name with an md5 when 64 characters or longer.</summary>
    public static (string Short, string Full) SynthesizeName(string testType, string targetName, PyDict args)
    {
        var flat = new List<string>();
        foreach (var key in args.Keys.Select(k => Py.Str(k)).Order(StringComparer.Ordinal))
        {
            if (key == "model")
            {
                continue;
            }

            var value = args.Get(key);
            var parts = value switch
            {
                PyDict d => d.Values.ToList(),
                List<object?> l => l,
                _ => [value],
            };
            flat.AddRange(parts.Select(p => NonWord().Replace(p is string ps ? ps : Py.Str(p), "_")));
        }

        var identifier = $"{testType}_{targetName}";
        var full = $"{identifier}_{string.Join("__", flat)}";
        return full.Length >= 64 ? ($"{identifier[..Math.Min(30, identifier.Length)]}_{DbtRuntime.Md5(full)}", full) : (full, full);
    }

    [GeneratedRegex("[^0-9a-zA-Z_]+")]
    private static partial Regex NonWord();

    /// <summary>
    /// The hash in a generic test's unique id: of its name and its whole metadata (test, namespace, every argument), as
    /// dbt hashes it, so two tests whose arguments only flatten to the same name stay two tests.
    /// </summary>
    private static string TestHash(string name, string testName, string? ns, PyDict kwargs, string? column, string file)
    {
        var metadata = new PyDict { ["name"] = testName, ["kwargs"] = kwargs, ["namespace"] = ns, ["column_name"] = column };
        return DbtRuntime.Md5(name + Py.Repr(metadata) + "|" + file)[..10];
    }

    // ---- names and dependencies -------------------------------------------------------------------------------

    private readonly HashSet<string> _usedTreePaths = new(StringComparer.Ordinal);

    private void NameRelation(ManifestNode node)
    {
        var customSchema = node.Config.Get("schema") as string;
        node.Schema = GenerateSchemaName(customSchema, node);
        node.Alias = node.Config.Get("alias") as string ?? node.Name;
        node.Database = node.Config.Get("database") as string ?? _runtime.Target.Database;
        if (_runtime.FindMacro("generate_alias_name") is { Package: not "dbt" })
        {
            node.Alias = Py.Str(new NodeContext(_runtime, node, execute: false).CallMacro("generate_alias_name", Arguments.Of(node.Config.Get("alias"), new PyDict { ["name"] = node.Name, ["config"] = node.Config }))).Trim();
        }
    }

    private void NameTestRelation(ManifestNode node)
    {
        node.Schema = GenerateSchemaName(node.Config.Get("schema") as string ?? "dbt_test__audit", node);
        node.Alias = node.Config.Get("alias") as string ?? node.Name;
        node.Database = node.Config.Get("database") as string ?? _runtime.Target.Database;
    }

    private string GenerateSchemaName(string? custom, ManifestNode node)
    {
        if (_runtime.FindMacro("generate_schema_name") is { Package: not "dbt" })
        {
            var context = new NodeContext(_runtime, node, execute: false);
            return Py.Str(context.CallMacro("generate_schema_name", Arguments.Of(custom, new PyDict { ["name"] = node.Name, ["config"] = node.Config, ["resource_type"] = node.ResourceTypeName }))).Trim();
        }

        return string.IsNullOrWhiteSpace(custom) ? _runtime.Target.Schema : $"{_runtime.Target.Schema}_{custom.Trim()}";
    }

    /// <summary>
    /// Links every node to what it refs. A test of a node that is disabled or has no file (only YAML) is dropped with a
    /// warning, as dbt does; any other missing reference is an error. Returns the dropped tests.
    /// </summary>
    private static List<(ManifestNode Node, string Reason)> ResolveDependencies(List<ManifestNode> enabled, List<ManifestNode> disabled)
    {
        var dropped = new List<(ManifestNode, string)>();
        var byName = enabled.Where(n => n.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var sources = enabled.Where(n => n.Type == NodeType.Source).ToDictionary(n => (n.Source!.SourceName, n.Source.TableName));
        var ids = enabled.Select(n => n.UniqueId).ToHashSet(StringComparer.Ordinal);
        foreach (var node in enabled)
        {
            foreach (var reference in node.Refs)
            {
                if (!byName.TryGetValue(reference.Name, out var target) || (reference.Package is not null && reference.Package != target.Package))
                {
                    var off = disabled.FirstOrDefault(d => d.Name == reference.Name);
                    if (node.Type == NodeType.Test)
                    {
                        dropped.Add((node, $"test '{node.Name}' ({node.OriginalFilePath}) is not run: it tests '{reference.Name}', which {(off is not null ? "is disabled" : "has no model, seed or snapshot")}"));
                        break;
                    }

                    throw new ModelingException(off is not null
                        ? $"{node.ResourceTypeName} '{node.Name}' ({node.OriginalFilePath}) depends on '{reference.Name}', which is disabled"
                        : $"{node.ResourceTypeName} '{node.Name}' ({node.OriginalFilePath}) depends on a node named '{reference.Name}' which was not found");
                }

                AddDependency(node, target.UniqueId);
            }

            foreach (var (source, table) in node.SourceRefs)
            {
                if (!sources.TryGetValue((source, table), out var target))
                {
                    throw new ModelingException($"{node.ResourceTypeName} '{node.Name}' ({node.OriginalFilePath}) depends on a source named '{source}.{table}' which was not found");
                }

                AddDependency(node, target.UniqueId);
            }

            if (node.Test is { } test && node.DependsOn.Count == 0 && ids.Contains(test.AttachedNode))
            {
                AddDependency(node, test.AttachedNode);
            }
        }

        return dropped;
    }

    private static void AddDependency(ManifestNode node, string id)
    {
        if (!node.DependsOn.Contains(id))
        {
            node.DependsOn.Add(id);
        }
    }

    private void CheckUnusedTreePaths()
    {
        foreach (var (type, tree) in _project.ConfigTrees)
        {
            foreach (var path in Configs.TreePaths(tree))
            {
                if (!_usedTreePaths.Contains(path) && !_usedTreePaths.Any(u => u.StartsWith(path + ".", StringComparison.Ordinal)))
                {
                    _warnings.Add($"dbt_project.yml: the {type} config path '{path}' matches no resource");
                }
            }
        }
    }
}

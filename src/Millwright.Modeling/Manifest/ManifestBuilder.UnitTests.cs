using Millwright.Modeling.Compilation;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Manifest;

/// <summary>Unit tests (<c>unit_tests:</c> in properties YAML): test nodes whose rows stand in for a model's inputs.</summary>
internal sealed partial class ManifestBuilder
{
    private static readonly string[] RowFormats = ["dict", "csv", "sql"];

    private void AddUnitTest(PyDict entry, string file, long line)
    {
        var where = $"{file}:{line}";
        var name = entry.Get("name") as string ?? throw new ModelingException($"{where}: a unit test needs a 'name'");
        var modelName = entry.Get("model") as string ?? throw new ModelingException($"{where}: unit test '{name}' needs the 'model' it tests");
        if (!_byName.TryGetValue(modelName, out var model) || model.Type != NodeType.Model)
        {
            _warnings.Add($"unit test '{name}' ({file}) is not run: '{modelName}' is not a model of this project");
            return;
        }

        if (!model.Enabled)
        {
            _warnings.Add($"unit test '{name}' ({file}) is not run: it tests '{modelName}', which is disabled");
            return;
        }

        var given = new List<UnitTestInput>();
        foreach (var (item, i) in Py.ToList(entry.Get("given") ?? new List<object?>()).Select((g, i) => (g, i)))
        {
            if (item is not PyDict input || input.Get("input") is not string relation)
            {
                throw new ModelingException($"{where}: unit test '{name}': given {i + 1} needs an 'input' (ref('...'), source('...', '...') or this)");
            }

            given.Add(new UnitTestInput(relation.Trim(), Rows(input, $"{where}: unit test '{name}': given {i + 1} ({relation})")));
        }

        var expect = entry.Get("expect") as PyDict ?? throw new ModelingException($"{where}: unit test '{name}' needs 'expect' with the rows the model must return");
        var overrides = entry.Get("overrides") as PyDict ?? new PyDict();
        var definition = new UnitTestDefinition(
            model.UniqueId,
            given,
            Rows(expect, $"{where}: unit test '{name}': expect"),
            overrides.Get("macros") as PyDict ?? new PyDict(),
            overrides.Get("vars") as PyDict ?? new PyDict(),
            overrides.Get("env_vars") as PyDict ?? new PyDict());
        var node = new ManifestNode
        {
            UniqueId = $"unit_test.{_project.Name}.{modelName}.{name}",
            Name = name,
            Type = NodeType.Test,
            Package = _project.Name,
            OriginalFilePath = file,
            Path = $"{modelName}/{name}.sql",
            Fqn = [.. model.Fqn, name],
            RawCode = model.RawCode,
            Description = entry.Get("description") as string ?? "",
            UnitTest = definition,
        };
        var config = TestDefaults();
        Configs.MergeAll(config, RenderConfig(entry.Get("config") as PyDict, file));
        node.Config = config;
        if (_byId.ContainsKey(node.UniqueId))
        {
            throw new ModelingException($"{where}: the unit test '{name}' of {modelName} is declared twice");
        }

        node.Refs.AddRange(model.Refs);
        node.SourceRefs.AddRange(model.SourceRefs);
        NameTestRelation(node);
        AddNode(node);
    }

    /// <summary>The rows of a given or expect: inline (dict rows, CSV or SQL text) or from tests/fixtures/NAME.csv|sql.</summary>
    private UnitTestRows Rows(PyDict block, string where)
    {
        if (block.Get("fixture") is string fixture)
        {
            foreach (var root in _project.TestPaths)
            {
                foreach (var (extension, kind) in new[] { (".csv", "csv"), (".sql", "sql") })
                {
                    var path = System.IO.Path.Combine(_project.RootPath, root, "fixtures", fixture + extension);
                    if (File.Exists(path))
                    {
                        return new UnitTestRows(kind, File.ReadAllText(path));
                    }
                }
            }

            throw new ModelingException($"{where}: fixture '{fixture}' is not in {string.Join(" or ", _project.TestPaths.Select(t => $"{t}/fixtures/{fixture}.csv|.sql"))}");
        }

        var format = block.Get("format") as string ?? "dict";
        if (!RowFormats.Contains(format))
        {
            throw new ModelingException($"{where}: format '{format}' is not one of {string.Join(", ", RowFormats)}");
        }

        var rows = block.Get("rows");
        return format switch
        {
            "dict" when rows is null => new UnitTestRows(format, new List<object?>()),
            "dict" when rows is List<object?> list && list.All(r => r is PyDict) => new UnitTestRows(format, list),
            "dict" => throw new ModelingException($"{where}: rows must be a list of mappings (column: value) with format dict"),
            _ when rows is string text => new UnitTestRows(format, text),
            _ => throw new ModelingException($"{where}: rows must be text with format {format}"),
        };
    }
}

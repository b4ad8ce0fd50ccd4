using Millwright.Modeling.Templating;
using YamlDotNet.RepresentationModel;

namespace Millwright.Modeling.Project;

/// <summary>dbt_project.yml, read and checked.</summary>
internal sealed class ProjectDefinition
{
    private static readonly HashSet<string> KnownKeys =
    [
        "name", "version", "config-version", "profile", "model-paths", "source-paths", "seed-paths", "data-paths", "test-paths",
        "macro-paths", "analysis-paths", "snapshot-paths", "docs-paths", "asset-paths", "target-path", "log-path",
        "packages-install-path", "clean-targets", "require-dbt-version", "vars", "models", "seeds", "tests", "data_tests",
        "snapshots", "sources", "quoting", "on-run-start", "on-run-end", "dispatch", "query-comment", "flags",
        "analyses", "metrics", "exposures", "semantic-models", "saved-queries", "unit_tests", "restrict-access", "dbt-cloud",
    ];

    public required string Name { get; init; }

    public required string RootPath { get; init; }

    public string? Version { get; init; }

    public string? ProfileName { get; init; }

    public required IReadOnlyList<string> ModelPaths { get; init; }

    public required IReadOnlyList<string> SeedPaths { get; init; }

    public required IReadOnlyList<string> TestPaths { get; init; }

    public required IReadOnlyList<string> MacroPaths { get; init; }

    public required IReadOnlyList<string> SnapshotPaths { get; init; }

    public required IReadOnlyList<string> DocsPaths { get; init; }

    public required string TargetPath { get; init; }

    public required string PackagesInstallPath { get; init; }

    /// <summary>dispatch: search orders by macro namespace.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Dispatch { get; init; }

    /// <summary>on-run-start and on-run-end hooks, unrendered.</summary>
    public required IReadOnlyList<string> OnRunStart { get; init; }

    public required IReadOnlyList<string> OnRunEnd { get; init; }

    /// <summary>Project vars: global ones and, under the project's own name, scoped ones.</summary>
    public required PyDict Vars { get; init; }

    /// <summary>The config trees per resource type: models, seeds, tests.</summary>
    public required IReadOnlyDictionary<string, PyDict> ConfigTrees { get; init; }

    private static List<string> Hooks(object? value) => value switch
    {
        null => [],
        string s => [s],
        _ => Py.ToList(value).Select(v => Py.Str(v)).ToList(),
    };

    public static ProjectDefinition Load(string projectDir, ICollection<string> warnings)
    {
        var path = Path.Combine(projectDir, "dbt_project.yml");
        if (!File.Exists(path))
        {
            throw new ModelingException($"no dbt_project.yml in {projectDir}: give the project folder with --project-dir");
        }

        var root = Yaml.Load(path, "dbt_project.yml") as YamlMappingNode
            ?? throw new ModelingException("dbt_project.yml: the file must be a mapping with at least 'name'");
        foreach (var key in root.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!KnownKeys.Contains(key.Value ?? ""))
            {
                warnings.Add($"dbt_project.yml:{key.Start.Line}: unknown key '{key.Value}' is ignored");
            }
        }

        var values = (PyDict)Yaml.ToValue(root)!;
        var name = values.Get("name") as string;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ModelingException("dbt_project.yml: 'name' is required");
        }

        IReadOnlyList<string> Paths(string key, string? legacy, string fallback)
        {
            var value = values.Get(key) ?? (legacy is null ? null : values.Get(legacy));
            return value switch
            {
                null => [fallback],
                string s => [s],
                List<object?> list => list.Select(p => Py.Str(p)).ToList(),
                _ => throw new ModelingException($"dbt_project.yml:{Yaml.LineOf(root, key)}: '{key}' must be a list of folders"),
            };
        }

        var modelPaths = Paths("model-paths", "source-paths", "models");
        var trees = new Dictionary<string, PyDict>(StringComparer.Ordinal);
        foreach (var type in new[] { "models", "seeds", "snapshots" })
        {
            trees[type] = values.Get(type) as PyDict ?? new PyDict();
        }

        trees["tests"] = values.Get("data_tests") as PyDict ?? values.Get("tests") as PyDict ?? new PyDict();
        return new ProjectDefinition
        {
            Name = name,
            RootPath = projectDir,
            Version = values.Get("version") is { } v ? Py.Str(v) : null,
            ProfileName = values.Get("profile") as string,
            ModelPaths = modelPaths,
            SeedPaths = Paths("seed-paths", "data-paths", "seeds"),
            TestPaths = Paths("test-paths", null, "tests"),
            MacroPaths = Paths("macro-paths", null, "macros"),
            SnapshotPaths = Paths("snapshot-paths", null, "snapshots"),
            DocsPaths = values.Get("docs-paths") is null ? [.. modelPaths, .. Paths("macro-paths", null, "macros")] : Paths("docs-paths", null, "docs"),
            TargetPath = values.Get("target-path") as string ?? "target",
            PackagesInstallPath = values.Get("packages-install-path") as string ?? "dbt_packages",
            Dispatch = (values.Get("dispatch") as List<object?> ?? [])
                .OfType<PyDict>()
                .Where(d => d.Get("macro_namespace") is string)
                .ToDictionary(d => (string)d.Get("macro_namespace")!, d => (IReadOnlyList<string>)Py.ToList(d.Get("search_order")).Select(x => Py.Str(x)).ToList(), StringComparer.Ordinal),
            OnRunStart = Hooks(values.Get("on-run-start")),
            OnRunEnd = Hooks(values.Get("on-run-end")),
            Vars = values.Get("vars") as PyDict ?? new PyDict(),
            ConfigTrees = trees,
        };
    }
}

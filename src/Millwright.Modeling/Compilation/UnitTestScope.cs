using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// What a unit test changes in its model's render: each input (keyed as written: ref('x'), source('a', 'b'), this)
/// becomes the CTE of its rows, and the overridden macros, vars and env_vars answer first.
/// </summary>
internal sealed partial class UnitTestScope(string testName, IReadOnlyDictionary<string, string> inputs, PyDict macros, PyDict vars, PyDict envVars)
{
    /// <summary>The scope of a unit test: its i-th input is the CTE named by <see cref="InputCte"/>.</summary>
    public static UnitTestScope For(string testName, Manifest.UnitTestDefinition unit)
    {
        var inputs = unit.Given.Select((g, i) => (Key: Key(g.Input), Cte: InputCte(i))).ToDictionary(p => p.Key, p => p.Cte, StringComparer.Ordinal);

        // ref('package', 'model') under 'given' also answers the model's ref('model') (node names are unique across a
        // project and its packages), and the model's ref('package', 'model') finds a given ref('model') (see RefKey).
        foreach (var (key, cte) in inputs.ToList())
        {
            if (PackageRef().Match(key) is { Success: true } m)
            {
                inputs.TryAdd($"ref('{m.Groups[2].Value}')", cte);
            }
        }

        return new(testName, inputs, unit.Macros, unit.Vars, unit.EnvVars);
    }

    /// <summary>The key a model's ref() call is looked up by: the two-argument form when the test gave that one.</summary>
    public string RefKey(string? package, string name) =>
        package is not null && inputs.ContainsKey($"ref('{package}','{name}')") ? $"ref('{package}','{name}')" : $"ref('{name}')";

    [System.Text.RegularExpressions.GeneratedRegex(@"^ref\('([^']*)','([^']*)'\)$")]
    private static partial System.Text.RegularExpressions.Regex PackageRef();

    public static string InputCte(int index) => $"__dbt__cte__unit_input_{index + 1}";

    public PyDict Macros { get; } = macros;

    public PyDict Vars { get; } = vars;

    public PyDict EnvVars { get; } = envVars;

    /// <summary>The input's key as a unit test spells it, whatever the quotes and spaces: ref("x") is ref('x').</summary>
    public static string Key(string input) => input.Replace('"', '\'').Replace(" ", "", StringComparison.Ordinal);

    public RelationValue Relation(string input, string model, Warehouse.SqlDialect dialect) =>
        inputs.TryGetValue(Key(input), out var cte)
            ? new RelationValue(dialect, null, null, cte, "cte", isCte: true)
            : throw new TemplateRaisedException($"unit test '{testName}': model '{model}' reads {input}, which has no rows under 'given'");

    public bool Has(string input) => inputs.ContainsKey(Key(input));
}

/// <summary>The unit test's overrides placed in a node's globals.</summary>
internal sealed partial class NodeContext
{
    private void ApplyUnitTest(Dictionary<string, object?> globals, UnitTestScope unitTest, bool incremental)
    {
        if (unitTest.Has("this"))
        {
            globals["this"] = unitTest.Relation("this", _node.Name, Dialect);
        }

        globals["is_incremental"] = new PyFunction("is_incremental", _ => unitTest.Macros.TryGetValue("is_incremental", out var value) ? Py.Truthy(value) : incremental);
        globals["var"] = new PyFunction("var", a =>
        {
            var name = Py.Str(a.Required(0, "var_name", "var"));
            return unitTest.Vars.TryGetValue(name, out var value) || _runtime.TryGetVar(name, out value) ? value
                : a.Has(1, "default") ? a.Get(1, "default")
                : throw new TemplateRaisedException($"Required var '{name}' not found in config: give it in dbt_project.yml 'vars', with --vars or in the unit test's overrides");
        });
        globals["env_var"] = new PyFunction("env_var", a =>
        {
            var name = Py.Str(a.Required(0, "var", "env_var"));
            return unitTest.EnvVars.TryGetValue(name, out var value) ? value
                : _runtime.Environment(name) is { } found ? found
                : a.Has(1, "default") ? a.Get(1, "default")
                : throw new TemplateRaisedException($"Env var required but not provided: '{name}'");
        });
    }
}

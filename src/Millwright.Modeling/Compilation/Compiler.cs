using System.Collections.Concurrent;
using System.Text;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Compilation;

/// <summary>Turns a node's Jinja SQL into the SQL the warehouse runs, with ephemeral models injected as CTEs (or inlined as subqueries where the engine has none).</summary>
internal sealed partial class Compiler(DbtRuntime runtime)
{
    private readonly ConcurrentDictionary<string, (string Sql, IReadOnlyList<ManifestNode> Ephemerals)> _compiled = new(StringComparer.Ordinal);

    /// <summary>Compiles a model, test or analysis; the result is also stored on the node.</summary>
    public string Compile(ManifestNode node, bool incremental = false)
    {
        if (node.UnitTest is { } unit)
        {
            var model = runtime.Manifest!.Nodes[unit.ModelId];
            return node.CompiledCode = CompileForUnitTest(node, model, UnitTestScope.For(node.Name, unit));
        }

        var (sql, ephemerals) = CompileBody(node, incremental);
        if (ephemerals.Count > 0)
        {
            sql = runtime.Target.Warehouse.Engine.Dialect().CommonTableExpressions
                ? InjectCtes(sql, OrderedCtes(ephemerals))
                : InlineEphemerals(sql, OrderedCtes(ephemerals));
        }

        node.CompiledCode = sql;
        return sql;
    }

    private (string Sql, IReadOnlyList<ManifestNode> Ephemerals) CompileBody(ManifestNode node, bool incremental = false) => _compiled.GetOrAdd(node.UniqueId + (incremental ? "#incremental" : ""), _ =>
    {
        var context = new NodeContext(runtime, node, execute: true, incremental);
        string sql;
        if (node.Test is { } test)
        {
            var kwargs = ManifestBuilder.RenderTestArguments(context, test.Kwargs);
            var result = context.CallTest(test.TestName, test.Namespace, new Arguments([], kwargs.ToDictionary(kv => Py.Str(kv.Key), kv => kv.Value)));
            sql = Py.Str(result);
        }
        else
        {
            node.Template ??= runtime.Engine.Parse(node.RawCode, node.OriginalFilePath);
            sql = context.Render(node.Template);
        }

        return (sql, context.Ephemerals.ToList());
    });

    /// <summary>A unit test's model rendered with its inputs as the CTEs of their rows and its overrides in force.</summary>
    public string CompileForUnitTest(ManifestNode test, ManifestNode model, UnitTestScope scope)
    {
        var context = new NodeContext(runtime, model, execute: true, incremental: false, unitTest: scope);
        model.Template ??= runtime.Engine.Parse(model.RawCode, model.OriginalFilePath);
        try
        {
            return context.Render(model.Template);
        }
        catch (ModelingException e)
        {
            throw new ModelingException($"Compilation Error in unit test {test.Name} ({test.OriginalFilePath})\n  {e.Message.Split('\n').Last().Trim()}", e);
        }
    }

    /// <summary>Every ephemeral a node needs, the ones they need first, each once.</summary>
    private List<(ManifestNode Node, string Sql)> OrderedCtes(IReadOnlyList<ManifestNode> direct)
    {
        var ordered = new List<(ManifestNode, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        void Visit(ManifestNode ephemeral)
        {
            if (seen.Contains(ephemeral.UniqueId))
            {
                return;
            }

            if (!visiting.Add(ephemeral.UniqueId))
            {
                throw new ModelingException($"ephemeral model '{ephemeral.Name}' refers to itself through other ephemeral models");
            }

            var (sql, nested) = CompileBody(ephemeral);
            foreach (var inner in nested)
            {
                Visit(inner);
            }

            seen.Add(ephemeral.UniqueId);
            ordered.Add((ephemeral, sql));
        }

        foreach (var ephemeral in direct)
        {
            Visit(ephemeral);
        }

        return ordered;
    }

    /// <summary>
    /// Where the engine has no CTEs (ClickHouse 18.16): each reference to an ephemeral model becomes its query as a
    /// subquery, the models it needs inlined into it first, so <c>from {{ ref('e') }} as e</c> reads <c>from (...) as e</c>.
    /// </summary>
    private static string InlineEphemerals(string sql, IReadOnlyList<(ManifestNode Node, string Sql)> ordered)
    {
        var inlined = new Dictionary<string, string>(StringComparer.Ordinal);
        string Replace(string text) => EphemeralName().Replace(text, m => inlined.TryGetValue(m.Value, out var body) ? $"(\n{body}\n)" : m.Value);
        foreach (var (node, body) in ordered)
        {
            inlined["__dbt__cte__" + node.Name] = Replace(body.Trim());
        }

        return Replace(sql);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b__dbt__cte__\w+\b")]
    private static partial System.Text.RegularExpressions.Regex EphemeralName();

    /// <summary>Puts CTEs in front of a query: merged into its own WITH when it has one.</summary>
    public static string InjectCtes(string sql, IReadOnlyList<(ManifestNode Node, string Sql)> ctes) =>
        InjectCtes(sql, ctes.Select(c => ("__dbt__cte__" + c.Node.Name, c.Sql)).ToList());

    /// <summary>Puts named CTEs in front of a query: merged into its own WITH when it has one.</summary>
    public static string InjectCtes(string sql, IReadOnlyList<(string Name, string Sql)> ctes)
    {
        var definitions = new StringBuilder();
        foreach (var (name, body) in ctes)
        {
            definitions.Append(definitions.Length == 0 ? "" : ",\n")
                .Append(name).Append(" as (\n").Append(body.Trim()).Append("\n)");
        }

        var start = FirstKeyword(sql, out var keyword);
        if (keyword.Equals("with", StringComparison.OrdinalIgnoreCase))
        {
            var after = start + keyword.Length;
            var rest = sql[after..];
            var recursive = rest.TrimStart();
            if (recursive.StartsWith("recursive", StringComparison.OrdinalIgnoreCase) && recursive.Length > 9 && char.IsWhiteSpace(recursive[9]))
            {
                after += rest.Length - recursive.Length + 9;
            }

            return sql[..after] + " " + definitions + ",\n" + sql[after..].TrimStart();
        }

        return sql[..start] + "with " + definitions + "\n" + sql[start..];
    }

    /// <summary>The position and text of the first word that is not in a comment.</summary>
    private static int FirstKeyword(string sql, out string keyword)
    {
        var i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i]))
            {
                i++;
            }
            else if (sql[i] == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (sql[i] == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else
            {
                break;
            }
        }

        var j = i;
        while (j < sql.Length && (char.IsLetter(sql[j]) || sql[j] == '_'))
        {
            j++;
        }

        keyword = sql[i..j];
        return i;
    }
}

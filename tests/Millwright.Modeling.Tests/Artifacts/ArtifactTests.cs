using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Millwright.Modeling.Tests.Artifacts;

/// <summary>manifest.json, run_results.json and catalog.json are written and match the JSON schemas kept in the repo.</summary>
public sealed class ArtifactTests
{
    [Fact]
    public async Task Build_and_docs_generate_write_artifacts_that_match_their_schemas()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        ArtifactSchemas.AssertValid("manifest.v1.json", project.Path_("target", "manifest.json"));
        ArtifactSchemas.AssertValid("run_results.v1.json", project.Path_("target", "run_results.json"));

        using var results = JsonDocument.Parse(File.ReadAllText(project.Path_("target", "run_results.json")));
        Assert.Equal(23, results.RootElement.GetProperty("results").GetArrayLength());
        Assert.Equal("build", results.RootElement.GetProperty("args").GetProperty("which").GetString());

        using var manifest = JsonDocument.Parse(File.ReadAllText(project.Path_("target", "manifest.json")));
        var fct = manifest.RootElement.GetProperty("nodes").GetProperty("model.workshop.fct_work_orders");
        Assert.Equal(["model.workshop.order_costs", "model.workshop.stg_work_orders"], fct.GetProperty("depends_on").GetProperty("nodes").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.StartsWith("Why the vehicle came in", manifest.RootElement.GetProperty("nodes").GetProperty("model.workshop.stg_work_orders").GetProperty("columns").GetProperty("kind").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("model.workshop.dim_vehicles", manifest.RootElement.GetProperty("child_map").GetProperty("model.workshop.fct_work_orders").EnumerateArray().Select(e => e.GetString()));

        var docs = await project.RunAsync(DbtCommand.DocsGenerate);
        Assert.Equal(0, docs.Errored);
        ArtifactSchemas.AssertValid("catalog.v1.json", project.Path_("target", "catalog.json"));
        using var catalog = JsonDocument.Parse(File.ReadAllText(project.Path_("target", "catalog.json")));
        var dim = catalog.RootElement.GetProperty("nodes").GetProperty("model.workshop.dim_vehicles");
        Assert.Equal("BASE TABLE", dim.GetProperty("metadata").GetProperty("type").GetString());
        Assert.Equal(5, dim.GetProperty("columns").EnumerateObject().Count());
        Assert.False(catalog.RootElement.GetProperty("nodes").TryGetProperty("model.workshop.order_costs", out _));
        var site = File.ReadAllText(project.Path_("target", "index.html"));
        Assert.Contains("fetch(name", site, StringComparison.Ordinal);
        Assert.Contains("manifest.json", site, StringComparison.Ordinal);
        var source = catalog.RootElement.GetProperty("sources").GetProperty("source.workshop.garage.fleet");
        Assert.Equal("vehicles", source.GetProperty("metadata").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_broken_artifact_does_not_match_its_schema()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        await project.RunAsync(DbtCommand.Parse);
        var path = project.Path_("target", "manifest.json");
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        node["nodes"]!["model.workshop.dim_vehicles"]!.AsObject().Remove("fqn");
        File.WriteAllText(path, node.ToJsonString());
        var errors = ArtifactSchemas.Errors("manifest.v1.json", path);
        Assert.Contains(errors, e => e.StartsWith("/nodes/model.workshop.dim_vehicles", StringComparison.Ordinal) && e.Contains("fqn", StringComparison.Ordinal));
    }
}

/// <summary>The artifact JSON schemas of schemas/modeling, loaded once, and a check that names what does not match.</summary>
internal static class ArtifactSchemas
{
    private static readonly Lazy<Dictionary<string, JsonSchema>> Schemas = new(() =>
    {
        var build = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        var schemas = new Dictionary<string, JsonSchema>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "schemas"), "*.json").Order(StringComparer.Ordinal))
        {
            var schema = JsonSchema.FromFile(file, build);
            build.SchemaRegistry.Register(schema);
            schemas[Path.GetFileName(file)] = schema;
        }

        return schemas;
    });

    /// <summary>Where the artifact breaks the schema, one line per error (location: reason); empty when it matches.</summary>
    public static List<string> Errors(string schemaFile, string artifact)
    {
        var schema = Schemas.Value[schemaFile];
        using var document = JsonDocument.Parse(File.ReadAllText(artifact));
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
    }

    public static void AssertValid(string schemaFile, string artifact)
    {
        var errors = Errors(schemaFile, artifact);
        Assert.True(errors.Count == 0, $"{Path.GetFileName(artifact)} does not match {schemaFile}:\n" + string.Join("\n", errors.Take(20)));
    }

}

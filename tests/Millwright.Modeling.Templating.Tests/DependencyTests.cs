namespace Millwright.Modeling.Templating.Tests;

/// <summary>The templating engine knows nothing of Millwright and needs no package.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void Templating_references_no_other_millwright_assembly_and_no_package()
    {
        var references = typeof(TemplateEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(references, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r == "netstandard", $"Templating references {r}"));
    }
}

namespace Millwright.Modeling.Tests;

/// <summary>The engine knows no web, no CLI and no orchestrator.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void Modeling_references_only_templating_the_warehouse_and_its_parsers()
    {
        var references = typeof(DbtCommand).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("Millwright.Modeling.Templating", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("System.CommandLine", StringComparison.Ordinal)
            || r.StartsWith("Spectre", StringComparison.Ordinal) || r is "Millwright.Web" or "Millwright.Cli" or "Millwright.Orchestration" or "Millwright.Operations" or "Millwright.Domain");
    }
}

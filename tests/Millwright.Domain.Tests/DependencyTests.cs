namespace Millwright.Domain.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void The_domain_depends_on_the_base_class_library_only()
    {
        var references = typeof(Entity).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System.", StringComparison.Ordinal) || name == "netstandard", $"the domain references {name}"));
    }
}

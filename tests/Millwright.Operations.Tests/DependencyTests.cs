namespace Millwright.Operations.Tests;

public sealed class DependencyTests
{
    [Fact]
    public void The_operations_engine_knows_no_web_and_no_cli()
    {
        var references = typeof(ServiceOrders).Assembly.GetReferencedAssemblies()
            .Concat(typeof(Data.OperationsDbContext).Assembly.GetReferencedAssemblies())
            .Select(a => a.Name!)
            .ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name is "System.CommandLine" or "Spectre.Console" or "Millwright.Web" or "Millwright.Cli" or "Millwright.Warehouse");
    }
}

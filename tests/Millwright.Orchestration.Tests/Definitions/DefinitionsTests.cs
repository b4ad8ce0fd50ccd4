using Millwright.Orchestration.Definitions;

namespace Millwright.Orchestration.Tests.Definitions;

public sealed class DefinitionsTests
{
    private static readonly AssetCompute Noop = _ => Task.CompletedTask;

    internal static Orchestration.Definitions.Definitions Plant() => Orchestration.Definitions.Definitions.Builder()
        .External(new AssetSpec("raw/readings") { Group = "raw" })
        .Asset("raw/orders", Noop, a => a.Group("raw").Tag("domain", "shop"))
        .Asset("stg/readings", Noop, a => a.DependsOn("raw/readings").Group("staging").Kinds("sql").Owners("team:reliability"))
        .Asset("stg/orders", Noop, a => a.DependsOn("raw/orders").Group("staging").Tag("domain", "shop"))
        .Asset("fct/downtime", Noop, a => a.DependsOn("stg/readings", "stg/orders").Group("marts"))
        .Asset("rpt/oee", Noop, a => a.DependsOn("fct/downtime").Group("marts").Tag("tier", "gold"))
        .Build();

    [Theory]
    [InlineData("rpt/oee", "rpt/oee")]
    [InlineData("+fct/downtime", "raw/orders raw/readings stg/orders stg/readings fct/downtime")]
    [InlineData("1+fct/downtime", "stg/orders stg/readings fct/downtime")]
    [InlineData("stg/readings+", "stg/readings fct/downtime rpt/oee")]
    [InlineData("stg/readings+1", "stg/readings fct/downtime")]
    [InlineData("@stg/orders", "raw/orders raw/readings stg/orders stg/readings fct/downtime rpt/oee")]
    [InlineData("group:staging", "stg/orders stg/readings")]
    [InlineData("stg/*", "stg/orders stg/readings")]
    [InlineData("tag:domain=shop", "raw/orders stg/orders")]
    [InlineData("tag:tier", "rpt/oee")]
    [InlineData("kind:sql owner:team:*", "stg/readings")]
    [InlineData("group:staging,tag:domain", "stg/orders")]
    [InlineData("raw/orders rpt/oee", "raw/orders rpt/oee")]
    public void Selection_follows_the_modeling_syntax(string selection, string expected)
    {
        var selected = Plant().Select(selection);
        Assert.Equal(expected.Split(' ').Order(), selected.Select(k => k.Path).Order());
    }

    [Fact]
    public void Selection_is_in_dependency_order_and_exclude_removes()
    {
        var selected = AssetSelection.Select(Plant(), "*", "group:raw");
        Assert.Equal(["stg/orders", "stg/readings", "fct/downtime", "rpt/oee"], selected.Select(k => k.Path));
    }

    [Fact]
    public void An_unknown_asset_in_a_selection_is_named_with_a_suggestion()
    {
        var e = Assert.Throws<OrchestrationException>(() => Plant().Select("+downtime"));
        Assert.Contains("no asset downtime", e.Message, StringComparison.Ordinal);
        Assert.Contains("fct/downtime", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown method 'colour:'", Assert.Throws<OrchestrationException>(() => Plant().Select("colour:red")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_dependency_a_duplicate_and_a_cycle_are_refused_by_name()
    {
        var missing = Assert.Throws<OrchestrationException>(() => Orchestration.Definitions.Definitions.Builder().Asset("a", Noop, a => a.DependsOn("ghost")).Build());
        Assert.Equal("asset a depends on ghost, which is not defined", missing.Message);

        var twice = Assert.Throws<OrchestrationException>(() => Orchestration.Definitions.Definitions.Builder().Asset("a", Noop).Asset("a", Noop).Build());
        Assert.Contains("asset a is defined twice", twice.Message, StringComparison.Ordinal);

        var cycle = Assert.Throws<OrchestrationException>(() => Orchestration.Definitions.Definitions.Builder()
            .Asset("a", Noop, a => a.DependsOn("c")).Asset("b", Noop, a => a.DependsOn("a")).Asset("c", Noop, a => a.DependsOn("b")).Asset("d", Noop).Build());
        Assert.Contains("cycle", cycle.Message, StringComparison.Ordinal);
        Assert.Contains("a -> b -> c -> a", cycle.Message, StringComparison.Ordinal);

        var pool = Assert.Throws<OrchestrationException>(() => Orchestration.Definitions.Definitions.Builder().Asset("a", Noop, a => a.Pool("duckdb")).Build());
        Assert.Contains("pool 'duckdb', which is not defined", pool.Message, StringComparison.Ordinal);

        Assert.Throws<OrchestrationException>(() => new AssetKey("bad key"));
    }

    [Fact]
    public void Groups_default_to_the_key_prefix()
    {
        var defs = Orchestration.Definitions.Definitions.Builder().Asset("raw/x", Noop).Asset("y", Noop).Build();
        Assert.Equal(["raw", "default"], defs.Assets.Select(a => a.GroupName));
    }
}

public sealed class DependencyRulesTests
{
    [Fact]
    public void The_orchestrator_knows_no_modeling_engine_no_web_and_no_cli()
    {
        var references = typeof(Orchestrator).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, r => r.StartsWith("Millwright.", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || r.StartsWith("System.CommandLine", StringComparison.Ordinal) || r.StartsWith("Spectre", StringComparison.Ordinal));
    }
}

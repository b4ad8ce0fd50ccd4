namespace Millwright.Modeling.Tests.Manifest;

/// <summary>Reading projects: configs, properties, warnings, and errors that name the file and line.</summary>
public sealed class ParsingTests
{
    private static async Task<(TestProject Project, DbtRunSummary Summary)> ListAsync(Action<TestProject>? change = null)
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        change?.Invoke(project);
        var summary = await project.RunAsync(DbtCommand.List);
        return (project, summary);
    }

    [Fact]
    public async Task The_fixture_parses_into_models_seeds_tests_and_a_manifest()
    {
        var (project, summary) = await ListAsync();
        await using var _ = project;
        Assert.Equal(7, summary.Nodes.Count(n => n.ResourceType == "model"));
        Assert.Contains(summary.Nodes, n => n.Selector == "source:workshop.garage.fleet" && n.Relation == "workshop.main.vehicles");
        Assert.Equal(3, summary.Nodes.Count(n => n.ResourceType == "seed"));
        Assert.Equal(14, summary.Nodes.Count(n => n.ResourceType == "test"));
        Assert.Contains(summary.Nodes, n => n.Selector == "workshop.staging.stg_vehicles" && n.Relation == $"{Path.GetFileName("workshop")}.main.stg_vehicles");
        Assert.True(File.Exists(project.Path_("target", "manifest.json")));
        Assert.Empty(summary.Warnings);
    }

    [Fact]
    public async Task Unknown_keys_warn_with_file_and_line()
    {
        var (project, summary) = await ListAsync(p =>
        {
            File.AppendAllText(p.Path_("dbt_project.yml"), "\nmodel-pathz: [\"x\"]\n");
            p.Write("models/extra.yml", "version: 2\nmodels:\n  - name: order_costs\n    descripton: typo\n");
        });
        await using var _ = project;
        Assert.Contains(summary.Warnings, w => w.StartsWith("dbt_project.yml:", StringComparison.Ordinal) && w.Contains("unknown key 'model-pathz'", StringComparison.Ordinal));
        Assert.Contains(summary.Warnings, w => w == "models/extra.yml:4: unknown key 'descripton' in model 'order_costs' is ignored");
    }

    [Fact]
    public async Task Malformed_yaml_fails_naming_the_file_and_line()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/broken.yml", "version: 2\nmodels:\n  - name: a\n   description: [unclosed\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.StartsWith("models/broken.yml:4:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Yaml_nested_deeper_than_any_person_writes_is_refused_with_its_position_not_a_crash()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/deep.yml", "version: 2\nmodels: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.StartsWith("models/deep.yml:2:264: invalid YAML: nested deeper than 256 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_error_names_the_model_file_line_and_column()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/marts/bad.sql", "select 1\n{% if %}\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Contains("models/marts/bad.sql:2:7", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cycle_is_reported_with_its_nodes()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/a.sql", "select * from {{ ref('b') }}");
        project.Write("models/b.sql", "select * from {{ ref('a') }}");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Equal("Found a cycle: model.workshop.a --> model.workshop.b --> model.workshop.a", error.Message);
    }

    [Fact]
    public async Task A_ref_to_a_missing_or_disabled_model_names_both_ends()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/a.sql", "select * from {{ ref('ghost') }}");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Equal("model 'a' (models/a.sql) depends on a node named 'ghost' which was not found", error.Message);

        project.Write("models/a.sql", "select * from {{ ref('off') }}");
        project.Write("models/off.sql", "{{ config(enabled=false) }} select 1 as x");
        error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Contains("which is disabled", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configs_merge_project_tree_properties_and_in_file_config()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/marts/more.yml", "version: 2\nmodels:\n  - name: custom\n    config:\n      tags: ['finance']\n      alias: custom_alias\n      schema: ignored_by_the_file\n");
        project.Write("models/marts/custom.sql", "{{ config(schema='reporting', tags=['daily']) }}\nselect 1 as x");
        var summary = await project.RunAsync(DbtCommand.List, project.Options() with { ResourceTypes = ["model"] });
        Assert.Equal("workshop.main_reporting.custom_alias", summary.Nodes.Single(n => n.Name == "custom").Relation);
        var tagged = await project.RunAsync(DbtCommand.List, project.Options("tag:marts,tag:daily,tag:finance") with { ResourceTypes = ["model"] });
        Assert.Equal("custom", Assert.Single(tagged.Nodes).Name);
    }

    [Fact]
    public async Task Jinja_in_the_project_config_tree_renders_with_target_and_vars()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        var text = File.ReadAllText(project.Path_("dbt_project.yml"))
            .Replace("      +tags: [\"marts\"]", "      +tags: [\"marts\"]\n      +schema: \"{{ 'reporting' if target.name == 'dev' else 'other' }}_{{ var('labor_rate') }}\"", StringComparison.Ordinal);
        File.WriteAllText(project.Path_("dbt_project.yml"), text);
        var summary = await project.RunAsync(DbtCommand.List, project.Options("dim_vehicles") with { ResourceTypes = ["model"] });
        Assert.Equal("workshop.main_reporting_80.dim_vehicles", Assert.Single(summary.Nodes).Relation);
    }

    [Fact]
    public async Task A_generic_test_that_does_not_exist_is_a_clear_error()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/more.yml", "version: 2\nmodels:\n  - name: order_costs\n    columns:\n      - name: order_id\n        tests: [is_even]\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Contains("models/more.yml: model 'order_costs' uses test 'is_even'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_described_in_two_properties_files_is_an_error()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        project.Write("models/more.yml", "version: 2\nmodels:\n  - name: dim_vehicles\n    description: again\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Parse));
        Assert.Contains("model 'dim_vehicles' is described twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vars_come_from_the_command_line_before_the_project()
    {
        var project = TestProject.Copy("workshop", Engine.DuckDb);
        await using var _ = project;
        var summary = await project.RunAsync(DbtCommand.Compile, project.Options("fct_work_orders") with { Vars = "{labor_rate: 95}" });
        Assert.Contains("* 95 as labor_cost", File.ReadAllText(project.Path_("target", "compiled", "workshop", "models", "marts", "fct_work_orders.sql")), StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Success, summary.Results.Single(r => r.Name == "fct_work_orders").Status);
    }
}

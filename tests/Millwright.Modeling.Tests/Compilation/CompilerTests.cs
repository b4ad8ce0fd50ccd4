using Millwright.Modeling.Compilation;
using Millwright.Modeling.Manifest;

namespace Millwright.Modeling.Tests.Compilation;

public sealed class CompilerTests
{
    private static ManifestNode Ephemeral(string name) => new()
    {
        UniqueId = "model.p." + name,
        Name = name,
        Type = NodeType.Model,
        Package = "p",
        OriginalFilePath = $"models/{name}.sql",
        Path = name + ".sql",
        Fqn = ["p", name],
    };

    [Fact]
    public void Ctes_merge_into_a_query_that_has_its_own_with()
    {
        var sql = Compiler.InjectCtes("-- leading comment\nWITH x as (select 1)\nselect * from x", [(Ephemeral("e"), "select 2 as y\n")]);
        Assert.Equal("-- leading comment\nWITH __dbt__cte__e as (\nselect 2 as y\n),\nx as (select 1)\nselect * from x", sql);
    }

    [Fact]
    public void Ctes_go_in_front_of_a_query_without_with()
    {
        var sql = Compiler.InjectCtes("\n/* c */ select * from __dbt__cte__a", [(Ephemeral("a"), "select 1"), (Ephemeral("b"), "select 2")]);
        Assert.Equal("\n/* c */ with __dbt__cte__a as (\nselect 1\n),\n__dbt__cte__b as (\nselect 2\n)\nselect * from __dbt__cte__a", sql);
    }

    [Fact]
    public async Task Compile_writes_sql_with_refs_resolved_and_ephemerals_inlined()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        var summary = await project.RunAsync(DbtCommand.Compile);
        Assert.Equal(0, summary.Errored);
        var fct = File.ReadAllText(project.Path_("target", "compiled", "workshop", "models", "marts", "fct_work_orders.sql"));
        Assert.StartsWith("with __dbt__cte__order_costs as (", fct, StringComparison.Ordinal);
        Assert.Contains("from \"workshop\".\"main\".\"stg_parts_used\"", fct, StringComparison.Ordinal);
        Assert.Contains("left join __dbt__cte__order_costs as costs", fct, StringComparison.Ordinal);
        Assert.Contains("case when orders.kind = 'breakdown' then 1 else 0 end as is_breakdown,\n    orders.labor_hours", fct, StringComparison.Ordinal);
        var test = File.ReadAllText(Directory.GetFiles(project.Path_("target", "compiled", "workshop", "models", "staging", "schema.yml"), "relationships_stg_work_orders_*.sql").Single());
        Assert.Contains("from \"workshop\".\"main\".\"stg_vehicles\"", test, StringComparison.Ordinal);
        Assert.Contains("from \"workshop\".\"main\".\"stg_work_orders\"", test, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_where_config_filters_what_a_test_sees()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        project.Write("models/fleet.sql", "select * from {{ ref('stg_vehicles') }}");
        project.Write("models/fleet.yml", "version: 2\nmodels:\n  - name: fleet\n    columns:\n      - name: battery_kwh\n        tests:\n          - not_null:\n              config:\n                where: \"battery_kwh > 5\"\n");
        await project.RunAsync(DbtCommand.Compile, "fleet");
        var sql = File.ReadAllText(Directory.GetFiles(project.Path_("target", "compiled"), "not_null_fleet_battery_kwh.sql", SearchOption.AllDirectories).Single());
        Assert.Contains("(select * from \"workshop\".\"main\".\"fleet\" where battery_kwh > 5) dbt_subquery", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Project_macros_override_generic_tests_and_schema_naming()
    {
        await using var project = TestProject.Copy("workshop", Engine.DuckDb);
        project.Write("macros/overrides.sql", """
            {% macro generate_schema_name(custom_schema_name, node) -%}
                {{ custom_schema_name | trim if custom_schema_name else target.schema }}
            {%- endmacro %}
            {% test not_null(model, column_name) %}
            select 'mine' as marker from {{ model }} where {{ column_name }} is null
            {% endtest %}
            """);
        project.Write("models/reporting.sql", "{{ config(schema='reporting') }} select 1 as x");
        var summary = await project.RunAsync(DbtCommand.Compile, "reporting stg_vehicles");
        Assert.Equal(0, summary.Errored);
        var listed = await project.RunAsync(DbtCommand.List, project.Options("reporting") with { ResourceTypes = ["model"] });
        Assert.Equal("workshop.reporting.reporting", listed.Nodes.Single().Relation);
        var test = File.ReadAllText(Directory.GetFiles(project.Path_("target", "compiled"), "not_null_stg_vehicles_vehicle_id.sql", SearchOption.AllDirectories).Single());
        Assert.Contains("'mine' as marker", test, StringComparison.Ordinal);
    }
}

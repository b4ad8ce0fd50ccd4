using Millwright.Warehouse;

namespace Millwright.Modeling.Tests.Execution;

/// <summary>The workshop fixture built end to end on each engine: seeds, views, tables, an ephemeral model, generic and singular tests.</summary>
public abstract class BuildTests(Engine engine)
{
    [Fact]
    public async Task Build_runs_seeds_models_and_tests_in_dependency_order_and_the_marts_hold_the_right_figures()
    {
        await using var project = TestProject.Copy("workshop", engine);
        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Where(r => r.Status is not (NodeStatus.Pass or NodeStatus.Success)).Select(r => r.Name + ": " + r.Message)));
        Assert.Equal(23, summary.Passed);
        Assert.Equal((3, 6, 14), (summary.Results.Count(r => r.ResourceType == "seed"), summary.Results.Count(r => r.ResourceType == "model"), summary.Results.Count(r => r.ResourceType == "test")));
        var finished = summary.Results.ToDictionary(r => r.Name, r => r.Index);
        Assert.True(finished["stg_work_orders"] < finished["fct_work_orders"]);
        Assert.True(finished["not_null_stg_work_orders_order_id"] < finished["fct_work_orders"], "a test gates the models downstream of what it tests");

        Assert.Equal(6L, (long)await project.NumberAsync("select count(*) from {schema}.dim_vehicles"));
        Assert.Equal(1386.5m, await project.NumberAsync("select sum(maintenance_cost) from {schema}.dim_vehicles"));
        Assert.Equal(589m, await project.NumberAsync("select maintenance_cost from {schema}.dim_vehicles where vehicle_id = 5"));
        Assert.Equal(0L, (long)await project.NumberAsync("select work_orders from {schema}.dim_vehicles where vehicle_id = 4"));
        Assert.Equal(626.5m, await project.NumberAsync("select sum(parts_cost) from {schema}.fct_work_orders"));
        Assert.Equal(5m, await project.NumberAsync("select in_service from {schema}.fleet_summary"));

        await using var warehouse = project.OpenWarehouse();
        Assert.Equal(RelationKind.View, (await warehouse.GetRelationAsync(new RelationName(project.Schema, "stg_vehicles"), TestContext.Current.CancellationToken))!.Kind);
        Assert.Equal(RelationKind.Table, (await warehouse.GetRelationAsync(new RelationName(project.Schema, "dim_vehicles"), TestContext.Current.CancellationToken))!.Kind);
        Assert.Null(await warehouse.GetRelationAsync(new RelationName(project.Schema, "order_costs"), TestContext.Current.CancellationToken));
        var openedOn = (await warehouse.GetColumnsAsync(new RelationName(project.Schema, "work_orders"), TestContext.Current.CancellationToken)).Single(c => c.Name == "opened_on");
        Assert.Equal(LogicalType.Date, openedOn.Type);
    }

    [Fact]
    public async Task Generic_tests_in_tests_generic_are_found_and_neither_they_nor_fixtures_run_as_singular_tests()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("seeds/amounts.csv", "id,amount,unused\n1,5,\n2,-3,\n");
        project.Write("tests/generic/is_positive.sql", "{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n");
        project.Write("tests/fixtures/expected_amounts.sql", "select 1 as id, 5 as amount");
        project.Write("tests/no_missing_ids.sql", "select * from {{ ref('amounts') }} where id is null");
        project.Write("seeds/schema.yml", "version: 2\nseeds:\n  - name: amounts\n    columns:\n      - name: amount\n        tests: [is_positive]\n");

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.Equal(["amounts", "is_positive_amounts_amount", "no_missing_ids"], summary.Results.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal(NodeStatus.Fail, summary.Results.Single(r => r.Name == "is_positive_amounts_amount").Status);
        Assert.Equal(NodeStatus.Pass, summary.Results.Single(r => r.Name == "no_missing_ids").Status);
        await using var warehouse = project.OpenWarehouse();
        var unused = (await warehouse.GetColumnsAsync(new RelationName(project.Schema, "amounts"), TestContext.Current.CancellationToken)).Single(c => c.Name == "unused");
        Assert.Equal(LogicalType.Int32, unused.Type); // dbt types a column with no values as an integer
    }

    [Fact]
    public async Task A_generic_test_gets_its_model_as_a_relation_and_its_definitions_config_applies()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("seeds/counts.csv", "id,n\n1,2\n2,2\n3,5\n");
        // As dbt-utils checks its arguments: a relation is a mapping whose metadata type ends with Relation.
        project.Write("tests/generic/rows_match.sql", """
            {% test rows_match(model, compare_model) %}
            {{ config(fail_calc='sum(diff)', warn_if='> 100') }}
            {%- if not (model is mapping and model.get('metadata', {}).get('type', '').endswith('Relation')) -%}
                {{ exceptions.raise_compiler_error("expected a Relation but received " ~ model) }}
            {%- endif %}
            select abs(a.c - b.c) as diff, '{{ model.identifier }}' as checked
            from (select count(*) as c from {{ model }}) a
            cross join (select count(*) as c from {{ compare_model }}) b
            {% endtest %}
            """);
        project.Write("tests/generic/n_below.sql", """
            {% test n_below(model, threshold) %}
            {{ config(severity='warn') }}
            select * from {{ model }} where n >= {{ threshold }}
            {% endtest %}
            """);
        project.Write("models/same.sql", "select id from {{ ref('counts') }}");
        project.Write("models/fewer.sql", "select id, n from {{ ref('counts') }} where id < 3");
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: same
                tests:
                  - rows_match: {compare_model: ref('counts')}
              - name: fewer
                tests:
                  - rows_match: {compare_model: ref('counts')}
                  - rows_match:
                      name: rows_match_fewer_loosely
                      compare_model: ref('counts')
                      config: {error_if: '> 5', warn_if: '> 5'}
                  - n_below:
                      threshold: 2
                      config: {severity: error}
            seeds:
              - name: counts
                tests:
                  - n_below: {threshold: 3}
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        var tests = summary.Results.Where(r => r.Name.StartsWith("rows_match", StringComparison.Ordinal) || r.Name.StartsWith("n_below", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, tests.Count);
        // fail_calc from the definition: the failures are the summed difference (1), not the row count
        Assert.Equal(NodeStatus.Pass, tests.Single(r => r.Name.Contains("same", StringComparison.Ordinal)).Status);
        var fewer = tests.Where(r => r.Name.Contains("fewer", StringComparison.Ordinal)).ToList();
        Assert.Contains(fewer, r => r.Status == NodeStatus.Fail && r.Failures == 1);
        Assert.Contains(fewer, r => r.Status == NodeStatus.Pass); // the instance's own config wins over the definition's
        // severity from the definition (warn), and the instance's config overriding it (error)
        var below = tests.Where(r => r.Name.StartsWith("n_below", StringComparison.Ordinal)).OrderBy(r => r.Status).ToList();
        Assert.Equal([NodeStatus.Fail, NodeStatus.Warn], below.Select(r => r.Status).Order());
    }

    [Fact]
    public async Task Jinja_in_project_configs_vars_and_properties_configs_renders_to_native_values()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Append("dbt_project.yml", """
            vars:
              include_legacy: "False"
              lookback: "{{ env_var('MW_NO_SUCH_VARIABLE_7', '7') | int }}"
              regions: "{{ ['north', 'south'] }}"
              code: "{{ env_var('MW_NO_SUCH_VARIABLE_8', '007') }}"
            models:
              shop:
                legacy:
                  +enabled: "{{ var('include_legacy') }}"
            """);
        project.Write("models/legacy/old_orders.sql", "select 1 as id");
        project.Write("seeds/rates.csv", "code,rate\na,1\n");
        project.Write("seeds/rates.yml", "version: 2\nseeds:\n  - name: rates\n    config:\n      column_types:\n        rate: \"{{ 'decimal(10, 3)' if var('lookback') > 3 else 'integer' }}\"\n");
        project.Write("models/current.sql", "select {{ var('lookback') + 1 }} as days, {{ var('regions') | length }} as regions, '{{ var('code') }}' as code");
        project.Write("models/retired.sql", "select 1 as id");
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: retired
                config:
                  enabled: "{{ var('include_legacy') }}"
              - name: current
                columns:
                  - name: days
                    tests:
                      - accepted_values:
                          values: [1]
                          config:
                            severity: "{{ 'warn' if var('lookback') > 3 else 'error' }}"
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.Equal(["accepted_values_current_days__1", "current", "rates"], summary.Results.Select(r => r.Name).Order(StringComparer.Ordinal));
        await using (var warehouse = project.OpenWarehouse())
        {
            var rate = (await warehouse.GetColumnsAsync(new RelationName(project.Schema, "rates"), TestContext.Current.CancellationToken)).Single(c => c.Name == "rate");
            Assert.Equal(LogicalType.Decimal, rate.Type);
        }

        Assert.Equal(NodeStatus.Warn, summary.Results.Single(r => r.Name.StartsWith("accepted", StringComparison.Ordinal)).Status);
        Assert.Equal((8m, 2m), (await project.NumberAsync("select days from {schema}.current"), await project.NumberAsync("select regions from {schema}.current")));
        Assert.Equal("007", await project.ScalarAsync("select code from {schema}.current")); // leading zeros: text, as Python reads it
    }

    [Fact]
    public async Task Seed_quote_columns_false_names_columns_as_the_engine_names_unquoted_identifiers()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Append("dbt_project.yml", "seeds:\n  shop:\n    plain:\n      +quote_columns: false\n");
        project.Write("seeds/plain.csv", "Kind,Qty\na,1\nb,2\n");
        project.Write("seeds/quoted.csv", "Kind,Qty\na,3\n");
        project.Write("models/totals.sql", """
            select sum(p.qty) + sum(q."Qty") as total, count(distinct p.kind) as kinds
            from {{ ref('plain') }} p cross join {{ ref('quoted') }} q
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Name + ": " + r.Message)));
        Assert.Equal(9m, await project.NumberAsync("select total from {schema}.totals"));
        await using var warehouse = project.OpenWarehouse();
        var quoted = await warehouse.GetColumnsAsync(new RelationName(project.Schema, "quoted"), TestContext.Current.CancellationToken);
        Assert.Equal(["Kind", "Qty"], quoted.Select(c => c.Name));
    }

    [Fact]
    public async Task An_installed_package_contributes_its_models_seeds_sources_and_tests_under_its_own_config()
    {
        await using var project = TestProject.Create("shop", engine);
        var vendor = project.Path_("vendor", "fleet_kit");
        project.Write("vendor/fleet_kit/dbt_project.yml", """
            name: fleet_kit
            version: '2.0.0'
            config-version: 2
            models:
              fleet_kit:
                +materialized: table
                legacy:
                  +enabled: false
            """);
        project.Write("vendor/fleet_kit/seeds/fleet_codes.csv", "code,label\nEV,electric\nICE,combustion\n");
        project.Write("vendor/fleet_kit/macros/upper_label.sql", "{% macro upper_label(column) %}upper({{ column }}){% endmacro %}");
        project.Write("vendor/fleet_kit/models/fleet_labels.sql", "select code, {{ upper_label('label') }} as label from {{ ref('fleet_codes') }}");
        project.Write("vendor/fleet_kit/models/legacy/old_labels.sql", "select 1 as id");
        project.Write("vendor/fleet_kit/models/schema.yml", """
            version: 2
            models:
              - name: fleet_labels
                columns:
                  - name: code
                    tests: [unique, not_null]
            """);
        project.Write("packages.yml", "packages:\n  - local: vendor/fleet_kit\n");
        project.Append("dbt_project.yml", "models:\n  fleet_kit:\n    +tags: [vendored]\n");
        project.Write("models/vehicles.sql", "select 'EV' as code, 1 as vehicle_id");
        project.Write("models/labelled.sql", "select v.vehicle_id, l.label from {{ ref('vehicles') }} v join {{ ref('fleet_kit', 'fleet_labels') }} l on l.code = v.code");
        await project.RunAsync(DbtCommand.Deps);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Name + ": " + r.Message)));
        Assert.Equal(
            ["fleet_codes", "fleet_labels", "labelled", "not_null_fleet_labels_code", "unique_fleet_labels_code", "vehicles"],
            summary.Results.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal("ELECTRIC", await project.ScalarAsync("select label from {schema}.labelled"));
        await using var warehouse = project.OpenWarehouse();
        Assert.Equal(RelationKind.Table, (await warehouse.GetRelationAsync(new RelationName(project.Schema, "fleet_labels"), TestContext.Current.CancellationToken))!.Kind);
        Assert.Null(await warehouse.GetRelationAsync(new RelationName(project.Schema, "old_labels"), TestContext.Current.CancellationToken));
        var listed = await project.RunAsync(DbtCommand.List, project.Options("tag:vendored") with { ResourceTypes = ["model", "seed"] });
        Assert.Equal(["fleet_kit.fleet_labels"], listed.Nodes.Select(n => n.Selector));
    }

    [Fact]
    public async Task Two_tests_whose_arguments_flatten_to_one_name_are_both_kept()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("seeds/parts.csv", "sku,label\n1,a b\n2,a_b\n");
        project.Write("seeds/schema.yml", """
            version: 2
            seeds:
              - name: parts
                columns:
                  - name: label
                    tests:
                      - accepted_values: {values: ['a b']}
                      - accepted_values: {values: ['a_b']}
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        var tests = summary.Results.Where(r => r.Name.StartsWith("accepted_values", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, tests.Count);
        Assert.Single(tests.Select(t => t.Name).Distinct());
        Assert.All(tests, t => Assert.Equal(NodeStatus.Fail, t.Status)); // each rejects the other's value
        Assert.All(tests, t => Assert.Equal(1, t.Failures));
    }

    [Fact]
    public async Task Tests_of_a_disabled_model_or_of_one_declared_only_in_yaml_are_dropped_with_a_warning()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("models/orders.sql", "select 1 as id");
        project.Write("models/retired.sql", "{{ config(enabled=false) }}\nselect 1 as id");
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: orders
                columns: [{name: id, tests: [not_null]}]
              - name: retired
                columns: [{name: id, tests: [unique]}]
              - name: planned
                columns: [{name: id, tests: [not_null]}]
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("; ", summary.Results.Select(r => r.Name + ": " + r.Message)));
        Assert.Equal(["not_null_orders_id", "orders"], summary.Results.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Contains(summary.Warnings, w => w.Contains("test 'unique_retired_id'", StringComparison.Ordinal) && w.Contains("'retired', which is disabled", StringComparison.Ordinal));
        Assert.Contains(summary.Warnings, w => w.Contains("test 'not_null_planned_id'", StringComparison.Ordinal) && w.Contains("'planned', which has no model, seed or snapshot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Building_twice_replaces_every_relation_and_reloads_seeds_without_duplicates()
    {
        await using var project = TestProject.Copy("workshop", engine);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        var second = await project.RunAsync(DbtCommand.Build);
        Assert.True(second.Succeeded);
        Assert.Equal(8L, (long)await project.NumberAsync("select count(*) from {schema}.work_orders"));
    }

    [Fact]
    public async Task A_failing_model_keeps_its_previous_relation_and_the_nodes_downstream_are_skipped()
    {
        await using var project = TestProject.Copy("workshop", engine);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        project.Write("models/staging/stg_vehicles.sql", "select vehicle_id, no_such_column from {{ ref('vehicles') }}");

        var summary = await project.RunAsync(DbtCommand.Run);

        var failed = Assert.Single(summary.Results, r => r.Status == NodeStatus.Error);
        Assert.Equal("stg_vehicles", failed.Name);
        Assert.Contains("no_such_column", failed.Message, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Skipped, summary.Results.Single(r => r.Name == "dim_vehicles").Status);
        Assert.Equal(NodeStatus.Success, summary.Results.Single(r => r.Name == "fct_work_orders").Status);
        Assert.Equal(6L, (long)await project.NumberAsync("select count(*) from {schema}.stg_vehicles"));
        await using var warehouse = project.OpenWarehouse();
        Assert.Equal("vehicle_model", (await warehouse.GetColumnsAsync(new RelationName(project.Schema, "stg_vehicles"), TestContext.Current.CancellationToken))[2].Name);
    }

    [Fact]
    public async Task Tests_report_fail_and_warn_by_severity_and_thresholds_and_a_failed_test_skips_what_depends_on_it()
    {
        await using var project = TestProject.Copy("workshop", engine);
        // More columns of stg_parts_used, the last entry of the staging properties file.
        project.Append("models/staging/schema.yml", """
                  - name: part
                    tests:
                      - accepted_values:
                          name: only_brake_pads
                          values: ['brake pad']
                          config:
                            warn_if: '>1'
                            error_if: '>10'
                  - name: quantity
                    tests:
                      - accepted_values:
                          name: single_items_only
                          values: [1]
                          quote: false

            """);
        var summary = await project.RunAsync(DbtCommand.Build);

        var warned = summary.Results.Single(r => r.Name == "only_brake_pads");
        Assert.Equal(NodeStatus.Warn, warned.Status);
        Assert.Equal(7L, warned.Failures);
        var failed = summary.Results.Single(r => r.Name == "single_items_only");
        Assert.Equal(NodeStatus.Fail, failed.Status);
        Assert.Equal(3L, failed.Failures);
        Assert.Contains("configured to fail if != 0", failed.Message, StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Skipped, summary.Results.Single(r => r.Name == "fct_work_orders").Status);
        Assert.Equal(NodeStatus.Skipped, summary.Results.Single(r => r.Name == "dim_vehicles").Status);
        Assert.Equal(NodeStatus.Success, summary.Results.Single(r => r.Name == "stg_vehicles").Status);
        Assert.False(summary.Succeeded);
    }

    [Fact]
    public async Task Store_failures_keeps_the_failing_rows_in_the_audit_schema()
    {
        await using var project = TestProject.Copy("workshop", engine);
        project.Write("tests/no_breakdowns.sql", "{{ config(severity='warn') }}\nselect order_id, kind from {{ ref('stg_work_orders') }} where kind = 'breakdown'");
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);

        var summary = await project.RunAsync(DbtCommand.Test, project.Options("no_breakdowns") with { StoreFailures = true });

        var result = Assert.Single(summary.Results);
        Assert.Equal(NodeStatus.Warn, result.Status);
        Assert.Equal(2L, (long)await project.NumberAsync($"select count(*) from {project.Schema}_dbt_test__audit.no_breakdowns"));
    }

    [Fact]
    public async Task Fail_fast_stops_at_the_first_failure()
    {
        await using var project = TestProject.Copy("workshop", engine);
        project.Write("models/staging/stg_vehicles.sql", "select broken from nowhere_at_all");
        var summary = await project.RunAsync(DbtCommand.Build, project.Options() with { FailFast = true, Threads = 1 });
        Assert.Equal(1, summary.Errored);
        Assert.True(summary.Skipped > 10);
        Assert.Contains(summary.Results, r => r.Status == NodeStatus.Skipped && r.Message.Contains("--fail-fast", StringComparison.Ordinal));
    }
}

/// <summary>The behaviours of dbt-adapters' basic scenarios, rebuilt on the workshop fixture.</summary>
public abstract class BasicScenarioTests(Engine engine)
{
    [Fact]
    public async Task Changing_a_models_materialization_swaps_the_relation_kind_both_ways()
    {
        await using var project = TestProject.Copy("workshop", engine);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        var model = File.ReadAllText(project.Path_("models", "staging", "stg_vehicles.sql"));
        project.Write("models/staging/stg_vehicles.sql", "{{ config(materialized='table') }}\n" + model);
        Assert.True((await project.RunAsync(DbtCommand.Run, "stg_vehicles")).Succeeded);
        await using (var warehouse = project.OpenWarehouse())
        {
            Assert.Equal(RelationKind.Table, (await warehouse.GetRelationAsync(new RelationName(project.Schema, "stg_vehicles"), TestContext.Current.CancellationToken))!.Kind);
        }

        project.Write("models/staging/stg_vehicles.sql", model);
        Assert.True((await project.RunAsync(DbtCommand.Run, "stg_vehicles")).Succeeded);
        await using (var warehouse = project.OpenWarehouse())
        {
            Assert.Equal(RelationKind.View, (await warehouse.GetRelationAsync(new RelationName(project.Schema, "stg_vehicles"), TestContext.Current.CancellationToken))!.Kind);
        }

        Assert.Equal(6m, await project.NumberAsync("select count(*) from {schema}.stg_vehicles"));
    }

    [Fact]
    public async Task A_project_without_models_builds_with_nothing_to_do()
    {
        await using var project = TestProject.Copy("workshop", engine);
        foreach (var folder in new[] { "models", "seeds", "tests", "macros" })
        {
            Directory.Delete(project.Path_(folder), recursive: true);
        }

        var summary = await project.RunAsync(DbtCommand.Build);
        Assert.Empty(summary.Results);
        Assert.True(summary.Succeeded);
        Assert.Contains(summary.Warnings, w => w.Contains("config path 'workshop.staging' matches no resource", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_seed_whose_columns_change_is_rebuilt_and_a_malformed_file_names_its_line_and_loads_nothing()
    {
        await using var project = TestProject.Copy("workshop", engine);
        Assert.True((await project.RunAsync(DbtCommand.Seed, "vehicles")).Succeeded);
        var csv = File.ReadAllLines(project.Path_("seeds", "vehicles.csv"));
        project.Write("seeds/vehicles.csv", string.Join("\n", csv.Select((line, i) => line + (i == 0 ? ",depot" : ",north"))) + "\n");
        Assert.True((await project.RunAsync(DbtCommand.Seed, "vehicles")).Succeeded);
        Assert.Equal(6m, await project.NumberAsync("select count(*) from {schema}.vehicles where depot = 'north'"));

        project.Write("seeds/vehicles.csv", "vehicle_id,vin\n1,A\n2,B,extra\n");
        var summary = await project.RunAsync(DbtCommand.Seed, "vehicles");
        var failed = Assert.Single(summary.Results);
        Assert.Equal(NodeStatus.Error, failed.Status);
        Assert.Contains("seeds/vehicles.csv:3", failed.Message, StringComparison.Ordinal);
        Assert.Equal(6m, await project.NumberAsync("select count(*) from {schema}.vehicles"));
    }

    [Fact]
    public async Task Tests_that_read_two_models_gate_only_what_descends_from_both_so_every_node_of_a_star_schema_builds()
    {
        await using var project = TestProject.Create("star", engine);
        project.Write("models/stg_runs.sql", "select 1 as run_id, 20260101 as date_key");
        project.Write("models/dim_date.sql", "select date_key from {{ ref('stg_runs') }}");
        project.Write("models/fact_runs.sql", "select run_id, date_key from {{ ref('stg_runs') }}");
        project.Write("models/kpi_runs.sql", "select count(*) as runs from {{ ref('fact_runs') }}");
        project.Write("models/schema.yml", """
            version: 2
            models:
              - name: fact_runs
                columns:
                  - name: date_key
                    tests:
                      - relationships: {to: ref('dim_date'), field: date_key}
            """);
        // Reads staging and the KPI: under a rule that gated every child of staging, dim_date would wait on this test,
        // this test on kpi_runs, kpi_runs on the relationships test and that test on dim_date.
        project.Write("tests/kpi_counts_every_run.sql", "select 1 from {{ ref('kpi_runs') }} where runs <> (select count(*) from {{ ref('stg_runs') }})");

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded);
        Assert.Equal(["dim_date", "fact_runs", "kpi_counts_every_run", "kpi_runs", "relationships_fact_runs_date_key__date_key__ref_dim_date_", "stg_runs"], summary.Results.Select(r => r.Name).Order(StringComparer.Ordinal));
        var finished = summary.Results.ToDictionary(r => r.Name, r => r.Index);
        Assert.True(finished["relationships_fact_runs_date_key__date_key__ref_dim_date_"] > finished["dim_date"]);
    }

    [Fact]
    public async Task A_singular_test_that_returns_rows_fails_with_their_count()
    {
        await using var project = TestProject.Copy("workshop", engine);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        project.Write("tests/no_open_orders.sql", "select * from {{ ref('fct_work_orders') }} where status <> 'closed'");
        var summary = await project.RunAsync(DbtCommand.Test, "no_open_orders");
        var result = Assert.Single(summary.Results);
        Assert.Equal((NodeStatus.Fail, 2L), (result.Status, result.Failures));
    }
}

public sealed class DuckDbBasicScenarioTests() : BasicScenarioTests(Engine.DuckDb);

public sealed class PostgresBasicScenarioTests() : BasicScenarioTests(Engine.Postgres);

public sealed class DuckDbBuildTests() : BuildTests(Engine.DuckDb);

public sealed class PostgresBuildTests() : BuildTests(Engine.Postgres);

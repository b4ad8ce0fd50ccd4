namespace Millwright.Modeling.Tests.Execution;

/// <summary>dbt unit tests (unit_tests: in properties YAML): given rows in for a model's inputs, expected rows out.</summary>
public abstract class UnitTestTests(Engine engine)
{
    private static TestProject Project(Engine engine)
    {
        var project = TestProject.Create("shop", engine);
        project.Append("dbt_project.yml", "vars:\n  tier: gold\n");
        project.Write("seeds/customers.csv", "id,email\n1,ann@example.com\n2,bob@nowhere.test\n");
        project.Write("seeds/domains.csv", "tld\nexample.com\n");
        project.Write("macros/bonus.sql", "{% macro bonus_points() %}10{% endmacro %}");
        project.Write("models/stg_customers.sql", "select id, email, split_part(email, '@', 2) as domain from {{ ref('customers') }}");
        project.Write("models/dim_customers.sql", """
            {{ config(materialized='incremental', unique_key='id') }}
            select c.id, c.email,
                c.domain in (select tld from {{ ref('domains') }}) as valid_domain,
                '{{ var("tier") }}' as tier,
                {{ bonus_points() }} as bonus
            from {{ ref('stg_customers') }} c
            {% if is_incremental() %}
            where c.id > (select max(id) from {{ this }})
            {% endif %}
            """);
        project.Write("models/unit_tests.yml", """
            unit_tests:
              - name: flags_valid_domains
                model: dim_customers
                given:
                  - input: ref('stg_customers')
                    rows:
                      - {id: 1, email: a@example.com, domain: example.com}
                      - {id: 2, email: b@nowhere.test, domain: nowhere.test}
                  - input: ref('domains')
                    format: csv
                    rows: |
                      tld
                      example.com
                expect:
                  rows:
                    - {id: 1, valid_domain: true}
                    - {id: 2, valid_domain: false}
              - name: overrides_apply
                model: dim_customers
                overrides:
                  vars: {tier: platinum}
                  macros: {bonus_points: 99}
                given:
                  - input: ref("stg_customers")
                    format: sql
                    rows: "select 3 as id, 'c@example.com' as email, 'example.com' as domain"
                  - input: ref('domains')
                    rows: []
                expect:
                  format: csv
                  rows: |
                    id,tier,bonus,valid_domain
                    3,platinum,99,false
              - name: incremental_takes_only_new_rows
                model: dim_customers
                overrides:
                  macros: {is_incremental: true}
                given:
                  - input: ref('stg_customers')
                    rows: [{id: 1}, {id: 5}]
                  - input: ref('domains')
                    rows: []
                  - input: this
                    rows: [{id: 4}]
                expect:
                  rows: [{id: 5}]
            """);
        return project;
    }

    [Fact]
    public async Task Unit_tests_run_the_model_on_given_rows_with_formats_and_overrides()
    {
        await using var project = Project(engine);
        Assert.True((await project.RunAsync(DbtCommand.Build, project.Options() with { Exclude = ["test_type:unit"] })).Succeeded);

        var summary = await project.RunAsync(DbtCommand.Test, "test_type:unit");

        Assert.Equal(
            [("flags_valid_domains", NodeStatus.Pass), ("incremental_takes_only_new_rows", NodeStatus.Pass), ("overrides_apply", NodeStatus.Pass)],
            summary.Results.Select(r => (r.Name, r.Status)).OrderBy(r => r.Name, StringComparer.Ordinal));
        Assert.Equal(2m, await project.NumberAsync("select count(*) from {schema}.dim_customers"));
    }

    [Fact]
    public async Task A_ref_with_the_package_name_matches_its_given_input_either_way_round()
    {
        await using var project = Project(engine);
        project.Write("models/domain_counts.sql", "select domain, count(*) as customers from {{ ref('shop', 'stg_customers') }} group by domain");
        project.Append("models/unit_tests.yml", "\n" + """
              - name: model_names_the_package
                model: domain_counts
                given:
                  - input: ref('stg_customers')
                    rows: [{id: 1, domain: a.test}, {id: 2, domain: a.test}, {id: 3, domain: b.test}]
                expect:
                  rows: [{domain: a.test, customers: 2}, {domain: b.test, customers: 1}]
              - name: given_names_the_package
                model: dim_customers
                given:
                  - input: ref('shop', 'stg_customers')
                    rows: [{id: 7, email: g@example.com, domain: example.com}]
                  - input: ref('domains')
                    rows: [{tld: example.com}]
                expect:
                  rows: [{id: 7, valid_domain: true}]
            """);
        Assert.True((await project.RunAsync(DbtCommand.Build, project.Options() with { Exclude = ["test_type:unit"] })).Succeeded);

        var summary = await project.RunAsync(DbtCommand.Test, "test_type:unit");

        Assert.Equal(NodeStatus.Pass, summary.Results.Single(r => r.Name == "model_names_the_package").Status);
        Assert.Equal(NodeStatus.Pass, summary.Results.Single(r => r.Name == "given_names_the_package").Status);
    }

    [Fact]
    public async Task A_failing_unit_test_shows_the_differing_rows_and_keeps_its_model_from_being_built()
    {
        await using var project = Project(engine);
        project.Append("models/unit_tests.yml", "\n" + """
              - name: wrong_expectation
                model: dim_customers
                given:
                  - input: ref('stg_customers')
                    rows: [{id: 1, email: x@y.z, domain: y.z}]
                  - input: ref('domains')
                    rows: []
                expect:
                  rows: [{id: 1, valid_domain: true}]
            """);

        var summary = await project.RunAsync(DbtCommand.Build, "+dim_customers");

        var failed = Assert.Single(summary.Results, r => r.Status == NodeStatus.Fail);
        Assert.Equal("wrong_expectation", failed.Name);
        Assert.Equal(2, failed.Failures);
        Assert.Contains("actual differs from expected (2 rows)", failed.Message, StringComparison.Ordinal);
        Assert.Contains("actual | 1 | false", failed.Message.Replace("False", "false", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("expected | 1 | true", failed.Message.Replace("True", "true", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(NodeStatus.Skipped, summary.Results.Single(r => r.Name == "dim_customers").Status);
        Assert.Equal(NodeStatus.Success, summary.Results.Single(r => r.Name == "stg_customers").Status);
    }

    [Fact]
    public async Task A_unit_test_names_an_expected_column_the_model_does_not_return()
    {
        await using var project = Project(engine);
        project.Write("models/unit_tests.yml", """
            unit_tests:
              - name: misspelt
                model: dim_customers
                given:
                  - input: ref('stg_customers')
                    rows: [{id: 1}]
                  - input: ref('domains')
                    rows: []
                expect:
                  rows: [{id: 1, valid_domian: true}]
            """);

        var summary = await project.RunAsync(DbtCommand.Build);

        var error = Assert.Single(summary.Results, r => r.Status == NodeStatus.Error);
        Assert.Contains("unit test 'misspelt': expect: column 'valid_domian' is not among the columns model 'dim_customers' returns (id, email, valid_domain, tier, bonus)", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbUnitTestTests() : UnitTestTests(Engine.DuckDb);

public sealed class PostgresUnitTestTests() : UnitTestTests(Engine.Postgres);

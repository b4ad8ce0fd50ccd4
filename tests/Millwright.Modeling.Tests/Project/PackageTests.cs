namespace Millwright.Modeling.Tests.Project;

/// <summary>Local packages: deps installs them, their macros are namespaced, dispatch honours the project's search order.</summary>
public abstract class PackageTests(Engine engine)
{
    private TestProject ProjectWithPackage(out string packageDir)
    {
        var project = TestProject.Create("shop", engine);
        packageDir = project.Path_("vendor", "shop_utils");
        Directory.CreateDirectory(Path.Combine(packageDir, "macros"));
        File.WriteAllText(Path.Combine(packageDir, "dbt_project.yml"), "name: shop_utils\nversion: '0.3.0'\nconfig-version: 2\n");
        File.WriteAllText(Path.Combine(packageDir, "macros", "utils.sql"), """
            {% macro cents(column) -%} ({{ _scale(column) }}) {%- endmacro %}
            {% macro _scale(column) -%} {{ column }} / 100.0 {%- endmacro %}
            {% macro label(column) -%} {{ return(adapter.dispatch('label', 'shop_utils')(column)) }} {%- endmacro %}
            {% macro default__label(column) -%} 'package:' || {{ column }} {%- endmacro %}
            {% test positive(model, column_name) %}
            select * from {{ model }} where {{ column_name }} <= 0
            {% endtest %}
            """);
        project.Write("packages.yml", "packages:\n  - local: vendor/shop_utils\n");
        project.Write("seeds/orders.csv", "id,amount_cents,kind\n1,1250,a\n2,990,b\n");
        project.Write("models/priced.sql", "select id, {{ shop_utils.cents('amount_cents') }} as amount, {{ shop_utils.label('kind') }} as label from {{ ref('orders') }}");
        project.Write("models/schema.yml", "version: 2\nmodels:\n  - name: priced\n    columns:\n      - name: amount\n        tests:\n          - shop_utils.positive\n");
        return project;
    }

    [Fact]
    public async Task Deps_installs_a_local_package_whose_macros_and_tests_work_namespaced()
    {
        await using var project = ProjectWithPackage(out _);
        await project.RunAsync(DbtCommand.Deps);
        Assert.True(File.Exists(project.Path_("dbt_packages", "shop_utils", "macros", "utils.sql")));
        Assert.Contains("Installed from disk: shop_utils 0.3.0", project.Messages);

        var summary = await project.RunAsync(DbtCommand.Build);

        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));
        Assert.Contains(summary.Results, r => r.Name == "shop_utils_positive_priced_amount" && r.Status == NodeStatus.Pass);
        Assert.Equal(12.5m, await project.NumberAsync("select amount from {schema}.priced where id = 1"));
        Assert.Equal("package:a", await project.ScalarAsync("select label from {schema}.priced where id = 1"));
    }

    [Fact]
    public async Task The_projects_dispatch_search_order_lets_it_replace_a_package_implementation()
    {
        await using var project = ProjectWithPackage(out _);
        File.AppendAllText(project.Path_("dbt_project.yml"), "dispatch:\n  - macro_namespace: shop_utils\n    search_order: ['shop', 'shop_utils']\n");
        project.Write("macros/labels.sql", "{% macro duckdb__label(column) -%} 'mine:' || {{ column }} {%- endmacro %}\n{% macro postgres__label(column) -%} 'mine:' || {{ column }} {%- endmacro %}");
        await project.RunAsync(DbtCommand.Deps);
        Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
        Assert.Equal("mine:b", await project.ScalarAsync("select label from {schema}.priced where id = 2"));
    }

    [Fact]
    public async Task A_project_inside_its_package_installs_it_with_local_parent_whatever_its_folder_is_called()
    {
        var package = Path.Combine(Path.GetTempPath(), "mw-pkg-" + Guid.NewGuid().ToString("N")[..10]);
        var checks = Path.Combine(package, "checks");
        Directory.CreateDirectory(Path.Combine(package, "macros"));
        Directory.CreateDirectory(checks);
        File.WriteAllText(Path.Combine(package, "dbt_project.yml"), "name: shop_utils\nversion: '0.3.0'\nconfig-version: 2\n");
        File.WriteAllText(Path.Combine(package, "macros", "utils.sql"), "{% macro cents(column) -%} ({{ column }} / 100.0) {%- endmacro %}");
        File.WriteAllText(Path.Combine(checks, "dbt_project.yml"), "name: checks\nprofile: checks\nconfig-version: 2\n");
        File.WriteAllText(Path.Combine(checks, "packages.yml"), "packages:\n  - local: ../\n");
        Directory.CreateDirectory(Path.Combine(checks, "models"));
        File.WriteAllText(Path.Combine(checks, "models", "priced.sql"), "select {{ shop_utils.cents('1250') }} as amount");
        try
        {
            await using var project = TestProject.FromDirectory(checks, engine, "checks");
            await project.RunAsync(DbtCommand.Deps);

            Assert.True(File.Exists(project.Path_("dbt_packages", "shop_utils", "macros", "utils.sql")));
            Assert.False(Directory.Exists(project.Path_("dbt_packages", "shop_utils", "checks")), "the installing project is not copied into its own packages");
            Assert.True((await project.RunAsync(DbtCommand.Build)).Succeeded);
            Assert.Equal(12.5m, await project.NumberAsync("select amount from {schema}.priced"));
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    [Fact]
    public async Task A_package_that_is_not_on_disk_is_refused_without_the_network()
    {
        await using var project = TestProject.Create("shop", engine);
        project.Write("packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Deps));
        Assert.Contains("package 1 (dbt-labs/dbt_utils) is not local", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deps_installs_what_a_package_needs_and_names_a_dependency_it_cannot_find()
    {
        await using var project = ProjectWithPackage(out var packageDir);
        var dates = project.Path_("vendor", "date_utils");
        Directory.CreateDirectory(Path.Combine(dates, "macros"));
        File.WriteAllText(Path.Combine(dates, "dbt_project.yml"), "name: date_utils\nversion: '1.1.0'\nconfig-version: 2\n");
        File.WriteAllText(Path.Combine(dates, "macros", "days.sql"), "{% macro days(n) -%} ({{ n }} * 86400) {%- endmacro %}");
        File.WriteAllText(Path.Combine(packageDir, "packages.yml"), "packages:\n  - local: ../date_utils\n  - package: acme/shop_utils\n    version: 1.0.0\n");
        project.Write("models/ages.sql", "select {{ date_utils.days(2) }} as seconds");

        await project.RunAsync(DbtCommand.Deps);

        Assert.True(File.Exists(project.Path_("dbt_packages", "date_utils", "macros", "days.sql")));
        Assert.Contains(project.Messages, m => m.Contains("date_utils 1.1.0", StringComparison.Ordinal));
        var summary = await project.RunAsync(DbtCommand.Build, "ages");
        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Select(r => r.Message)));
        Assert.Equal(172800m, await project.NumberAsync("select seconds from {schema}.ages"));

        File.WriteAllText(Path.Combine(packageDir, "packages.yml"), "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Deps));
        Assert.Equal("packages.yml of package shop_utils: package 1 (dbt-labs/dbt_utils) is missing: Millwright installs packages from disk only (no network); add a copy of it to your packages.yml as 'local: path/to/dbt_utils'", error.Message);
    }

    [Fact]
    public async Task Package_macros_are_not_visible_unqualified_to_the_project()
    {
        await using var project = ProjectWithPackage(out _);
        await project.RunAsync(DbtCommand.Deps);
        project.Write("models/priced.sql", "select {{ cents('1') }} as x");
        var error = await Assert.ThrowsAsync<ModelingException>(() => project.RunAsync(DbtCommand.Compile, project.Options("priced")));
        Assert.Contains("models/priced.sql:1:16: 'cents' is undefined", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbPackageTests() : PackageTests(Engine.DuckDb);

public sealed class PostgresPackageTests() : PackageTests(Engine.Postgres);

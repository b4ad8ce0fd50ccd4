namespace Millwright.Cli.Tests.Commands;

public sealed class NewCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public NewCommandTests() => File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: works\n");

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_blank_pipeline_runs_as_created_its_landing_file_loaded_its_models_built_and_tested()
    {
        var created = await _cli.RunAsync("new", "pipeline", "press_shop", "--template", "blank");

        Assert.True(created.ExitCode == 0, created.Out + created.Error);
        var folder = Path.Combine(_cli.Root, "pipelines", "press_shop");
        foreach (var path in new[] { "pipeline.yml", "dbt_project.yml", "README.md", "contracts/press_shop_readings.yml", "landing/example.csv", "seeds/machine_statuses.csv", "models/staging/stg_press_shop_readings.sql", "tests/assert_no_negative_values.sql", "docs/README.md" })
        {
            Assert.True(File.Exists(Path.Combine(folder, path)), path);
        }

        Assert.True(Directory.Exists(Path.Combine(folder, "models", "intermediate")) && Directory.Exists(Path.Combine(folder, "models", "marts")));
        Assert.DoesNotContain("__name__", File.ReadAllText(Path.Combine(folder, "pipeline.yml")), StringComparison.Ordinal);

        var run = await _cli.RunAsync("assets", "materialize", "--select", "*");
        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Contains("OK materialized raw/press_shop_readings", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", run.Error, StringComparison.Ordinal);
        Assert.Contains("PASS check unique_stg_press_shop_readings_reading_id on stg_press_shop_readings", run.Error, StringComparison.Ordinal);
        Assert.Contains("PASS check assert_no_negative_values", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", run.Error, StringComparison.Ordinal);

        var rows = await _cli.RunAsync("sql", "select count(*) as n from main.stg_press_shop_readings where status = 'RUN'", "--format", "csv");
        Assert.Equal("n\n2", rows.Out.Trim().ReplaceLineEndings("\n"));

        // Its retention moved the loaded file to landing/processed/; nothing is old enough to go yet.
        Assert.True(File.Exists(Path.Combine(folder, "landing", "processed", "example.csv")));
        Assert.False(File.Exists(Path.Combine(folder, "landing", "example.csv")));
        var cleanup = await _cli.RunAsync("cleanup", "--dry-run");
        Assert.True(cleanup.ExitCode == 0, cleanup.Out + cleanup.Error);
        Assert.Contains("Dry run: 0 item(s), 0 B would go; nothing was deleted.", cleanup.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_maintenance_and_manufacturing_templates_share_the_stores_tables_and_their_kpis_reconcile_with_it()
    {
        Assert.Equal(0, (await _cli.RunAsync("simulate", "--scale", "0.04", "--days", "45", "--start", "2026-02-02", "--only", "fleet", "manufacturing")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("new", "pipeline", "upkeep", "--template", "maintenance")).ExitCode);
        Assert.Equal(0, (await _cli.RunAsync("new", "pipeline", "plant", "--template", "manufacturing")).ExitCode);
        Assert.True(File.Exists(Path.Combine(_cli.Root, "pipelines", "upkeep", "docs", "KPIS.md")));
        Assert.True(File.Exists(Path.Combine(_cli.Root, "pipelines", "plant", "docs", "KPIS.md")));

        var run = await _cli.RunAsync("assets", "materialize", "--select", "*");

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        foreach (var mart in new[] { "kpi_workshop", "kpi_asset_reliability", "kpi_oee", "kpi_oee_line_shift", "fact_production_metrics", "mart_executive_kpis", "dim_date" })
        {
            Assert.Contains($"OK materialized {mart}", run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("PASS check assert_kpi_ratios_lie_in_zero_to_one", run.Error, StringComparison.Ordinal);
        Assert.Contains("PASS check assert_oee_is_the_product_of_its_parts_and_ratios_are_shares", run.Error, StringComparison.Ordinal);
        Assert.Contains("PASS check assert_production_totals_reconcile", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", run.Error, StringComparison.Ordinal);
        var totals = await _cli.RunAsync("sql", """
            select
              (select sum(orders_completed) from marts.kpi_workshop) = (select count(*) from raw.service_orders where completed_at is not null) as orders,
              (select sum(parts_cost) from marts.kpi_workshop)
                = (select sum((p.quantity_issued - p.quantity_returned) * p.unit_cost) from raw.order_parts p join raw.service_orders o on o.id = p.service_order_id where o.completed_at is not null) as parts,
              (select sum(maintenance_cost) from marts.mart_executive_kpis) = (select sum(maintenance_cost) from marts.kpi_workshop) as cost,
              (select sum(good_quantity) from marts.kpi_oee) = (select sum(good_quantity) from raw.production_runs where ended_at is not null) as good,
              (select count(*) from marts.kpi_oee where oee > 0) > 0 as some
            """, "--format", "csv");
        Assert.Equal("orders,parts,cost,good,some\ntrue,true,true,true,true", totals.Out.Trim().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("press_shop", "blank", "already exists; a template never overwrites a pipeline")]
    [InlineData("Press-Shop", "blank", "'Press-Shop' cannot name a pipeline")]
    [InlineData("other", "bakery", "there is no pipeline template 'bakery'; templates: blank, maintenance, manufacturing, quality, retail")]
    public async Task A_name_taken_or_malformed_or_an_unknown_template_is_refused_and_writes_nothing(string name, string template, string expected)
    {
        Assert.Equal(0, (await _cli.RunAsync("new", "pipeline", "press_shop")).ExitCode);
        var before = Directory.GetFileSystemEntries(_cli.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var refused = await _cli.RunAsync("new", "pipeline", name, "--template", template);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(expected, refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFileSystemEntries(_cli.Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList());
    }
}

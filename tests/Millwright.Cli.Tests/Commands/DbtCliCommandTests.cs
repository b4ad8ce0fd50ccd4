namespace Millwright.Cli.Tests.Commands;

public sealed class DbtCliCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public DbtCliCommandTests()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "workshop");
        foreach (var file in Directory.GetFiles(fixture, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_cli.Root, "workshop", Path.GetRelativePath(fixture, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.WriteAllText(Path.Combine(_cli.Root, "profiles.yml"), """
            workshop:
              target: dev
              outputs:
                dev:
                  type: duckdb
                  path: "{{ env_var('WORKSHOP_DB') }}"
                  threads: 2
            """);
        _cli.Environment["WORKSHOP_DB"] = Path.Combine(_cli.Root, "workshop.duckdb");
    }

    public void Dispose() => _cli.Dispose();

    private Task<CliOutcome> Dbt(params string[] args) => _cli.RunAsync(["dbt", .. args, "--project-dir", "workshop", "--profiles-dir", "."]);

    [Fact]
    public async Task Build_prints_a_line_per_node_and_dbts_summary_and_exits_zero()
    {
        var outcome = await Dbt("build");

        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(23, lines.Count(l => l.Contains(" of 23 ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("OK loaded seed file main.vehicles", StringComparison.Ordinal) && l.TrimEnd().EndsWith("s]", StringComparison.Ordinal) && l.Contains("[INSERT 6 in ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("OK created sql view model main.stg_vehicles", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("PASS unique_stg_vehicles_vin", StringComparison.Ordinal));
        Assert.Contains("Completed successfully", outcome.Out, StringComparison.Ordinal);
        Assert.EndsWith("Done. PASS=23 WARN=0 ERROR=0 SKIP=0 TOTAL=23", outcome.Out.TrimEnd(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_cli.Root, "workshop.duckdb")), "the profile's env_var was read from the environment");
    }

    [Fact]
    public async Task A_workspace_pipelines_project_without_a_profile_builds_on_the_workspaces_warehouse_as_the_orchestrator_would()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "millwright.yml"), "name: shop\n");
        Directory.CreateDirectory(Path.Combine(_cli.Root, "pipelines"));
        Directory.Move(Path.Combine(_cli.Root, "workshop"), Path.Combine(_cli.Root, "pipelines", "workshop"));

        var build = await _cli.RunAsync("dbt", "build", "--project-dir", "pipelines/workshop");
        var docs = await _cli.RunAsync("dbt", "docs", "generate", "--project-dir", "pipelines/workshop");
        var query = await _cli.RunAsync("sql", "select count(*) as n from main.stg_vehicles", "--format", "csv");

        Assert.True(build.ExitCode == 0, build.Out + build.Error);
        Assert.EndsWith("Done. PASS=23 WARN=0 ERROR=0 SKIP=0 TOTAL=23", build.Out.TrimEnd(), StringComparison.Ordinal);
        Assert.True(docs.ExitCode == 0, docs.Out + docs.Error);
        Assert.True(File.Exists(Path.Combine(_cli.Root, "pipelines", "workshop", "target", "index.html")));
        Assert.Equal("n\n6", query.Out.Trim().ReplaceLineEndings("\n"));
        Assert.False(File.Exists(Path.Combine(_cli.Root, "workshop.duckdb")), "the profiles.yml outside the project was not used");
    }

    [Fact]
    public async Task A_failure_exits_one_and_explains_what_failed_and_what_was_skipped()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "workshop", "models", "staging", "stg_vehicles.sql"), "select nope from {{ ref('vehicles') }}");

        var outcome = await Dbt("build", "--select", "+dim_vehicles");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("ERROR creating model main.stg_vehicles", outcome.Out, StringComparison.Ordinal);
        Assert.Contains("SKIP model main.dim_vehicles", outcome.Out, StringComparison.Ordinal);
        Assert.Contains("Failure in model stg_vehicles", outcome.Out, StringComparison.Ordinal);
        Assert.Contains("nope", outcome.Out, StringComparison.Ordinal);
        Assert.Matches(@"Done\. PASS=\d+ WARN=0 ERROR=1 SKIP=\d+ TOTAL=\d+", outcome.Out);
    }

    [Fact]
    public async Task Ls_prints_selectors_and_json()
    {
        var outcome = await Dbt("ls", "--select", "tag:staging", "--resource-type", "model");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(["workshop.staging.stg_parts_used", "workshop.staging.stg_vehicles", "workshop.staging.stg_work_orders"], outcome.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var json = await Dbt("ls", "-s", "dim_vehicles", "--resource-type", "model", "--output", "json");
        Assert.Contains("\"unique_id\":\"model.workshop.dim_vehicles\"", json.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_project_error_exits_one_naming_the_file()
    {
        File.WriteAllText(Path.Combine(_cli.Root, "workshop", "models", "broken.sql"), "select {{ ref( }}");
        var outcome = await Dbt("run");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("Encountered an error:", outcome.Out, StringComparison.Ordinal);
        Assert.Contains("models/broken.sql:1:", outcome.Out, StringComparison.Ordinal);
    }
}

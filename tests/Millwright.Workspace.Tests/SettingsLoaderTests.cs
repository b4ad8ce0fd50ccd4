using Millwright.Warehouse;
namespace Millwright.Workspace.Tests;

public sealed class SettingsLoaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-ws-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly Dictionary<string, string> NoEnvironment = [];

    private WorkspaceLayout Write(string yaml)
    {
        File.WriteAllText(Path.Combine(_root, WorkspaceLayout.ConfigFileName), yaml);
        return WorkspaceLayout.At(_root);
    }

    [Fact]
    public void A_folder_without_millwright_yml_runs_on_embedded_defaults()
    {
        var loaded = SettingsLoader.Load(WorkspaceLayout.At(_root), environment: NoEnvironment);

        var settings = loaded.Settings;
        Assert.Equal(WarehouseEngine.DuckDb, settings.Warehouse.Engine);
        Assert.Equal(Path.Combine(_root, ".millwright", "warehouse.duckdb"), settings.Warehouse.Path);
        Assert.Equal(StoreProvider.Sqlite, settings.Operations.Provider);
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), settings.Web.Url);
        Assert.Equal(new DirectoryInfo(_root).Name, settings.Name);
    }

    [Fact]
    public void Orchestration_state_defaults_to_sqlite_and_its_limits_are_checked()
    {
        var defaults = SettingsLoader.Load(WorkspaceLayout.At(_root), environment: NoEnvironment).Settings.Orchestration;
        Assert.Equal(StoreProvider.Sqlite, defaults.Store.Provider);
        Assert.Equal(Path.Combine(_root, ".millwright", "orchestration.db"), defaults.Store.Path);
        Assert.Equal((4, 30), (defaults.MaxConcurrentRuns, defaults.RetentionDays));

        var layout = Write("orchestration:\n  provider: postgres\n  connection: Host=db;Database=m;Username=u;Password=${PW}\n  max_concurrent_runs: 8\n  retention_days: 7\n");
        var pg = SettingsLoader.Load(layout, environment: new Dictionary<string, string> { ["PW"] = "s3cr3t" }).Settings;
        Assert.Equal((StoreProvider.Postgres, 8, 7), (pg.Orchestration.Store.Provider, pg.Orchestration.MaxConcurrentRuns, pg.Orchestration.RetentionDays));
        Assert.Contains(pg.Describe(), kv => kv.Key == "orchestration.connection" && !kv.Value.Contains("s3cr3t", StringComparison.Ordinal));

        var bad = Write("orchestration:\n  max_concurrent_runs: lots\n");
        var e = Assert.Throws<SettingsException>(() => SettingsLoader.Load(bad, environment: NoEnvironment));
        Assert.Contains("orchestration.max_concurrent_runs must be a whole number from 1 to 1000, not 'lots'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_overrides_the_file_and_command_line_overrides_both()
    {
        var layout = Write("name: plant\nweb:\n  port: 6000\n  host: 0.0.0.0\n");
        var environment = new Dictionary<string, string> { ["MILLWRIGHT__WEB__PORT"] = "7000", ["MILLWRIGHT__WEB__HOST"] = "127.0.0.2" };

        var fromEnv = SettingsLoader.Load(layout, environment: environment).Settings;
        var fromCli = SettingsLoader.Load(layout, new Dictionary<string, string> { ["web.port"] = "8000" }, environment).Settings;

        Assert.Equal(("plant", 7000, "127.0.0.2"), (fromEnv.Name, fromEnv.Web.Port, fromEnv.Web.Host));
        Assert.Equal((8000, "127.0.0.2"), (fromCli.Web.Port, fromCli.Web.Host));
    }

    [Fact]
    public void Secrets_come_from_environment_variables_and_are_masked_when_shown()
    {
        var layout = Write("warehouse:\n  provider: postgres\n  connection: Host=db;Username=mw;Password=${PG_SECRET}\n");

        var settings = SettingsLoader.Load(layout, environment: new Dictionary<string, string> { ["PG_SECRET"] = "s3cr3t" }).Settings;

        Assert.Equal(WarehouseEngine.Postgres, settings.Warehouse.Engine);
        Assert.Contains("Password=s3cr3t", settings.Warehouse.Connection, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", settings.Warehouse.Target, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Describe(), kv => kv.Value.Contains("s3cr3t", StringComparison.Ordinal));
        Assert.Contains(settings.Describe(), kv => kv.Key == "warehouse.connection" && kv.Value.Contains("Password=***", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_environment_variable_names_the_file_line_and_variable()
    {
        var layout = Write("name: x\nwarehouse:\n  provider: postgres\n  connection: Host=db;Password=${NOT_SET_ANYWHERE}\n");

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(layout, environment: NoEnvironment));

        Assert.Contains("millwright.yml line 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("NOT_SET_ANYWHERE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_default_after_colon_dash_fills_an_unset_variable()
    {
        var layout = Write("web:\n  port: ${MW_PORT:-5050}\n");

        Assert.Equal(5050, SettingsLoader.Load(layout, environment: NoEnvironment).Settings.Web.Port);
    }

    [Fact]
    public void Invalid_yaml_names_the_file_line_and_column()
    {
        var layout = Write("web:\n  port: 5000\n  host: [unclosed\n");

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(layout, environment: NoEnvironment));

        Assert.Contains("millwright.yml:", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_nested_deeper_than_any_person_writes_is_refused_with_its_position_not_a_crash()
    {
        var layout = Write("web:\n  port: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(layout, environment: NoEnvironment));

        Assert.Contains("millwright.yml:2:263: invalid YAML: nested deeper than 256 levels", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("warehouse:\n  provider: oracle\n", "warehouse.provider must be one of duckdb, postgres, clickhouse, not 'oracle' (from millwright.yml line 2)")]
    [InlineData("operations:\n  provider: duckdb\n", "operations.provider must be one of sqlite, postgres, not 'duckdb'")]
    [InlineData("web:\n  port: 99999\n", "web.port must be a port number from 0 (any free port) to 65535, not '99999'")]
    [InlineData("warehouse:\n  provider: postgres\n", "warehouse.connection is required when warehouse.provider is postgres")]
    [InlineData("warehouse:\n  provider: postgres\n  connection: Host=db;Password\n", "warehouse.connection (from millwright.yml line 3): malformed connection string")]
    public void Bad_settings_are_rejected_with_the_key_and_where_it_came_from(string yaml, string expected)
    {
        var layout = Write(yaml);

        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(layout, environment: NoEnvironment));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_value_from_the_environment_names_the_variable()
    {
        var error = Assert.Throws<SettingsException>(() => SettingsLoader.Load(
            WorkspaceLayout.At(_root), environment: new Dictionary<string, string> { ["MILLWRIGHT__WEB__PORT"] = "http" }));

        Assert.Contains("environment variable MILLWRIGHT__WEB__PORT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_store_keys_warn_but_load()
    {
        var layout = Write("warehouse:\n  provider: duckdb\n  pathh: typo.duckdb\n");

        var loaded = SettingsLoader.Load(layout, environment: NoEnvironment);

        Assert.Contains(loaded.Warnings, w => w.Contains("warehouse.pathh", StringComparison.Ordinal) && w.Contains("line 3", StringComparison.Ordinal));
    }
}

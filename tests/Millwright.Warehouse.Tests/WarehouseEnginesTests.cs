namespace Millwright.Warehouse.Tests;

public sealed class WarehouseEnginesTests
{
    [Theory]
    [InlineData("duckdb", WarehouseEngine.DuckDb)]
    [InlineData("DuckDB", WarehouseEngine.DuckDb)]
    [InlineData("postgres", WarehouseEngine.Postgres)]
    [InlineData("clickhouse", WarehouseEngine.ClickHouse)]
    public void An_engine_is_named_as_settings_and_dbt_profiles_spell_it(string name, WarehouseEngine expected)
    {
        Assert.True(WarehouseEngines.TryParse(name, out var engine));
        Assert.Equal(expected, engine);
        Assert.Equal(name.ToLowerInvariant(), engine.Name());
    }

    [Fact]
    public void An_unknown_engine_name_is_not_taken()
    {
        Assert.False(WarehouseEngines.TryParse("oracle", out _));
        Assert.False(WarehouseEngines.TryParse(null, out _));
        var error = Assert.Throws<WarehouseException>(() => WarehouseEngines.ReadProfile("oracle", _ => null, "/tmp"));
        Assert.Contains("type 'oracle'", error.Message, StringComparison.Ordinal);
        Assert.Contains("duckdb, postgres, clickhouse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_embedded_engine_takes_one_writer_and_a_server_several()
    {
        Assert.Equal(1, WarehouseEngine.DuckDb.Capabilities().MaxConcurrentWriters);
        Assert.True(WarehouseEngine.Postgres.Capabilities().MaxConcurrentWriters > 1);
        Assert.Equal(WarehouseLocation.File, WarehouseEngine.DuckDb.Location());
        Assert.Equal(WarehouseLocation.Server, WarehouseEngine.Postgres.Location());
        Assert.True(WarehouseEngine.DuckDb.Capabilities().ReadsFiles);
        Assert.False(WarehouseEngine.Postgres.Capabilities().ReadsFiles);
        Assert.Equal("main", WarehouseEngine.DuckDb.Dialect().DefaultSchema);
        Assert.Equal("public", WarehouseEngine.Postgres.Dialect().DefaultSchema);
        Assert.Equal(WarehouseLocation.Server, WarehouseEngine.ClickHouse.Location());
        Assert.True(WarehouseEngine.ClickHouse.Capabilities().MaxConcurrentWriters > 1);
        Assert.False(WarehouseEngine.ClickHouse.Capabilities().Transactions);
        Assert.True(WarehouseEngine.Postgres.Capabilities().Transactions);
        Assert.Equal("default", WarehouseEngine.ClickHouse.Dialect().DefaultSchema);
        Assert.Equal(WarehouseEngines.All, [WarehouseEngine.DuckDb, WarehouseEngine.Postgres, WarehouseEngine.ClickHouse]);
    }

    [Fact]
    public void A_postgres_profile_becomes_a_connection_string_and_dbts_names()
    {
        var fields = new Dictionary<string, string> { ["host"] = "db.plant", ["port"] = "6543", ["user"] = "dbt", ["password"] = "pw", ["dbname"] = "analytics", ["schema"] = "marts" };

        var profile = WarehouseEngines.ReadProfile("postgres", fields.GetValueOrDefault, "/tmp");

        Assert.Equal(WarehouseEngine.Postgres, profile.Options.Engine);
        Assert.Equal(("analytics", "marts"), (profile.Database, profile.Schema));
        Assert.Contains("Host=db.plant", profile.Options.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Port=6543", profile.Options.ConnectionString, StringComparison.Ordinal);
        Assert.Equal("analytics", WarehouseEngines.DatabaseName(profile.Options));
    }

    [Fact]
    public void A_clickhouse_profile_becomes_a_connection_string_on_the_http_port_with_its_schema_as_database()
    {
        var fields = new Dictionary<string, string> { ["host"] = "ch.plant", ["user"] = "dbt", ["password"] = "pw", ["schema"] = "marts" };

        var profile = WarehouseEngines.ReadProfile("clickhouse", fields.GetValueOrDefault, "/tmp");

        Assert.Equal(WarehouseEngine.ClickHouse, profile.Options.Engine);
        Assert.Equal(("ch.plant", "marts"), (profile.Database, profile.Schema));
        Assert.Contains("Port=8123", profile.Options.ConnectionString, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("marts", profile.Options.ConnectionString, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Username=dbt", profile.Options.ConnectionString, StringComparison.OrdinalIgnoreCase);
        var error = Assert.Throws<WarehouseException>(() => WarehouseEngines.ReadProfile("clickhouse", f => f == "port" ? "http" : null, "/tmp"));
        Assert.Contains("'port' must be a TCP port, not 'http'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host", "'host'")]
    [InlineData("schema", "'schema'")]
    [InlineData("dbname", "'dbname'")]
    public void A_postgres_profile_without_a_field_names_it(string missing, string named)
    {
        var fields = new Dictionary<string, string> { ["host"] = "db", ["user"] = "dbt", ["dbname"] = "analytics", ["schema"] = "marts" };
        fields.Remove(missing);

        var error = Assert.Throws<WarehouseException>(() => WarehouseEngines.ReadProfile("postgres", fields.GetValueOrDefault, "/tmp"));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_profile_with_a_port_that_is_not_one_says_so()
    {
        var fields = new Dictionary<string, string> { ["host"] = "db", ["port"] = "70000", ["user"] = "dbt", ["dbname"] = "a", ["schema"] = "s" };

        var error = Assert.Throws<WarehouseException>(() => WarehouseEngines.ReadProfile("postgres", fields.GetValueOrDefault, "/tmp"));

        Assert.Contains("'port' must be a TCP port, not '70000'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duckdb_profile_path_is_relative_to_the_project_and_its_database_is_the_file_stem()
    {
        var profile = WarehouseEngines.ReadProfile("duckdb", f => f == "path" ? "target/dev.duckdb" : null, "/projects/shop");

        Assert.Equal(Path.Combine("/projects/shop", "target", "dev.duckdb"), profile.Options.Path);
        Assert.Equal(("dev", "main"), (profile.Database, profile.Schema));
    }
}

using System.Data.Common;
using Millwright.Modeling.Execution;
using Millwright.Warehouse;

namespace Millwright.Modeling.Tests;

/// <summary>Where a test project runs: a DuckDB file, or a schema of its own on the throwaway PostgreSQL.</summary>
public enum Engine
{
    DuckDb,
    Postgres,
    ClickHouse,
}

/// <summary>A fixture project copied to a temporary folder with a profiles.yml for the chosen engine.</summary>
internal sealed class TestProject : IAsyncDisposable
{
    private TestProject(string dir, Engine engine, string schema)
    {
        Dir = dir;
        Engine = engine;
        Schema = schema;
    }

    public string Dir { get; }

    public Engine Engine { get; }

    public string Schema { get; }

    public List<string> Messages { get; } = [];

    public static TestProject Copy(string fixture, Engine engine, string profile = "workshop")
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-dbt-" + Guid.NewGuid().ToString("N")[..10]);
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture), dir);
        var schema = engine == Engine.DuckDb ? "main" : "t_" + Guid.NewGuid().ToString("N")[..12];
        var project = new TestProject(dir, engine, schema);
        project.WriteProfile(profile);
        return project;
    }

    /// <summary>An empty project with only dbt_project.yml and a profile.</summary>
    public static TestProject Create(string name, Engine engine)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mw-dbt-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "dbt_project.yml"), $"name: {name}\nprofile: {name}\nconfig-version: 2\n");
        return FromDirectory(dir, engine, name);
    }

    public static TestProject FromDirectory(string dir, Engine engine, string profile)
    {
        var schema = engine == Engine.DuckDb ? "main" : "t_" + Guid.NewGuid().ToString("N")[..12];
        var project = new TestProject(dir, engine, schema);
        project.WriteProfile(profile);
        return project;
    }

    private void WriteProfile(string profile)
    {
        string output;
        if (Engine == Engine.DuckDb)
        {
            output = $"      type: duckdb\n      path: {profile}.duckdb\n      threads: 4\n";
        }
        else if (Engine == Engine.ClickHouse)
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = TestClickHouse.ConnectionString };
            output = $"      type: clickhouse\n      host: {builder["Host"]}\n      port: {builder["Port"]}\n      user: {builder["Username"]}\n      schema: {Schema}\n      threads: 4\n";
        }
        else
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = TestPostgres.ConnectionString };
            output = $"      type: postgres\n      host: {builder["Host"]}\n      port: {builder["Port"]}\n      user: {builder["Username"]}\n      password: ''\n      dbname: {builder["Database"]}\n      schema: {Schema}\n      threads: 4\n";
        }

        File.WriteAllText(Path.Combine(Dir, "profiles.yml"), $"{profile}:\n  target: dev\n  outputs:\n    dev:\n{output}");
    }

    public string Path_(params string[] parts) => Path.Combine([Dir, .. parts]);

    public void Write(string relative, string text)
    {
        var path = Path.Combine(Dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public DbtOptions Options(params string[] select) => new()
    {
        ProjectDir = Dir,
        ProfilesDir = Dir,
        Select = select,
        OnMessage = m =>
        {
            lock (Messages)
            {
                Messages.Add(m);
            }
        },
    };

    public Task<DbtRunSummary> RunAsync(DbtCommand command, params string[] select) => DbtRunner.RunAsync(command, Options(select), TestContext.Current.CancellationToken);

    public Task<DbtRunSummary> RunAsync(DbtCommand command, DbtOptions options) =>
        DbtRunner.RunAsync(command, options with { ProjectDir = Dir }, TestContext.Current.CancellationToken);

    public IWarehouse OpenWarehouse() => Engine switch
    {
        Engine.DuckDb => Warehouses.Open(WarehouseOptions.DuckDb(Directory.GetFiles(Dir, "*.duckdb").Single())),
        Engine.ClickHouse => Warehouses.Open(TestClickHouse.Options),
        _ => Warehouses.Open(WarehouseOptions.Postgres(TestPostgres.ConnectionString)),
    };

    /// <summary>A numeric result as decimal, whatever CLR type the engine returns (DuckDB sums come back as BigInteger).</summary>
    public async Task<decimal> NumberAsync(string sql) =>
        decimal.Parse(Convert.ToString(await ScalarAsync(sql), System.Globalization.CultureInfo.InvariantCulture)!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    public void Append(string relative, string text) => File.AppendAllText(Path.Combine(Dir, relative), text);

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var warehouse = OpenWarehouse();
        return await warehouse.QueryScalarAsync(sql.Replace("{schema}", Schema, StringComparison.Ordinal), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Engine != Engine.DuckDb)
        {
            await using var warehouse = OpenWarehouse();
            foreach (var schema in await warehouse.ListSchemasAsync())
            {
                if (schema.StartsWith(Schema, StringComparison.Ordinal))
                {
                    await warehouse.DropSchemaAsync(schema, cascade: true);
                }
            }
        }

        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>Public projects used as they are, from an environment variable or the machine's mirror; never committed.</summary>
internal static class PublicProjects
{
    /// <summary>A folder holding the project: the checkout named by <paramref name="variable"/>, or a fresh copy of the mirror.</summary>
    public static string? Find(string variable, string mirror)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given && File.Exists(Path.Combine(given, "dbt_project.yml")))
        {
            return given;
        }

        if (!Directory.Exists(mirror))
        {
            return null;
        }

        var dir = Path.Combine(Path.GetTempPath(), "mw-public-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        using var archive = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", ["-c", $"git --git-dir={mirror} archive HEAD | tar -x -C {dir}"]))!;
        archive.WaitForExit();
        return archive.ExitCode == 0 ? dir : null;
    }
}

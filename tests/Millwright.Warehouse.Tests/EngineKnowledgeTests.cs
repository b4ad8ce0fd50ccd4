using System.Text.RegularExpressions;

namespace Millwright.Warehouse.Tests;

/// <summary>
/// Engine facts live in Millwright.Warehouse: every other project asks an engine's capabilities and dialect, and never
/// branches on which engine it is, so that a new engine is one folder of this project plus a conformance-suite subclass.
/// </summary>
public sealed partial class EngineKnowledgeTests
{
    /// <summary>
    /// Reading a PostgreSQL source database (ingest db) speaks PostgreSQL because the source is one, whatever the
    /// warehouse: that is the source's engine, not a branch on the warehouse's.
    /// </summary>
    private static readonly string[] SourceEngineFiles = ["src/Millwright.Ingestion/Extraction/DatabaseExtractor.cs"];

    [Fact]
    public void No_project_but_the_warehouse_branches_on_the_engine()
    {
        var root = RepositoryRoot();
        var violations = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("src/Millwright.Warehouse/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(f => Violations(f, File.ReadAllText(Path.Combine(root, f)), SourceEngineFiles.Contains(f)))
            .ToList();

        Assert.True(violations.Count == 0, "engine knowledge outside Millwright.Warehouse (ask WarehouseEngines' capabilities or the dialect instead):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Only_the_warehouse_project_references_an_engine_driver()
    {
        var root = RepositoryRoot();
        var violations = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "Millwright.Warehouse.csproj")
            .Where(f => DriverReference().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();

        Assert.Empty(violations);
    }

    [Theory]
    [InlineData("if (options.Engine == WarehouseEngine.DuckDb) { }", "WarehouseEngine.DuckDb")]
    [InlineData("var writers = engine is WarehouseEngine.Postgres ? 4 : 1;", "WarehouseEngine.Postgres")]
    [InlineData("switch (type) { case \"duckdb\": break; }", "case \"duckdb\"")]
    [InlineData("if (profile.Type == \"postgres\") { }", "== \"postgres\"")]
    [InlineData("return target.Type is \"clickhouse\";", "is \"clickhouse\"")]
    [InlineData("if (warehouse.Dialect.Name == \"duckdb\") { }", "Dialect.Name ==")]
    [InlineData("var q = SqlDialect.Postgres.QuoteIdentifier(name);", "SqlDialect.Postgres")]
    [InlineData("using DuckDB.NET.Data;", "using DuckDB")]
    [InlineData("var o = WarehouseOptions.DuckDb(path);", "WarehouseOptions.DuckDb")]
    public void The_scan_finds_a_branch_on_the_engine(string code, string found)
    {
        var violation = Assert.Single(Violations("src/Millwright.Example/Example.cs", code, sourceEngine: false));
        Assert.Contains(found, violation, StringComparison.Ordinal);
        Assert.StartsWith("src/Millwright.Example/Example.cs:1:", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_scan_leaves_capabilities_dialects_and_a_source_database_alone()
    {
        const string code = """
            var writers = warehouse.Engine.Capabilities().MaxConcurrentWriters;
            var type = warehouse.Dialect.TypeName(LogicalType.Int64);
            var name = settings.Warehouse.Engine.Name();
            """;
        Assert.Empty(Violations("src/Millwright.Example/Example.cs", code, sourceEngine: false));
        Assert.Empty(Violations("src/Millwright.Example/Example.cs", "private static SqlDialect SourceSql => SqlDialect.Postgres;", sourceEngine: true));
    }

    private static IEnumerable<string> Violations(string file, string text, bool sourceEngine)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match match in EngineBranch().Matches(line))
            {
                if (sourceEngine && match.Value.StartsWith("SqlDialect.Postgres", StringComparison.Ordinal))
                {
                    continue;
                }

                yield return $"{file}:{i + 1}: {match.Value}";
            }
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Millwright.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("the repository root (Millwright.slnx) is not above the test binaries");
    }

    [GeneratedRegex("""WarehouseEngine\.[A-Z]\w*|WarehouseOptions\.(?:DuckDb|Postgres|ClickHouse)\b|SqlDialect\.(?:DuckDb|Postgres|ClickHouse)\b|(?:==|!=|\bcase|\bis|Equals\()\s*"(?:duckdb|postgres|postgresql|clickhouse)"|Dialect\.Name\s*(?:==|!=|\bis\b)|using\s+(?:DuckDB|ClickHouse)\b""", RegexOptions.IgnoreCase)]
    private static partial Regex EngineBranch();

    [GeneratedRegex("""<PackageReference\s+Include="(?:DuckDB\.NET|ClickHouse)""", RegexOptions.IgnoreCase)]
    private static partial Regex DriverReference();
}

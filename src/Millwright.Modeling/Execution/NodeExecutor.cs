using System.Diagnostics;
using System.Globalization;
using System.Text;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>Runs one node: materializes a model, loads a seed or evaluates a test, and reports how it went.</summary>
internal sealed class NodeExecutor(DbtRuntime runtime, Compiler compiler, IWarehouse warehouse, string targetPath, DbtOptions options)
{
    public Task<NodeResult> CompileOnlyAsync(ManifestNode node, int index, int total, string thread)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var path = WriteCompiled(node, compiler.Compile(node), "compiled");
            return Task.FromResult(Result(node, NodeStatus.Success, "compiled", clock, index, total, thread, path: path));
        }
        catch (ModelingException e)
        {
            return Task.FromResult(Result(node, NodeStatus.Error, e.Message, clock, index, total, thread));
        }
    }

    public async Task<NodeResult> ExecuteAsync(ManifestNode node, int index, int total, string thread, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return node.Type switch
            {
                NodeType.Seed => await SeedAsync(node, clock, index, total, thread, cancellationToken).ConfigureAwait(false),
                NodeType.Model => await ModelAsync(node, clock, index, total, thread, cancellationToken).ConfigureAwait(false),
                NodeType.Test => await TestAsync(node, clock, index, total, thread, cancellationToken).ConfigureAwait(false),
                NodeType.Snapshot => await SnapshotAsync(node, clock, index, total, thread, cancellationToken).ConfigureAwait(false),
                _ => Result(node, NodeStatus.Skipped, "nothing to run", clock, index, total, thread),
            };
        }
        catch (Exception e) when (e is ModelingException or WarehouseException)
        {
            var message = e is WarehouseException ? $"Database Error in {node.ResourceTypeName} {node.Name} ({node.OriginalFilePath})\n  {e.Message}" : e.Message;
            return Result(node, NodeStatus.Error, message, clock, index, total, thread);
        }
    }

    private async Task<NodeResult> SeedAsync(ManifestNode node, Stopwatch clock, int index, int total, string thread, CancellationToken cancellationToken)
    {
        var table = SeedLoader.Read(node, warehouse.Dialect);
        var rows = await SeedLoader.LoadAsync(warehouse, node, table, options.FullRefresh, cancellationToken).ConfigureAwait(false);
        return Result(node, NodeStatus.Success, $"INSERT {rows}", clock, index, total, thread);
    }

    private async Task<NodeResult> ModelAsync(ManifestNode node, Stopwatch clock, int index, int total, string thread, CancellationToken cancellationToken)
    {
        var target = new RelationName(node.Schema, node.Alias);
        var incremental = false;
        if (node.Materialized == "incremental")
        {
            var existing = await warehouse.GetRelationAsync(target, cancellationToken).ConfigureAwait(false);
            var fullRefresh = options.FullRefresh && node.Config.Get("full_refresh") is not false;
            incremental = existing is { Kind: RelationKind.Table } && !fullRefresh;
        }

        var sql = compiler.Compile(node, incremental);
        var path = WriteCompiled(node, sql, "compiled");
        var hooks = node.Config.Get("pre-hook") is List<object?> { Count: > 0 } || node.Config.Get("post-hook") is List<object?> { Count: > 0 };
        var context = hooks ? new NodeContext(runtime, node, execute: true, incremental) : null;
        if (context is not null)
        {
            await RunHooksAsync(node, context, "pre-hook", cancellationToken).ConfigureAwait(false);
        }

        var kind = node.Materialized == "view" ? RelationKind.View : RelationKind.Table;
        string statement;
        if (incremental)
        {
            statement = await Incremental.ApplyAsync(warehouse, node, sql, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await warehouse.CreateOrReplaceAsync(target, kind, sql, kind == RelationKind.Table ? node.Layout : null, cancellationToken).ConfigureAwait(false);
            statement = $"create or replace {(kind == RelationKind.View ? "view" : "table")} {Render(node)} as (\n{sql}\n);\n";
        }

        if (context is not null)
        {
            await RunHooksAsync(node, context, "post-hook", cancellationToken).ConfigureAwait(false);
        }

        WriteCompiled(node, statement, "run");
        var what = node.Materialized == "incremental" ? "incremental" : kind == RelationKind.View ? "view" : "table";
        return Result(node, NodeStatus.Success, $"OK created sql {what} model {node.Schema}.{node.Alias}", clock, index, total, thread, path: path);
    }

    private async Task<NodeResult> SnapshotAsync(ManifestNode node, Stopwatch clock, int index, int total, string thread, CancellationToken cancellationToken)
    {
        var sql = compiler.Compile(node);
        var path = WriteCompiled(node, sql, "compiled");
        var (statements, versions) = await Snapshots.ApplyAsync(warehouse, node, sql, runtime.RunStartedAt, cancellationToken).ConfigureAwait(false);
        WriteCompiled(node, statements, "run");
        return Result(node, NodeStatus.Success, $"OK snapshotted {node.Schema}.{node.Alias} ({versions} versions)", clock, index, total, thread, path: path);
    }

    private async Task RunHooksAsync(ManifestNode node, NodeContext context, string key, CancellationToken cancellationToken)
    {
        foreach (var hook in node.Config.Get(key) as List<object?> ?? [])
        {
            var text = hook is PyDict d ? Py.Str(d.Get("sql")) : Py.Str(hook);
            var sql = context.RenderString(text);
            if (!string.IsNullOrWhiteSpace(sql))
            {
                await warehouse.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<NodeResult> TestAsync(ManifestNode node, Stopwatch clock, int index, int total, string thread, CancellationToken cancellationToken)
    {
        if (node.UnitTest is not null)
        {
            var outcome = await UnitTestRunner.RunAsync(runtime, compiler, warehouse, node, cancellationToken).ConfigureAwait(false);
            var written = WriteCompiled(node, outcome.Sql, "compiled");
            return outcome.Failures == 0
                ? Result(node, NodeStatus.Pass, "PASS", clock, index, total, thread, 0, written)
                : Result(node, NodeStatus.Fail, $"actual differs from expected ({outcome.Failures} row{(outcome.Failures == 1 ? "" : "s")}):{outcome.Diff}", clock, index, total, thread, outcome.Failures, written);
        }

        var sql = compiler.Compile(node);
        var path = WriteCompiled(node, sql, "compiled");
        var config = node.Config;
        var severity = (config.Get("severity") as string ?? "ERROR").ToUpperInvariant();
        if (severity is not ("ERROR" or "WARN"))
        {
            throw new ModelingException($"{node.OriginalFilePath}: test '{node.Name}' has severity '{severity}'; use error or warn");
        }

        var failCalc = config.Get("fail_calc") as string ?? "count(*)";
        var warnIf = config.Get("warn_if") as string ?? "!= 0";
        var errorIf = config.Get("error_if") as string ?? "!= 0";
        var limit = config.Get("limit") is { } l and not null ? $"\nlimit {Py.ToLong(l)}" : "";
        var main = sql;
        if (options.StoreFailures || Py.Truthy(config.Get("store_failures")))
        {
            await warehouse.CreateSchemaAsync(node.Schema, cancellationToken).ConfigureAwait(false);
            await warehouse.CreateOrReplaceAsync(new RelationName(node.Schema, node.Alias), RelationKind.Table, sql, cancellationToken).ConfigureAwait(false);
            main = $"select * from {Render(node)}";
        }

        var wrapped = $"select\n    {failCalc} as failures,\n    {failCalc} {warnIf} as should_warn,\n    {failCalc} {errorIf} as should_error\nfrom (\n{main}{limit}\n) dbt_internal_test";
        WriteCompiled(node, wrapped, "run");
        long failures;
        bool shouldWarn;
        bool shouldError;
        await using (var result = await warehouse.QueryAsync(wrapped, cancellationToken).ConfigureAwait(false))
        {
            if (!await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ModelingException($"test '{node.Name}' returned no rows");
            }

            failures = result.GetValue(0) switch
            {
                null or DBNull => 0,
                System.Numerics.BigInteger big => (long)big,
                var f => Convert.ToInt64(f, CultureInfo.InvariantCulture),
            };
            // A comparison comes back as a boolean, or as 0/1 where the engine has no boolean type (ClickHouse's UInt8).
            shouldWarn = Holds(result.GetValue(1));
            shouldError = Holds(result.GetValue(2));
        }

        if (severity == "ERROR" && shouldError)
        {
            return Result(node, NodeStatus.Fail, $"Got {failures} result{(failures == 1 ? "" : "s")}, configured to fail if {errorIf}", clock, index, total, thread, failures, path);
        }

        if (shouldWarn)
        {
            return Result(node, NodeStatus.Warn, $"Got {failures} result{(failures == 1 ? "" : "s")}, configured to warn if {warnIf}", clock, index, total, thread, failures, path);
        }

        return Result(node, NodeStatus.Pass, "PASS", clock, index, total, thread, failures, path);
    }

    /// <summary>Whether a comparison's result is true: a boolean, or a number other than 0.</summary>
    private static bool Holds(object? value) => value switch
    {
        null or DBNull => false,
        bool b => b,
        string s => bool.TryParse(s, out var b) && b,
        IConvertible number => number.ToDecimal(CultureInfo.InvariantCulture) != 0,
        _ => true,
    };

    private string Render(ManifestNode node) => warehouse.Dialect.Render(node.Database, node.Schema, node.Alias);

    private string WriteCompiled(ManifestNode node, string sql, string folder)
    {
        var relative = node.Test is not null || node.UnitTest is not null
            ? $"{node.OriginalFilePath}/{node.Name}.sql"
            : node.OriginalFilePath;
        var path = Path.Combine(targetPath, folder, node.Package, relative);
        var info = new FileInfo(path);
        if (info.Exists)
        {
            // Creating files is the slow part on many disks: leave a file alone when its text has not changed.
            if (info.Length == Encoding.UTF8.GetByteCount(sql) && File.ReadAllText(path) == sql)
            {
                return path;
            }
        }
        else
        {
            Directory.CreateDirectory(info.DirectoryName!);
        }

        File.WriteAllText(path, sql);
        return path;
    }

    private static NodeResult Result(ManifestNode node, NodeStatus status, string message, Stopwatch clock, int index, int total, string thread, long? failures = null, string? path = null) =>
        new(node.UniqueId, node.Name, node.ResourceTypeName, node.DisplayRelation, status, message, clock.Elapsed, index, total, failures, thread, path);
}

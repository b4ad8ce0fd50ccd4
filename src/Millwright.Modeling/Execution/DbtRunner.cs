using System.Diagnostics;
using System.Globalization;
using Millwright.Modeling.Artifacts;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Graph;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Project;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>Runs one dbt command on a project: load, parse, select, execute in DAG order, write artifacts.</summary>
public static class DbtRunner
{
    public static async Task<DbtRunSummary> RunAsync(DbtCommand command, DbtOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var warnings = new List<string>();
        void Message(string text) => options.OnMessage?.Invoke(text);

        var projectDir = Path.GetFullPath(options.ProjectDir);
        var project = ProjectDefinition.Load(projectDir, warnings);
        if (command == DbtCommand.Deps)
        {
            foreach (var installed in PackageInstaller.Install(project, warnings))
            {
                Message($"Installed from disk: {installed}");
            }

            return new DbtRunSummary(command, [], [], clock.Elapsed, warnings, Path.Combine(projectDir, project.TargetPath));
        }

        var cliVars = ParseVars(options.Vars);
        var engineForProfiles = new TemplateEngine();
        TargetDefinition target;
        if (options.Connection is { } connection)
        {
            target = Profiles.FromConnection(connection, project.ProfileName ?? project.Name);
        }
        else
        {
            var profileFile = Profiles.Find(options.ProfilesDir is null ? null : Path.GetFullPath(options.ProfilesDir), projectDir, options.Environment);
            target = Profiles.Load(profileFile, project.ProfileName ?? project.Name, options.Target, projectDir, (text, _) => RenderProfileValue(engineForProfiles, text, options.Environment, cliVars, profileFile));
        }

        var runtime = new DbtRuntime(project, target, cliVars, options.Environment, Message);
        var manifest = ManifestBuilder.Build(runtime, warnings);
        runtime.Manifest = manifest;
        foreach (var warning in warnings)
        {
            Message("warning: " + warning);
        }

        var targetPath = Path.Combine(projectDir, project.TargetPath);
        Directory.CreateDirectory(targetPath);
        var selected = Selector.Select(manifest, options.Select, options.Exclude, options.IndirectSelection);
        var nodes = manifest.TopologicalOrder().Where(n => selected.Contains(n.UniqueId)).ToList();

        if (command == DbtCommand.Parse)
        {
            await ArtifactWriter.WriteManifestAsync(targetPath, runtime, manifest, cancellationToken).ConfigureAwait(false);
            return new DbtRunSummary(command, [], [], clock.Elapsed, warnings, targetPath);
        }

        if (command == DbtCommand.List)
        {
            var types = options.ResourceTypes.Count > 0 ? options.ResourceTypes.ToHashSet(StringComparer.Ordinal) : null;
            var listed = (options.Select.Count > 0 ? manifest.TopologicalOrder().Where(n => selected.Contains(n.UniqueId)) : manifest.TopologicalOrder())
                .Where(n => types is null || types.Contains(n.ResourceTypeName))
                .OrderBy(n => n.UniqueId, StringComparer.Ordinal)
                .Select(Describe)
                .ToList();
            if (options.WriteArtifacts)
            {
                await ArtifactWriter.WriteManifestAsync(targetPath, runtime, manifest, cancellationToken).ConfigureAwait(false);
            }

            return new DbtRunSummary(command, [], listed, clock.Elapsed, warnings, targetPath);
        }

        var compiler = new Compiler(runtime);
        await using var warehouse = Warehouses.Open(target.Warehouse);
        runtime.Warehouse = warehouse;
        if (command == DbtCommand.RunOperation)
        {
            var returned = Operation(runtime, options.Operation ?? throw new ModelingException("run-operation needs the name of a macro"), ParseVars(options.OperationArgs));
            if (returned is not (null or "") && !string.IsNullOrWhiteSpace(Py.Str(returned)))
            {
                Message(Py.Str(returned).Trim());
            }

            return new DbtRunSummary(command, [], [], clock.Elapsed, warnings, targetPath);
        }

        if (command == DbtCommand.SourceFreshness)
        {
            var sources = manifest.TopologicalOrder().Where(n => n.Type == NodeType.Source && (options.Select.Count == 0 || selected.Contains(n.UniqueId))).ToList();
            var checkedSources = await Freshness.CheckAsync(runtime, warehouse, sources, targetPath, r => options.OnNodeFinished?.Invoke(r), cancellationToken).ConfigureAwait(false);
            return new DbtRunSummary(command, checkedSources, [], clock.Elapsed, warnings, targetPath);
        }

        var hooks = command is DbtCommand.Seed or DbtCommand.Run or DbtCommand.Build or DbtCommand.Test or DbtCommand.Snapshot;
        var executor = new NodeExecutor(runtime, compiler, warehouse, targetPath, options);
        var runnable = nodes.Where(n => command switch
        {
            DbtCommand.Seed => n.Type == NodeType.Seed,
            DbtCommand.Run => n.Type == NodeType.Model && !n.IsEphemeral,
            DbtCommand.Test => n.Type == NodeType.Test,
            DbtCommand.Compile or DbtCommand.DocsGenerate => n.Type is NodeType.Model or NodeType.Test or NodeType.Snapshot,
            DbtCommand.Build => n.Type is NodeType.Seed or NodeType.Test or NodeType.Snapshot || (n.Type == NodeType.Model && !n.IsEphemeral),
            DbtCommand.Snapshot => n.Type == NodeType.Snapshot,
            _ => false,
        }).ToList();

        if (hooks)
        {
            // Each schema once, before nodes run in parallel: concurrent CREATE SCHEMA IF NOT EXISTS collide on PostgreSQL.
            var schemas = runnable
                .Where(n => n.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot || (n.Type == NodeType.Test && (options.StoreFailures || Py.Truthy(n.Config.Get("store_failures")))))
                .Select(n => n.Schema)
                .Distinct(StringComparer.Ordinal);
            foreach (var schema in schemas)
            {
                await warehouse.CreateSchemaAsync(schema, cancellationToken).ConfigureAwait(false);
            }
        }

        if (hooks)
        {
            RunProjectHooks(runtime, "on-run-start", project.OnRunStart, null);
        }

        var scheduler = new Scheduler(manifest, runnable, command == DbtCommand.Build, options.Threads ?? target.Threads, options.FailFast);
        var results = await scheduler.RunAsync(
            (node, index, total, thread, token) => command is DbtCommand.Compile or DbtCommand.DocsGenerate
                ? executor.CompileOnlyAsync(node, index, total, thread)
                : executor.ExecuteAsync(node, index, total, thread, token),
            result => options.OnNodeFinished?.Invoke(result),
            cancellationToken).ConfigureAwait(false);

        if (hooks)
        {
            RunProjectHooks(runtime, "on-run-end", project.OnRunEnd, results);
        }

        await ArtifactWriter.WriteManifestAsync(targetPath, runtime, manifest, cancellationToken).ConfigureAwait(false);
        if (command == DbtCommand.DocsGenerate)
        {
            await ArtifactWriter.WriteCatalogAsync(targetPath, runtime, manifest, warehouse, cancellationToken).ConfigureAwait(false);
            await ArtifactWriter.WriteDocsSiteAsync(targetPath, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ArtifactWriter.WriteRunResultsAsync(targetPath, runtime, command, options, results, clock.Elapsed, cancellationToken).ConfigureAwait(false);
        }

        return new DbtRunSummary(command, results, [], clock.Elapsed, warnings, targetPath);
    }

    /// <summary>A context for project-level SQL (hooks, operations): the project's macros, target, run_query, no node.</summary>
    private static NodeContext ProjectContext(DbtRuntime runtime, string name) => new(runtime, new ManifestNode
    {
        UniqueId = $"operation.{runtime.Project.Name}.{name}",
        Name = name,
        Type = NodeType.Model,
        Package = runtime.Project.Name,
        OriginalFilePath = "dbt_project.yml",
        Path = "dbt_project.yml",
        Fqn = [runtime.Project.Name, name],
        Database = runtime.Target.Database,
        Schema = runtime.Target.Schema,
        Alias = name,
    }, execute: true);

    private static void RunProjectHooks(DbtRuntime runtime, string name, IReadOnlyList<string> hooks, IReadOnlyList<NodeResult>? results)
    {
        if (hooks.Count == 0)
        {
            return;
        }

        var context = ProjectContext(runtime, name);
        if (results is not null)
        {
            var manifest = runtime.Manifest!;
            context.Scope.Set("results", results.Select(r => (object?)new PyDict
            {
                ["node"] = new PyDict { ["unique_id"] = r.UniqueId, ["name"] = r.Name, ["resource_type"] = r.ResourceType },
                ["status"] = r.Status.ToString().ToLowerInvariant(),
                ["message"] = r.Message,
                ["execution_time"] = r.Duration.TotalSeconds,
                ["failures"] = r.Failures,
            }).ToList());
            var schemas = results.Select(r => manifest.Nodes[r.UniqueId].Schema).Distinct(StringComparer.Ordinal).ToList();
            context.Scope.Set("schemas", schemas.Select(s => (object?)s).ToList());
            context.Scope.Set("database_schemas", schemas.Select(s => (object?)new PyTuple([runtime.Target.Database, s])).ToList());
        }

        foreach (var (hook, i) in hooks.Select((h, i) => (h, i)))
        {
            string sql;
            try
            {
                sql = context.RenderString(hook);
            }
            catch (ModelingException e)
            {
                throw new ModelingException($"{name} hook {i + 1} failed: {e.Message}", e);
            }

            if (string.IsNullOrWhiteSpace(sql))
            {
                continue;
            }

            try
            {
                Sync.Wait(runtime.Warehouse!.ExecuteAsync(sql, CancellationToken.None));
            }
            catch (WarehouseException e)
            {
                throw new ModelingException($"{name} hook {i + 1} failed: {e.Message}", e);
            }
        }
    }

    private static object? Operation(DbtRuntime runtime, string macro, PyDict args)
    {
        if (runtime.FindMacro(macro) is null)
        {
            throw new ModelingException($"run-operation: no macro named '{macro}' in this project");
        }

        var context = ProjectContext(runtime, macro);
        var keywords = args.ToDictionary(kv => Py.Str(kv.Key), kv => kv.Value, StringComparer.Ordinal);
        try
        {
            return context.CallMacro(macro, new Arguments([], keywords));
        }
        catch (WarehouseException e)
        {
            throw new ModelingException($"run-operation {macro} failed: {e.Message}", e);
        }
    }

    private static DbtNodeInfo Describe(ManifestNode node)
    {
        var selector = node.Type == NodeType.Source
            ? $"source:{node.Package}.{node.Source!.SourceName}.{node.Source.TableName}"
            : string.Join('.', node.Fqn);
        var relation = node.Type is NodeType.Test || node.IsEphemeral ? null : $"{node.Database}.{node.Schema}.{node.Alias}";
        var meta = node.Config.Get("meta") as PyDict;
        var owners = (meta?.Get("owner") ?? meta?.Get("owners")) switch
        {
            null => [],
            List<object?> list => list.Select(o => Py.Str(o)).ToList(),
            var one => (IReadOnlyList<string>)[Py.Str(one)],
        };
        return new DbtNodeInfo(node.UniqueId, node.Name, node.ResourceTypeName, selector, node.OriginalFilePath, relation)
        {
            DependsOn = node.Type == NodeType.Test && node.Test is { } test ? [test.AttachedNode, .. node.DependsOn.Where(d => d != test.AttachedNode)] : node.DependsOn.ToList(),
            Tags = node.Tags,
            Description = node.Description.Length > 0 ? node.Description : node.Source?.SourceDescription ?? "",
            SourceName = node.Source?.SourceName,
            TableName = node.Source?.TableName,
            AttachedNode = node.Test?.AttachedNode ?? node.UnitTest?.ModelId,
            ErrorSeverity = !string.Equals(node.Config.Get("severity") as string, "warn", StringComparison.OrdinalIgnoreCase),
            Group = node.Config.Get("group") as string ?? meta?.Get("group") as string,
            Owners = owners,
            Materialized = node.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot ? node.Materialized : null,
            Schema = relation is null ? null : node.Schema,
            Identifier = relation is null ? null : node.Alias,
            Meta = PlainValues.Of(node.Source is { } source ? Merge(source.Meta, meta) : meta),
            Test = node.Test is { } generic ? new DbtTestInfo(generic.TestName, generic.Namespace, generic.ColumnName, PlainValues.Of(generic.Kwargs)) : null,
            Freshness = node.Source?.LoadedAtField is { } loadedAt && node.Config.Get("freshness") is PyDict policy
                ? new DbtSourceFreshness(loadedAt, Execution.Freshness.Period(policy.Get("warn_after")), Execution.Freshness.Period(policy.Get("error_after")))
                : null,
        };
    }

    private static PyDict Merge(PyDict first, PyDict? second)
    {
        var merged = new PyDict();
        foreach (var (key, value) in first)
        {
            merged[key] = value;
        }

        foreach (var (key, value) in second ?? [])
        {
            merged[key] = value;
        }

        return merged;
    }

    private static PyDict ParseVars(string? vars)
    {
        if (string.IsNullOrWhiteSpace(vars))
        {
            return new PyDict();
        }

        return Yaml.ToValue(Yaml.Parse(vars, "--vars")) as PyDict
            ?? throw new ModelingException("--vars must be a YAML or JSON mapping, for example --vars '{start_date: 2024-01-01}'");
    }

    private static string RenderProfileValue(TemplateEngine engine, string text, Func<string, string?> environment, PyDict vars, string file)
    {
        if (!NativeValues.IsTemplate(text))
        {
            return text;
        }

        var scope = engine.CreateScope(new Dictionary<string, object?>
        {
            ["env_var"] = new PyFunction("env_var", a =>
            {
                var name = Py.Str(a.Get(0, "var"));
                return environment(name) ?? (a.Has(1, "default") ? a.Get(1, "default") : throw new TemplateRaisedException($"Env var required but not provided: '{name}'"));
            }),
            ["var"] = new PyFunction("var", a => vars.Get(Py.Str(a.Get(0, "name"))) ?? a.Get(1, "default")),
        });
        try
        {
            return engine.Parse(text, file).Render(scope);
        }
        catch (TemplateException e)
        {
            throw new ModelingException($"{file}: {e.Reason}", e);
        }
    }

    internal static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}

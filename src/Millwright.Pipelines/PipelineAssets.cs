using System.Diagnostics;
using System.Globalization;
using Millwright.Modeling.Templating;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Execution;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>The computations of pipeline.yml assets: SQL on the workspace warehouse, or a command.</summary>
internal static class PipelineAssets
{
    public static AssetsDefinition Build(AssetDecl asset, PipelineFile pipeline, IWarehouse warehouse)
    {
        var engine = new TemplateEngine();
        Template? template = null;
        if (asset.Sql is { } sql)
        {
            try
            {
                template = engine.Parse(sql, $"{asset.Where} ({asset.Key} sql)");
            }
            catch (TemplateException e)
            {
                throw new PipelineException($"{asset.Where}: asset {asset.Key}: {e.Message}", e);
            }
        }

        var checks = asset.Checks.Select(check =>
        {
            var checkTemplate = engine.Parse(check.Sql, $"{asset.Where} ({asset.Key} check {check.Name})");
            return new AssetCheckSpec(check.Name, asset.Key)
            {
                Blocking = check.Blocking,
                Description = check.Description,
                Evaluate = async ctx =>
                {
                    var query = Render(engine, checkTemplate, ctx, asset, pipeline, warehouse.Dialect);
                    var failures = Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT COUNT(*) FROM ({query}) AS failures", ctx.CancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    return new CheckOutcome(failures == 0, failures == 0 ? $"{check.Name}: no failing rows" : $"{check.Name}: {failures} failing row(s)", new Dictionary<string, object?> { ["failures"] = failures });
                },
            };
        }).ToList();

        AssetCompute compute = template is not null
            ? ctx => MaterializeSqlAsync(engine, template, asset, pipeline, warehouse, ctx)
            : ctx => RunCommandAsync(asset, pipeline, ctx);
        return new AssetsDefinition(asset.Key.Path, [asset.Spec], compute)
        {
            Retry = asset.Retry,
            Pool = asset.Pool,
            Checks = checks,
            FileFolders = pipeline.FileFolders,
        };
    }

    /// <summary>The asset's table or view: <c>raw/readings</c> is <c>raw.readings</c>; a one-segment key lands in the default schema.</summary>
    public static RelationName Relation(AssetKey key)
    {
        var segments = key.Segments.Select(s => s.Replace('-', '_').Replace('.', '_')).ToList();
        return segments.Count == 1 ? RelationName.Of(segments[0]) : RelationName.Of(string.Join('_', segments.Take(segments.Count - 1)), segments[^1]);
    }

    /// <summary>
    /// Renders an asset's SQL. Every value that comes with the run (its id, partition, file and tags) renders as a
    /// quoted SQL literal of the warehouse's dialect, never as bare text, so a value cannot change the statement;
    /// <c>literal(x)</c> quotes a value the template builds itself. The file is checked again here against the
    /// pipeline's folders, as the run may have been queued by an older definition.
    /// </summary>
    private static string Render(TemplateEngine engine, Template template, AssetContext ctx, AssetDecl asset, PipelineFile pipeline, SqlDialect dialect)
    {
        var window = ctx.PartitionWindow;
        SqlLiteral? Literal(string? value) => value is null ? null : new SqlLiteral(value, dialect);
        string? file = null;
        if (ctx.Tags.TryGetValue(RunFiles.Tag, out var tagged))
        {
            try
            {
                file = RunFiles.Resolve(tagged, pipeline.FileFolders);
            }
            catch (Millwright.Orchestration.OrchestrationException e)
            {
                throw new PipelineException($"asset {asset.Key}: {e.Message}", e);
            }
        }

        var scope = engine.CreateScope(new Dictionary<string, object?>
        {
            ["run_id"] = Literal(ctx.RunId),
            ["pipeline_dir"] = pipeline.Folder,
            ["asset"] = asset.Key.Path,
            ["this"] = Relation(asset.Key).ToString(),
            ["partition_key"] = Literal(ctx.PartitionKey),
            ["partition_start"] = Literal(window?.Start.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
            ["partition_end"] = Literal(window?.End.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)),
            ["file"] = Literal(file),
            ["tags"] = new PyDict(ctx.Tags.Select(t => new KeyValuePair<string, object?>(t.Key, Literal(t.Value)))),
            ["literal"] = new LiteralFunction(dialect),
        });
        try
        {
            return template.Render(scope);
        }
        catch (TemplateException e)
        {
            throw new PipelineException($"{asset.Where}: asset {asset.Key}: {e.Message}", e);
        }
    }

    private static async Task MaterializeSqlAsync(TemplateEngine engine, Template template, AssetDecl asset, PipelineFile pipeline, IWarehouse warehouse, AssetContext ctx)
    {
        var sql = Render(engine, template, ctx, asset, pipeline, warehouse.Dialect);
        var relation = Relation(asset.Key);
        if (relation.Schema is { } schema)
        {
            await warehouse.CreateSchemaAsync(schema, ctx.CancellationToken).ConfigureAwait(false);
        }

        var quoted = warehouse.Dialect.Render(relation);
        if (asset.PartitionColumn is { } column && ctx.PartitionKey is { } partition)
        {
            // A partition replaces only its own rows, in one transaction.
            if (await warehouse.GetRelationAsync(relation, ctx.CancellationToken).ConfigureAwait(false) is null)
            {
                await warehouse.CreateOrReplaceAsync(relation, RelationKind.Table, $"SELECT * FROM ({sql}) AS first_partition WHERE 1 = 0", ctx.CancellationToken).ConfigureAwait(false);
            }

            var col = warehouse.Dialect.QuoteIdentifier(column);
            var predicate = ctx.PartitionWindow is { } window
                ? $"{col} >= TIMESTAMP '{window.Start.UtcDateTime:yyyy-MM-dd HH:mm:ss}' AND {col} < TIMESTAMP '{window.End.UtcDateTime:yyyy-MM-dd HH:mm:ss}'"
                : $"CAST({col} AS TEXT) = {warehouse.Dialect.QuoteLiteral(partition)}";
            await warehouse.ExecuteInTransactionAsync([$"DELETE FROM {quoted} WHERE {predicate}", $"INSERT INTO {quoted} SELECT * FROM ({sql}) AS partition_rows"], ctx.CancellationToken).ConfigureAwait(false);
            ctx.AddMetadata("partition_rows", Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT COUNT(*) FROM {quoted} WHERE {predicate}", ctx.CancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture));
        }
        else
        {
            await warehouse.CreateOrReplaceAsync(relation, asset.Materialized == RelationKindName.View ? RelationKind.View : RelationKind.Table, sql, ctx.CancellationToken).ConfigureAwait(false);
        }

        ctx.AddMetadata("relation", relation.ToString());
        if (asset.Materialized == RelationKindName.Table)
        {
            ctx.AddMetadata("row_count", Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT COUNT(*) FROM {quoted}", ctx.CancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture));
        }

        var columns = await warehouse.GetColumnsAsync(relation, ctx.CancellationToken).ConfigureAwait(false);
        ctx.AddMetadata("schema", columns.Select(c => new Dictionary<string, object?> { ["name"] = c.Name, ["type"] = c.EngineType }).ToList());
    }

    private static async Task RunCommandAsync(AssetDecl asset, PipelineFile pipeline, AssetContext ctx)
    {
        var command = asset.Command!;
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = pipeline.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MILLWRIGHT_RUN_ID"] = ctx.RunId;
        start.Environment["MILLWRIGHT_ASSET"] = asset.Key.Path;
        start.Environment["MILLWRIGHT_PARTITION"] = ctx.PartitionKey ?? "";
        start.Environment["MILLWRIGHT_FILE"] = ctx.Tags.TryGetValue(RunFiles.Tag, out var file) ? RunFiles.Resolve(file, pipeline.FileFolders) : "";
        start.Environment["MILLWRIGHT_ATTEMPT"] = ctx.Attempt.ToString(CultureInfo.InvariantCulture);

        using var process = new Process { StartInfo = start };
        var errors = new Queue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                ctx.Log(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                ctx.Log(line, "warning");
                lock (errors)
                {
                    errors.Enqueue(line);
                    if (errors.Count > 5)
                    {
                        errors.Dequeue();
                    }
                }
            }
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PipelineException($"{asset.Where}: asset {asset.Key}: cannot start '{command[0]}': {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            string tail;
            lock (errors)
            {
                tail = string.Join(" | ", errors);
            }

            throw new PipelineException($"asset {asset.Key}: '{string.Join(' ', command)}' exited with code {process.ExitCode}" + (tail.Length > 0 ? $": {tail}" : ""));
        }
    }
}

/// <summary>A value that renders as a quoted SQL string literal of the warehouse's dialect (<c>'it''s'</c>).</summary>
internal sealed class SqlLiteral(string value, SqlDialect dialect)
{
    public string Value { get; } = value;

    public override string ToString() => dialect.QuoteLiteral(Value);
}

/// <summary><c>literal(x)</c> in an asset's SQL: x as a quoted SQL literal.</summary>
internal sealed class LiteralFunction(SqlDialect dialect) : IPyCallable
{
    public object? Invoke(Arguments arguments) =>
        arguments.Required(0, "value", "literal") switch
        {
            SqlLiteral already => already,
            var value => new SqlLiteral(Py.Str(value), dialect),
        };
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Millwright.Modeling.Compilation;
using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Artifacts;

/// <summary>
/// Writes dbt's artifacts into target/: manifest.json, run_results.json and catalog.json, shaped as dbt shapes
/// them so tools that read dbt artifacts can read these; each names its JSON schema (schemas/modeling/ in the repo).
/// </summary>
internal static class ArtifactWriter
{
    public const string SchemaBase = "https://millwright.dev/schemas/modeling/";

    private static readonly JsonWriterOptions Indented = new() { Indented = true };
    private static readonly string[] EmptySections = ["exposures", "metrics", "groups", "selectors", "group_map", "semantic_models", "saved_queries"];
    private static readonly string[] CatalogSections = ["nodes", "sources"];

    public static Task WriteManifestAsync(string targetPath, DbtRuntime runtime, ProjectManifest manifest, CancellationToken cancellationToken) =>
        WriteAsync(Path.Combine(targetPath, "manifest.json"), w =>
        {
            w.WriteStartObject();
            Metadata(w, runtime, "manifest");
            w.WriteStartObject("nodes");
            foreach (var node in manifest.Nodes.Values.Where(n => n.Type != NodeType.Source && n.UnitTest is null).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
            {
                w.WritePropertyName(node.UniqueId);
                Node(w, node, runtime.Target.Warehouse.Engine.Dialect());
            }

            w.WriteEndObject();
            w.WriteStartObject("sources");
            foreach (var node in manifest.Nodes.Values.Where(n => n.Type == NodeType.Source).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
            {
                w.WritePropertyName(node.UniqueId);
                Node(w, node, runtime.Target.Warehouse.Engine.Dialect());
            }

            w.WriteEndObject();
            w.WriteStartObject("macros");
            foreach (var macro in runtime.AllMacros.OrderBy(m => m.Definition.Name, StringComparer.Ordinal))
            {
                var id = $"macro.{macro.Package}.{macro.Definition.Name}";
                w.WriteStartObject(id);
                w.WriteString("unique_id", id);
                w.WriteString("name", macro.Definition.Name);
                w.WriteString("package_name", macro.Package);
                w.WriteString("original_file_path", macro.OriginalFilePath);
                w.WriteNumber("line", macro.Definition.Line);
                w.WriteStartArray("arguments");
                foreach (var argument in macro.Definition.ParameterNames)
                {
                    w.WriteStartObject();
                    w.WriteString("name", argument);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("docs");
            foreach (var (name, text) in runtime.Docs.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                var id = $"doc.{runtime.Project.Name}.{name}";
                w.WriteStartObject(id);
                w.WriteString("unique_id", id);
                w.WriteString("name", name);
                w.WriteString("package_name", runtime.Project.Name);
                w.WriteString("block_contents", text);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartObject("disabled");
            foreach (var group in manifest.Disabled.GroupBy(n => n.UniqueId).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                w.WriteStartArray(group.Key);
                foreach (var node in group)
                {
                    Node(w, node, runtime.Target.Warehouse.Engine.Dialect());
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            Map(w, "parent_map", manifest.Nodes.Values.ToDictionary(n => n.UniqueId, n => (IEnumerable<string>)n.DependsOn));
            Map(w, "child_map", manifest.Children.ToDictionary(kv => kv.Key, kv => (IEnumerable<string>)kv.Value));
            w.WriteStartObject("unit_tests");
            foreach (var node in manifest.Nodes.Values.Where(n => n.UnitTest is not null).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
            {
                w.WriteStartObject(node.UniqueId);
                w.WriteString("unique_id", node.UniqueId);
                w.WriteString("name", node.Name);
                w.WriteString("resource_type", "unit_test");
                w.WriteString("package_name", node.Package);
                w.WriteString("original_file_path", node.OriginalFilePath);
                Strings(w, "fqn", node.Fqn);
                w.WriteString("model", manifest.Nodes[node.UnitTest!.ModelId].Name);
                w.WriteString("description", node.Description);
                w.WritePropertyName("config");
                Value(w, node.Config);
                w.WriteStartObject("depends_on");
                Strings(w, "nodes", node.DependsOn);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndObject();
            foreach (var empty in EmptySections)
            {
                w.WriteStartObject(empty);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }, cancellationToken);

    public static Task WriteRunResultsAsync(string targetPath, DbtRuntime runtime, DbtCommand command, DbtOptions options, IReadOnlyList<NodeResult> results, TimeSpan elapsed, CancellationToken cancellationToken) =>
        WriteAsync(Path.Combine(targetPath, "run_results.json"), w =>
        {
            w.WriteStartObject();
            Metadata(w, runtime, "run_results");
            w.WriteStartArray("results");
            foreach (var result in results)
            {
                var node = runtime.Manifest!.Nodes[result.UniqueId];
                w.WriteStartObject();
                w.WriteString("unique_id", result.UniqueId);
                w.WriteString("status", result.Status switch
                {
                    NodeStatus.Success => "success",
                    NodeStatus.Error => "error",
                    NodeStatus.Skipped => "skipped",
                    NodeStatus.Pass => "pass",
                    NodeStatus.Fail => "fail",
                    _ => "warn",
                });
                w.WriteStartArray("timing");
                w.WriteEndArray();
                w.WriteString("thread_id", result.ThreadId ?? "main");
                w.WriteNumber("execution_time", Math.Round(result.Duration.TotalSeconds, 6));
                w.WriteStartObject("adapter_response");
                w.WriteString("_message", result.Message);
                w.WriteEndObject();
                w.WriteString("message", result.Message);
                if (result.Failures is { } failures)
                {
                    w.WriteNumber("failures", failures);
                }
                else
                {
                    w.WriteNull("failures");
                }

                if (node.CompiledCode is { } compiled)
                {
                    w.WriteString("compiled_code", compiled);
                }

                Nullable(w, "relation_name", RelationName(node, runtime.Target.Warehouse.Engine.Dialect()));

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("elapsed_time", Math.Round(elapsed.TotalSeconds, 6));
            w.WriteStartObject("args");
            w.WriteString("which", command.ToString().ToLowerInvariant());
            w.WriteString("project_dir", Path.GetFullPath(options.ProjectDir));
            w.WriteString("target", runtime.Target.Name);
            Strings(w, "select", options.Select);
            Strings(w, "exclude", options.Exclude);
            w.WriteBoolean("full_refresh", options.FullRefresh);
            w.WriteEndObject();
            w.WriteEndObject();
        }, cancellationToken);

    public static async Task WriteCatalogAsync(string targetPath, DbtRuntime runtime, ProjectManifest manifest, IWarehouse warehouse, CancellationToken cancellationToken)
    {
        var entries = new List<(ManifestNode Node, RelationInfo? Relation, IReadOnlyList<ColumnInfo> Columns)>();
        var errors = new List<string>();
        foreach (var node in manifest.Nodes.Values.Where(n => n.Type is NodeType.Model or NodeType.Seed or NodeType.Snapshot or NodeType.Source && !n.IsEphemeral).OrderBy(n => n.UniqueId, StringComparer.Ordinal))
        {
            var name = new Warehouse.RelationName(node.Schema, node.Alias);
            try
            {
                var relation = await warehouse.GetRelationAsync(name, cancellationToken).ConfigureAwait(false);
                if (relation is null)
                {
                    continue;
                }

                entries.Add((node, relation, await warehouse.GetColumnsAsync(name, cancellationToken).ConfigureAwait(false)));
            }
            catch (WarehouseException e)
            {
                errors.Add($"{node.UniqueId}: {e.Message}");
            }
        }

        await WriteAsync(Path.Combine(targetPath, "catalog.json"), w =>
        {
            w.WriteStartObject();
            Metadata(w, runtime, "catalog");
            foreach (var section in CatalogSections)
            {
                w.WriteStartObject(section);
                foreach (var (node, relation, columns) in entries.Where(e => (e.Node.Type == NodeType.Source) == (section == "sources")))
                {
                    w.WriteStartObject(node.UniqueId);
                    w.WriteString("unique_id", node.UniqueId);
                    w.WriteStartObject("metadata");
                    w.WriteString("type", relation!.Kind == RelationKind.View ? "VIEW" : "BASE TABLE");
                    w.WriteString("database", node.Database);
                    w.WriteString("schema", node.Schema);
                    w.WriteString("name", node.Alias);
                    w.WriteNull("comment");
                    w.WriteNull("owner");
                    w.WriteEndObject();
                    w.WriteStartObject("columns");
                    foreach (var column in columns)
                    {
                        w.WriteStartObject(column.Name);
                        w.WriteString("name", column.Name);
                        w.WriteString("type", column.EngineType);
                        w.WriteNumber("index", column.Ordinal);
                        w.WriteNull("comment");
                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                    w.WriteStartObject("stats");
                    w.WriteStartObject("has_stats");
                    w.WriteString("id", "has_stats");
                    w.WriteString("label", "Has Stats?");
                    w.WriteBoolean("value", false);
                    w.WriteBoolean("include", false);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            Strings(w, "errors", errors);
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The documentation site: one self-contained page (the lineage script inlined) that reads manifest.json,
    /// catalog.json and run_results.json beside it.
    /// </summary>
    public static async Task WriteDocsSiteAsync(string targetPath, CancellationToken cancellationToken)
    {
        var page = await ResourceAsync("Millwright.Modeling.DocsSite.index.html", cancellationToken).ConfigureAwait(false);
        var lineage = await LineageScriptAsync(cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(targetPath, "index.html"), page.Replace("/*LINEAGE*/", lineage, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The lineage canvas script (window.MillwrightLineage) the docs site and the web app's asset graph share.</summary>
    public static Task<string> LineageScriptAsync(CancellationToken cancellationToken = default) => ResourceAsync("Millwright.Modeling.DocsSite.lineage.js", cancellationToken);

    private static async Task<string> ResourceAsync(string name, CancellationToken cancellationToken)
    {
        await using var stream = typeof(ArtifactWriter).Assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAsync(string path, Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        await using (var stream = File.Create(temp))
        {
            await using var writer = new Utf8JsonWriter(stream, Indented);
            write(writer);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void Metadata(Utf8JsonWriter w, DbtRuntime runtime, string artifact)
    {
        w.WriteStartObject("metadata");
        w.WriteString("dbt_schema_version", $"{SchemaBase}{artifact}/v1.json");
        w.WriteString("dbt_version", DbtRuntime.DbtVersion);
        w.WriteString("generator", "millwright");
        w.WriteString("generated_at", runtime.RunStartedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        w.WriteString("invocation_id", runtime.InvocationId);
        w.WriteString("project_name", runtime.Project.Name);
        w.WriteString("adapter_type", runtime.Target.Type);
        w.WriteStartObject("env");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string? RelationName(ManifestNode node, SqlDialect dialect) =>
        node.Type == NodeType.Test || node.IsEphemeral ? null : dialect.Render(node.Database, node.Schema, node.Alias);

    /// <summary>A node as manifest.json has it, as a template value: what dbt's <c>graph.nodes</c> and <c>graph.sources</c> hold.</summary>
    public static PyDict NodeValue(ManifestNode node, SqlDialect dialect)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            Node(w, node, dialect);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return (PyDict)DbtRuntime.FromJsonElement(document.RootElement)!;
    }

    private static void Node(Utf8JsonWriter w, ManifestNode node, SqlDialect dialect)
    {
        w.WriteStartObject();
        w.WriteString("unique_id", node.UniqueId);
        w.WriteString("name", node.Name);
        w.WriteString("resource_type", node.ResourceTypeName);
        w.WriteString("package_name", node.Package);
        w.WriteString("path", node.Path);
        w.WriteString("original_file_path", node.OriginalFilePath);
        Strings(w, "fqn", node.Fqn);
        w.WriteString("database", node.Database);
        w.WriteString("schema", node.Schema);
        w.WriteString(node.Type == NodeType.Source ? "identifier" : "alias", node.Alias);
        Nullable(w, "relation_name", RelationName(node, dialect));

        w.WritePropertyName("config");
        Value(w, node.Config);
        Strings(w, "tags", node.Tags);
        w.WriteString("description", node.Description);
        w.WriteStartObject("columns");
        foreach (var column in node.Columns.Values)
        {
            w.WriteStartObject(column.Name);
            w.WriteString("name", column.Name);
            w.WriteString("description", column.Description);
            Nullable(w, "data_type", column.DataType);

            w.WritePropertyName("meta");
            Value(w, column.Meta);
            Strings(w, "tags", column.Tags);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        if (node.PatchPath is not null)
        {
            w.WriteString("patch_path", $"{node.Package}://{node.PatchPath}");
        }

        if (node.Type == NodeType.Source)
        {
            var source = node.Source!;
            w.WriteString("source_name", source.SourceName);
            w.WriteString("source_description", source.SourceDescription);
            w.WriteString("loader", source.Loader ?? "");
            Nullable(w, "loaded_at_field", source.LoadedAtField);

            w.WritePropertyName("meta");
            Value(w, source.Meta);
            w.WriteEndObject();
            return;
        }

        w.WritePropertyName("meta");
        Value(w, node.Config.Get("meta") as PyDict ?? new PyDict());
        w.WriteString("language", "sql");
        w.WriteString("raw_code", node.RawCode);
        w.WriteBoolean("compiled", node.CompiledCode is not null);
        if (node.CompiledCode is not null)
        {
            w.WriteString("compiled_code", node.CompiledCode);
        }

        w.WriteStartObject("checksum");
        w.WriteString("name", "sha256");
        w.WriteString("checksum", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(node.Type == NodeType.Seed && node.SeedFile is not null ? File.ReadAllText(node.SeedFile) : node.RawCode))));
        w.WriteEndObject();
        w.WriteStartObject("depends_on");
        w.WriteStartArray("macros");
        w.WriteEndArray();
        Strings(w, "nodes", node.DependsOn);
        w.WriteEndObject();
        w.WriteStartArray("refs");
        foreach (var reference in node.Refs)
        {
            w.WriteStartObject();
            w.WriteString("name", reference.Name);
            Nullable(w, "package", reference.Package);

            w.WriteNull("version");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("sources");
        foreach (var (source, table) in node.SourceRefs)
        {
            w.WriteStartArray();
            w.WriteStringValue(source);
            w.WriteStringValue(table);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        if (node.Test is { } test)
        {
            w.WriteStartObject("test_metadata");
            w.WriteString("name", test.TestName);
            Nullable(w, "namespace", test.Namespace);

            w.WritePropertyName("kwargs");
            Value(w, test.Kwargs);
            w.WriteEndObject();
            Nullable(w, "column_name", test.ColumnName);

            w.WriteString("attached_node", test.AttachedNode);
        }

        w.WriteEndObject();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void Nullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void Map(Utf8JsonWriter w, string name, Dictionary<string, IEnumerable<string>> map)
    {
        w.WriteStartObject(name);
        foreach (var (key, values) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartArray(key);
            foreach (var value in values.Order(StringComparer.Ordinal))
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>A template value as JSON.</summary>
    private static void Value(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null or Undefined:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d when double.IsFinite(d):
                w.WriteNumberValue(d);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case PyDict dict:
                w.WriteStartObject();
                foreach (var (key, item) in dict)
                {
                    w.WritePropertyName(Py.Str(key));
                    Value(w, item);
                }

                w.WriteEndObject();
                break;
            case IEnumerable<object?> items:
                w.WriteStartArray();
                foreach (var item in items)
                {
                    Value(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Py.Str(value));
                break;
        }
    }
}

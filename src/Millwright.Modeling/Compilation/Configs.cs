using System.Collections.Frozen;
using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Compilation;

/// <summary>
/// dbt's node configs: keys as dbt spells them, how levels merge (tags and hooks accumulate, meta merges, the
/// rest overrides) and how a dbt_project.yml tree applies to a node by its fqn.
/// </summary>
internal static class Configs
{
    /// <summary>Config keys; in a project tree a plain key (no '+') is a config only when it is one of these.</summary>
    public static readonly FrozenSet<string> Known = new[]
    {
        "materialized", "schema", "alias", "database", "tags", "enabled", "pre-hook", "post-hook", "persist_docs", "full_refresh",
        "meta", "docs", "column_types", "quote_columns", "delimiter", "severity", "warn_if", "error_if", "store_failures",
        "store_failures_as", "where", "limit", "fail_calc", "unique_key", "incremental_strategy", "on_schema_change", "contract",
        "grants", "access", "group", "sql_header", "quoting", "bind", "indexes", "packages", "event_time", "strategy",
        "updated_at", "check_cols", "target_schema", "target_database", "invalidate_hard_deletes", "snapshot_meta_column_names",
        "hard_deletes", "dbt_valid_to_current", "batch_size", "lookback", "begin", "concurrent_batches", "merge_update_columns",
        "merge_exclude_columns", "incremental_predicates", "on_configuration_change", "cluster_by", "partition_by", "labels",
        "transient", "copy_grants", "file_format", "location", "external_location", "options", "loaded_at_field", "freshness",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly HashSet<string> DictValued = ["meta", "docs", "persist_docs", "column_types", "grants", "quoting", "contract", "freshness", "snapshot_meta_column_names"];

    public static string NormalizeKey(string key)
    {
        key = key.TrimStart('+');
        return key switch
        {
            "pre_hook" => "pre-hook",
            "post_hook" => "post-hook",
            _ => key,
        };
    }

    /// <summary>Merges one key into a config: tags union, hooks append, meta/docs-like dicts merge, others replace.</summary>
    public static void MergeInto(PyDict config, string rawKey, object? value)
    {
        var key = NormalizeKey(rawKey);
        switch (key)
        {
            case "tags":
                {
                    var tags = config.Get("tags") as List<object?> ?? [];
                    foreach (var tag in value is string s ? [s] : Py.ToList(value))
                    {
                        if (!tags.Any(t => Py.Equal(t, tag)))
                        {
                            tags.Add(tag);
                        }
                    }

                    config["tags"] = tags;
                    break;
                }

            case "pre-hook" or "post-hook":
                {
                    var hooks = config.Get(key) as List<object?> ?? [];
                    hooks.AddRange(value is string or PyDict ? [value] : Py.ToList(value));
                    config[key] = hooks;
                    break;
                }

            default:
                if (DictValued.Contains(key) && value is PyDict incoming && config.Get(key) is PyDict existing)
                {
                    var merged = new PyDict();
                    foreach (var (k, v) in existing)
                    {
                        merged[k] = v;
                    }

                    foreach (var (k, v) in incoming)
                    {
                        merged[k] = v;
                    }

                    config[key] = merged;
                }
                else
                {
                    config[key] = value;
                }

                break;
        }
    }

    public static void MergeAll(PyDict config, PyDict? source)
    {
        if (source is null)
        {
            return;
        }

        foreach (var (key, value) in source)
        {
            MergeInto(config, Py.Str(key), value);
        }
    }

    /// <summary>Whether a key of a project tree is a config rather than a folder or node name.</summary>
    public static bool IsConfigKey(string key, object? value) =>
        key.StartsWith('+') || (Known.Contains(NormalizeKey(key)) && (value is not PyDict || DictValued.Contains(key)));

    /// <summary>Applies the configs a project tree gives a node: each level along its fqn, outermost first.</summary>
    public static void ApplyTree(PyDict config, PyDict tree, IReadOnlyList<string> fqn, ISet<string>? usedPaths = null)
    {
        var level = tree;
        ApplyLevel(config, level);
        var path = "";
        foreach (var part in fqn)
        {
            if (level.Get(part) is not PyDict next || IsConfigKey(part, next))
            {
                break;
            }

            path = path.Length == 0 ? part : path + "." + part;
            usedPaths?.Add(path);
            level = next;
            ApplyLevel(config, level);
        }
    }

    private static void ApplyLevel(PyDict config, PyDict level)
    {
        foreach (var (rawKey, value) in level)
        {
            var key = Py.Str(rawKey);
            if (IsConfigKey(key, value))
            {
                MergeInto(config, key, value);
            }
        }
    }

    /// <summary>Every folder path a tree configures, for the warning about paths that match nothing.</summary>
    public static IEnumerable<string> TreePaths(PyDict tree, string prefix = "")
    {
        foreach (var (rawKey, value) in tree)
        {
            var key = Py.Str(rawKey);
            if (value is PyDict child && !IsConfigKey(key, value))
            {
                var path = prefix.Length == 0 ? key : prefix + "." + key;
                yield return path;
                foreach (var nested in TreePaths(child, path))
                {
                    yield return nested;
                }
            }
        }
    }
}

using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Incremental models: the new rows are built into a work table, the target's columns are reconciled as
/// on_schema_change says, and the strategy (append, delete+insert, merge) applies them to the target in one
/// transaction, so a failure leaves the target as it was.
/// </summary>
internal static class Incremental
{
    public static readonly IReadOnlyList<string> Strategies = ["append", "delete+insert", "merge"];

    public static readonly IReadOnlyList<string> SchemaChanges = ["ignore", "fail", "append_new_columns", "sync_all_columns"];

    /// <summary>The strategy a model uses: its config, else delete+insert with a unique key, else append.</summary>
    public static string Strategy(ManifestNode node) =>
        node.Config.Get("incremental_strategy") as string ?? (UniqueKey(node).Count > 0 ? "delete+insert" : "append");

    public static IReadOnlyList<string> UniqueKey(ManifestNode node) => node.Config.Get("unique_key") switch
    {
        null => [],
        string s => [s],
        var list => Py.ToList(list).Select(k => Py.Str(k)).ToList(),
    };

    /// <summary>Fails at parse time, naming the model, for a strategy or on_schema_change this engine does not know.</summary>
    public static void Validate(ManifestNode node)
    {
        if (node.Materialized != "incremental")
        {
            return;
        }

        var strategy = Strategy(node);
        if (!Strategies.Contains(strategy))
        {
            throw new ModelingException($"Compilation Error in model {node.Name} ({node.OriginalFilePath})\n  unknown incremental_strategy '{strategy}': use {string.Join(", ", Strategies)}");
        }

        if (strategy is "merge" or "delete+insert" && UniqueKey(node).Count == 0)
        {
            throw new ModelingException($"Compilation Error in model {node.Name} ({node.OriginalFilePath})\n  incremental_strategy '{strategy}' needs a unique_key");
        }

        var change = node.Config.Get("on_schema_change") as string ?? "ignore";
        if (!SchemaChanges.Contains(change))
        {
            throw new ModelingException($"Compilation Error in model {node.Name} ({node.OriginalFilePath})\n  unknown on_schema_change '{change}': use {string.Join(", ", SchemaChanges)}");
        }
    }

    /// <summary>Applies the model's new rows (<paramref name="sql"/>) to its existing table; returns a summary.</summary>
    public static async Task<string> ApplyAsync(IWarehouse warehouse, ManifestNode node, string sql, CancellationToken cancellationToken)
    {
        if (Strategy(node) == "merge" && !warehouse.Engine.Capabilities().SupportsMerge)
        {
            throw new ModelingException($"Runtime Error in model {node.Name} ({node.OriginalFilePath})\n  incremental_strategy 'merge' needs MERGE, which {warehouse.Engine.DisplayName()} does not have: use delete+insert");
        }

        var dialect = warehouse.Dialect;
        var target = new RelationName(node.Schema, node.Alias);
        var work = new RelationName(node.Schema, dialect.WorkName(node.Alias, "dbt_tmp"));
        await warehouse.ExecuteAsync(dialect.CreateTableAs(work, sql), cancellationToken).ConfigureAwait(false);
        try
        {
            var incoming = await warehouse.GetColumnsAsync(work, cancellationToken).ConfigureAwait(false);
            var existing = await warehouse.GetColumnsAsync(target, cancellationToken).ConfigureAwait(false);
            var statements = new List<string>();
            var columns = ReconcileColumns(node, dialect, target, incoming, existing, statements);
            var keys = UniqueKey(node);
            foreach (var key in keys)
            {
                if (!columns.Contains(key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new ModelingException($"Runtime Error in model {node.Name} ({node.OriginalFilePath})\n  unique_key column '{key}' is not among the model's columns ({string.Join(", ", incoming.Select(c => c.Name))})");
                }
            }

            var quoted = columns.Select(dialect.QuoteIdentifier).ToList();
            var list = string.Join(", ", quoted);
            var into = dialect.Render(target);
            var from = dialect.Render(work);
            var strategy = Strategy(node);
            switch (strategy)
            {
                case "append":
                    statements.Add($"INSERT INTO {into} ({list}) SELECT {list} FROM {from}");
                    break;
                case "delete+insert" when !warehouse.Engine.Capabilities().Transactions:
                    // No transaction can hold a DELETE and an INSERT together (ClickHouse): the new table is built aside from
                    // the rows the new ones do not replace plus the new ones, and swapped in whole.
                    var keyList = string.Join(", ", keys.Select(dialect.QuoteIdentifier));
                    // A row whose key is NULL matches no new row (as DELETE ... WHERE key IN leaves it), so it stays.
                    var nullKey = string.Concat(keys.Select(k => $" OR {dialect.QuoteIdentifier(k)} IS NULL"));
                    var kept = $"SELECT {list} FROM {into} WHERE ({keyList}) NOT IN (SELECT {keyList} FROM {from}){nullKey}\nUNION ALL\nSELECT {list} FROM {from}";
                    foreach (var alter in statements)
                    {
                        await warehouse.ExecuteAsync(alter, cancellationToken).ConfigureAwait(false);
                    }

                    await warehouse.CreateOrReplaceAsync(target, RelationKind.Table, kept, node.Layout, cancellationToken).ConfigureAwait(false);
                    return string.Join(";\n", [.. statements, $"CREATE OR REPLACE TABLE {into} AS\n{kept}"]) + ";\n";
                case "delete+insert":
                    var match = string.Join(" AND ", keys.Select(k => $"{into}.{dialect.QuoteIdentifier(k)} = incoming.{dialect.QuoteIdentifier(k)}"));
                    statements.Add($"DELETE FROM {into} WHERE EXISTS (SELECT 1 FROM {from} AS incoming WHERE {match})");
                    statements.Add($"INSERT INTO {into} ({list}) SELECT {list} FROM {from}");
                    break;
                case "merge":
                    await CheckUniqueAsync(warehouse, node, work, keys, cancellationToken).ConfigureAwait(false);
                    var on = string.Join(" AND ", keys.Select(k => $"existing.{dialect.QuoteIdentifier(k)} = incoming.{dialect.QuoteIdentifier(k)}"));
                    var updates = columns.Where(c => !keys.Contains(c, StringComparer.OrdinalIgnoreCase)).Select(c => $"{dialect.QuoteIdentifier(c)} = incoming.{dialect.QuoteIdentifier(c)}").ToList();
                    var whenMatched = updates.Count > 0 ? $"\nWHEN MATCHED THEN UPDATE SET {string.Join(", ", updates)}" : "";
                    statements.Add($"MERGE INTO {into} AS existing USING {from} AS incoming ON {on}{whenMatched}\nWHEN NOT MATCHED THEN INSERT ({list}) VALUES ({string.Join(", ", quoted.Select(c => "incoming." + c))})");
                    break;
            }

            await warehouse.ExecuteInTransactionAsync(statements, cancellationToken).ConfigureAwait(false);
            return string.Join(";\n", statements) + ";\n";
        }
        finally
        {
            await warehouse.DropRelationAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A merge needs each key once among the new rows; engines differ (PostgreSQL fails, DuckDB picks one), so check first.</summary>
    private static async Task CheckUniqueAsync(IWarehouse warehouse, ManifestNode node, RelationName work, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var dialect = warehouse.Dialect;
        var keyList = string.Join(", ", keys.Select(dialect.QuoteIdentifier));
        var duplicates = new List<string>();
        await using (var result = await warehouse.QueryAsync($"SELECT {keyList}, count(*) AS n FROM {dialect.Render(work)} GROUP BY {keyList} HAVING count(*) > 1 ORDER BY n DESC LIMIT 5", cancellationToken).ConfigureAwait(false))
        {
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var values = string.Join(", ", Enumerable.Range(0, keys.Count).Select(i => Py.Str(result.GetValue(i))));
                duplicates.Add($"({values}) x{result.GetValue(keys.Count)}");
            }
        }

        if (duplicates.Count > 0)
        {
            throw new ModelingException($"Runtime Error in model {node.Name} ({node.OriginalFilePath})\n  the new rows repeat unique_key ({string.Join(", ", keys)}), so merge cannot tell which row wins: {string.Join("; ", duplicates)}");
        }
    }

    /// <summary>The columns to write, with ALTERs added to <paramref name="statements"/> as on_schema_change says.</summary>
    private static List<string> ReconcileColumns(ManifestNode node, SqlDialect dialect, RelationName target, IReadOnlyList<ColumnInfo> incoming, IReadOnlyList<ColumnInfo> existing, List<string> statements)
    {
        var added = incoming.Where(c => !existing.Any(e => Same(e.Name, c.Name))).ToList();
        var removed = existing.Where(e => !incoming.Any(c => Same(e.Name, c.Name))).ToList();
        var change = node.Config.Get("on_schema_change") as string ?? "ignore";
        if (added.Count == 0 && removed.Count == 0)
        {
            return incoming.Select(c => c.Name).ToList();
        }

        switch (change)
        {
            case "fail":
                throw new ModelingException(
                    $"Runtime Error in model {node.Name} ({node.OriginalFilePath})\n  the model's columns no longer match {target} and on_schema_change is 'fail'\n" +
                    $"  new columns: {Describe(added)}\n  missing columns: {Describe(removed)}\n" +
                    $"  model: {string.Join(", ", incoming.Select(c => $"{c.Name} {c.EngineType}"))}\n  table: {string.Join(", ", existing.Select(c => $"{c.Name} {c.EngineType}"))}");
            case "append_new_columns":
                statements.AddRange(added.Select(c => $"ALTER TABLE {dialect.Render(target)} ADD COLUMN {dialect.QuoteIdentifier(c.Name)} {c.EngineType}"));
                return incoming.Select(c => c.Name).ToList();
            case "sync_all_columns":
                statements.AddRange(added.Select(c => $"ALTER TABLE {dialect.Render(target)} ADD COLUMN {dialect.QuoteIdentifier(c.Name)} {c.EngineType}"));
                statements.AddRange(removed.Select(c => $"ALTER TABLE {dialect.Render(target)} DROP COLUMN {dialect.QuoteIdentifier(c.Name)}"));
                return incoming.Select(c => c.Name).ToList();
            default:
                // ignore: write the columns both sides have; new ones are left out, missing ones stay NULL.
                return incoming.Where(c => existing.Any(e => Same(e.Name, c.Name))).Select(c => c.Name).ToList();
        }
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Describe(List<ColumnInfo> columns) => columns.Count == 0 ? "none" : string.Join(", ", columns.Select(c => $"{c.Name} {c.EngineType}"));
}

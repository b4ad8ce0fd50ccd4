using Millwright.Modeling.Manifest;
using Millwright.Modeling.Templating;
using Millwright.Warehouse;

namespace Millwright.Modeling.Execution;

/// <summary>
/// Snapshots (type-2 history): each row of the query keeps its versions with dbt_scd_id, dbt_updated_at,
/// dbt_valid_from and dbt_valid_to. The timestamp strategy versions a row when its updated_at moves forward;
/// the check strategy when any checked column changes. Hard deletes close the current version when
/// hard_deletes is 'invalidate' (or invalidate_hard_deletes is true). Each run applies in one transaction.
/// </summary>
internal static class Snapshots
{
    private static readonly string[] MetaColumns = ["dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to"];

    public static IReadOnlyList<string> UniqueKey(ManifestNode node) => node.Config.Get("unique_key") switch
    {
        null => [],
        string s => [s],
        var list => Py.ToList(list).Select(k => Py.Str(k)).ToList(),
    };

    public static void Validate(ManifestNode node)
    {
        string Fail(string why) => throw new ModelingException($"Compilation Error in snapshot {node.Name} ({node.OriginalFilePath})\n  {why}");
        var strategy = node.Config.Get("strategy") as string;
        if (UniqueKey(node).Count == 0)
        {
            Fail("a snapshot needs a unique_key");
        }

        switch (strategy)
        {
            case "timestamp":
                if (node.Config.Get("updated_at") is not string)
                {
                    Fail("the timestamp strategy needs updated_at: the column that says when a row last changed");
                }

                break;
            case "check":
                if (node.Config.Get("check_cols") is null)
                {
                    Fail("the check strategy needs check_cols: a list of columns, or 'all'");
                }

                break;
            default:
                Fail($"unknown snapshot strategy '{strategy}': use timestamp or check");
                break;
        }

        if (node.Config.Get("hard_deletes") is string hardDeletes && hardDeletes is not ("ignore" or "invalidate"))
        {
            Fail($"hard_deletes '{hardDeletes}' is not supported: use ignore or invalidate");
        }
    }

    /// <summary>Takes a snapshot of <paramref name="sql"/>; returns the statements it ran.</summary>
    public static async Task<(string Statements, long Versions)> ApplyAsync(IWarehouse warehouse, ManifestNode node, string sql, DateTime now, CancellationToken cancellationToken)
    {
        if (!warehouse.Engine.Capabilities().Transactions)
        {
            throw new ModelingException($"Runtime Error in snapshot {node.Name} ({node.OriginalFilePath})\n  a snapshot closes and opens versions together in one transaction, which {warehouse.Engine.DisplayName()} does not have: keep history there with an incremental model (append) instead");
        }

        var d = warehouse.Dialect;
        var target = new RelationName(node.Schema, node.Alias);
        var keys = UniqueKey(node);
        var timestamp = node.Config.Get("strategy") as string == "timestamp";
        var updatedAt = node.Config.Get("updated_at") as string;
        var nowSql = $"CAST({d.Literal(now)} AS TIMESTAMP)";
        string Q(string identifier) => d.QuoteIdentifier(identifier);
        string ScdId(string alias, string version) =>
            "md5(" + string.Join(" || '|' || ", keys.Select(k => $"coalesce(cast({alias}.{Q(k)} as varchar), '')").Append($"coalesce(cast({version} as varchar), '')")) + ")";

        var existing = await warehouse.GetRelationAsync(target, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            var version = timestamp ? $"source.{Q(updatedAt!)}" : nowSql;
            var create = $"select source.*,\n    {ScdId("source", version)} as dbt_scd_id,\n    {version} as dbt_updated_at,\n    {version} as dbt_valid_from,\n    cast(null as timestamp) as dbt_valid_to\nfrom (\n{sql}\n) as source";
            await warehouse.CreateOrReplaceAsync(target, RelationKind.Table, create, cancellationToken).ConfigureAwait(false);
            return ($"create table {d.Render(target)} as\n{create};\n", await CountAsync(warehouse, target, cancellationToken).ConfigureAwait(false));
        }

        var work = new RelationName(node.Schema, d.WorkName(node.Alias, "dbt_tmp"));
        await warehouse.ExecuteAsync(d.CreateTableAs(work, sql), cancellationToken).ConfigureAwait(false);
        try
        {
            var incoming = (await warehouse.GetColumnsAsync(work, cancellationToken).ConfigureAwait(false)).Select(c => c).ToList();
            var current = await warehouse.GetColumnsAsync(target, cancellationToken).ConfigureAwait(false);
            var statements = new List<string>();
            foreach (var column in incoming.Where(c => !current.Any(e => e.Name.Equals(c.Name, StringComparison.OrdinalIgnoreCase))))
            {
                statements.Add($"ALTER TABLE {d.Render(target)} ADD COLUMN {Q(column.Name)} {column.EngineType}");
            }

            var names = incoming.Select(c => c.Name).Where(n => !MetaColumns.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
            var snap = d.Render(target);
            var join = string.Join(" AND ", keys.Select(k => $"cur.{Q(k)} = src.{Q(k)}"));
            string changed;
            string version;
            if (timestamp)
            {
                changed = $"src.{Q(updatedAt!)} > cur.dbt_updated_at";
                version = $"src.{Q(updatedAt!)}";
            }
            else
            {
                var checkCols = node.Config.Get("check_cols") is "all"
                    ? names.Where(n => !keys.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList()
                    : Py.ToList(node.Config.Get("check_cols")).Select(c => Py.Str(c)).ToList();
                changed = "NOT (" + string.Join(" AND ", checkCols.Select(c => $"src.{Q(c)} IS NOT DISTINCT FROM cur.{Q(c)}")) + ")";
                version = nowSql;
            }

            var columnList = string.Join(", ", names.Select(Q));
            var sourceColumns = string.Join(", ", names.Select(n => "src." + Q(n)));

            // New versions first (new keys, and keys whose current version changed), then close the old versions.
            statements.Add(
                $"INSERT INTO {snap} ({columnList}, dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)\n" +
                $"SELECT {sourceColumns}, {ScdId("src", version)}, {version}, {version}, NULL\n" +
                $"FROM {d.Render(work)} AS src\nLEFT JOIN {snap} AS cur ON {join} AND cur.dbt_valid_to IS NULL\n" +
                $"WHERE cur.{Q(keys[0])} IS NULL OR {changed}");
            var closeJoin = string.Join(" AND ", keys.Select(k => $"{snap}.{Q(k)} = src.{Q(k)}"));
            var closeChanged = changed.Replace("cur.", snap + ".", StringComparison.Ordinal);
            statements.Add(
                $"UPDATE {snap} SET dbt_valid_to = {version}\nFROM {d.Render(work)} AS src\n" +
                $"WHERE {closeJoin} AND {snap}.dbt_valid_to IS NULL AND {snap}.dbt_scd_id <> {ScdId("src", version)} AND {closeChanged}");
            var hardDeletes = node.Config.Get("hard_deletes") as string ?? (Py.Truthy(node.Config.Get("invalidate_hard_deletes")) ? "invalidate" : "ignore");
            if (hardDeletes == "invalidate")
            {
                var missing = string.Join(" AND ", keys.Select(k => $"src.{Q(k)} = {snap}.{Q(k)}"));
                statements.Add($"UPDATE {snap} SET dbt_valid_to = {nowSql}\nWHERE dbt_valid_to IS NULL AND NOT EXISTS (SELECT 1 FROM {d.Render(work)} AS src WHERE {missing})");
            }

            await warehouse.ExecuteInTransactionAsync(statements, cancellationToken).ConfigureAwait(false);
            return (string.Join(";\n", statements) + ";\n", await CountAsync(warehouse, target, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            await warehouse.DropRelationAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<long> CountAsync(IWarehouse warehouse, RelationName target, CancellationToken cancellationToken) =>
        Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT count(*) FROM {warehouse.Dialect.Render(target)}", cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
}

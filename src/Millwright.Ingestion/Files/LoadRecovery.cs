using System.Globalization;
using Millwright.Ingestion.Contracts;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>What <see cref="FileIngestor.RecoverAsync"/> found and removed.</summary>
/// <param name="Rows">Raw rows of loads with no audit record, per table.</param>
/// <param name="RawCopies">Parquet copies of loads that never committed.</param>
/// <param name="WorkTables">Work tables of loads that never finished.</param>
public sealed record RecoveryReport(IReadOnlyDictionary<string, long> Rows, IReadOnlyList<string> RawCopies, IReadOnlyList<string> WorkTables)
{
    public bool IsClean => Rows.Count == 0 && RawCopies.Count == 0 && WorkTables.Count == 0;
}

/// <summary>
/// What a load killed at any point can leave, put right before anything reads the raw layer. A load commits its rows,
/// quarantine, checksum claim and audit record in one transaction, so a raw row without an audit record should never
/// exist; if one does (a table written outside Millwright's loads, a store restored halfway), it is removed. Its
/// Parquet copy is written before that transaction and its work tables (PostgreSQL) beside it: those of a load that
/// never committed are removed once the load is older than the grace (a load id is a version-7 GUID, so its start is
/// in its name), which spares a load still running in another process.
/// </summary>
internal static class LoadRecovery
{
    public static async Task<RecoveryReport> RecoverAsync(IWarehouse warehouse, IEnumerable<DataContract> contracts, string? rawLayerPath, TimeSpan grace, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var result = await warehouse.QueryAsync("SELECT load_id FROM ingest.loads", cancellationToken).ConfigureAwait(false))
        {
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                recorded.Add((string)result.GetValue(0)!);
            }
        }

        bool Abandoned(string loadId) => !recorded.Contains(loadId) && Started(loadId) is { } started && now - started > grace;

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in contracts.Select(c => c.TableName).Distinct())
        {
            var name = RelationName.Of(table.Schema, table.Name);
            var columns = await warehouse.GetColumnsAsync(name, cancellationToken).ConfigureAwait(false);
            if (!columns.Any(c => c.Name == "_load_id"))
            {
                continue;
            }

            // Counted first: not every engine reports the rows a DELETE removed (ClickHouse's is a mutation), and a table
            // with nothing to remove is left untouched.
            const string orphan = "replace(CAST(_load_id AS VARCHAR), '-', '') NOT IN (SELECT load_id FROM ingest.loads WHERE status = 'SUCCESS')";
            var removed = Convert.ToInt64(await warehouse.QueryScalarAsync($"SELECT count(*) FROM {warehouse.Dialect.Render(name)} WHERE {orphan}", cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            if (removed > 0)
            {
                await warehouse.ExecuteAsync(warehouse.Dialect.DeleteWhere(name, orphan), cancellationToken).ConfigureAwait(false);
                rows[$"{table.Schema}.{table.Name}"] = removed;
            }
        }

        var copies = new List<string>();
        if (rawLayerPath is not null && Directory.Exists(rawLayerPath))
        {
            foreach (var file in Directory.EnumerateFiles(rawLayerPath, "*.parquet", SearchOption.AllDirectories))
            {
                if (Abandoned(Path.GetFileNameWithoutExtension(file)))
                {
                    File.Delete(file);
                    copies.Add(file);
                }
            }
        }

        var work = new List<string>();
        foreach (var relation in await warehouse.ListRelationsAsync("ingest", cancellationToken).ConfigureAwait(false))
        {
            if (relation.Name.Length == 34 && relation.Name[1] == '_' && relation.Name[0] is 'w' or 'q' && Abandoned(relation.Name[2..]))
            {
                await warehouse.DropRelationAsync(RelationName.Of(relation.Schema, relation.Name), cancellationToken).ConfigureAwait(false);
                work.Add($"{relation.Schema}.{relation.Name}");
            }
        }

        return new RecoveryReport(rows, copies, work);
    }

    /// <summary>When a load started, from its version-7 id; null for a name that is not one.</summary>
    internal static DateTimeOffset? Started(string loadId)
    {
        if (!Guid.TryParseExact(loadId, "N", out var id) || id.Version != 7)
        {
            return null;
        }

        var milliseconds = long.Parse(loadId[..12], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }
}

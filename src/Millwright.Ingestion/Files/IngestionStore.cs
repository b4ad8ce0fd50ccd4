using System.Globalization;
using System.Text.Json;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>The audit log (ingest.loads) and the quarantine (ingest.quarantine), in the warehouse beside the raw tables.</summary>
internal static class IngestionStore
{
    private const string LoadColumns = "load_id, source, file, checksum, contract_version, status, rows_read, rows_loaded, rows_rejected, duration_ms, started_at, error, column_mapping, parquet_path";

    /// <summary>
    /// The audit log, the quarantine and, where keys hold, the claims of checksums (filled from the audit log once, for a
    /// warehouse written before claims existed). Where keys refuse nothing (ClickHouse) there is no claims table, since a
    /// key cannot stop a second claim: a load finds an earlier success of the same bytes by the audit log, and loads of
    /// one process are serialized.
    /// </summary>
    public static Task EnsureAsync(IWarehouse warehouse, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        ColumnDefinition Text(string name, bool nullable = false) => new(name, LogicalType.Text, nullable);
        List<string> statements =
        [
            d.CreateSchemaIfMissing("ingest"),
            d.CreateTable(RelationName.Of("ingest", "loads"),
            [
                Text("load_id"), Text("source"), Text("file"), Text("checksum"), new("contract_version", LogicalType.Int32, false), Text("status"),
                new("rows_read", LogicalType.Int64, false), new("rows_loaded", LogicalType.Int64, false), new("rows_rejected", LogicalType.Int64, false),
                new("duration_ms", LogicalType.Float64, false), new("started_at", LogicalType.TimestampTz, false), Text("error", true), Text("column_mapping", true), Text("parquet_path", true),
            ], ifNotExists: true, primaryKey: ["load_id"]),
            d.CreateTable(RelationName.Of("ingest", "quarantine"),
            [
                Text("load_id"), Text("source"), new("contract_version", LogicalType.Int32, false), Text("file"), new("line", LogicalType.Int64), Text("rule"), Text("record", true),
            ], ifNotExists: true),
        ];
        if (warehouse.Engine.Capabilities().UniqueKeys)
        {
            statements.Add(d.CreateTable(RelationName.Of("ingest", "load_claims"), [Text("source"), Text("checksum"), Text("load_id")], ifNotExists: true, primaryKey: ["source", "checksum"]));
            statements.Add("""
                INSERT INTO ingest.load_claims (source, checksum, load_id)
                  SELECT source, checksum, MIN(load_id) FROM ingest.loads
                  WHERE status = 'SUCCESS' AND NOT EXISTS (SELECT 1 FROM ingest.load_claims)
                  GROUP BY source, checksum
                  ON CONFLICT DO NOTHING
                """);
        }

        return warehouse.ExecuteAsync(string.Join(";\n", statements), cancellationToken);
    }

    public static async Task<LoadResult?> FindSuccessAsync(IWarehouse warehouse, string source, string checksum, CancellationToken cancellationToken) =>
        (await ReadAsync(warehouse, $"SELECT {LoadColumns} FROM ingest.loads WHERE source = {warehouse.Dialect.QuoteLiteral(source)} AND checksum = {warehouse.Dialect.QuoteLiteral(checksum)} AND status = 'SUCCESS' ORDER BY started_at LIMIT 1", cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    /// <summary>The first successful load of each checksum of a source.</summary>
    public static async Task<Dictionary<string, LoadResult>> SuccessesAsync(IWarehouse warehouse, string source, CancellationToken cancellationToken) =>
        (await ReadAsync(warehouse, $"SELECT {LoadColumns} FROM ingest.loads WHERE source = {warehouse.Dialect.QuoteLiteral(source)} AND status = 'SUCCESS' ORDER BY started_at", cancellationToken).ConfigureAwait(false))
            .DistinctBy(l => l.Checksum, StringComparer.Ordinal).ToDictionary(l => l.Checksum, StringComparer.Ordinal);

    /// <summary>Loads of the sources that started before <paramref name="before"/>, except each source's latest successful load.</summary>
    public static Task<IReadOnlyList<LoadResult>> LoadsBeforeAsync(IWarehouse warehouse, IReadOnlyCollection<string> sources, DateTimeOffset before, CancellationToken cancellationToken) =>
        sources.Count == 0
            ? Task.FromResult<IReadOnlyList<LoadResult>>([])
            : ReadAsync(warehouse, $"""
                SELECT {LoadColumns} FROM ingest.loads AS l
                WHERE l.source IN ({string.Join(", ", sources.Select(warehouse.Dialect.QuoteLiteral))})
                  AND l.started_at < {warehouse.Dialect.Literal(before)}
                  AND (l.source, l.started_at) NOT IN (SELECT source, max(started_at) FROM ingest.loads WHERE status = 'SUCCESS' GROUP BY source)
                ORDER BY l.started_at
                """, cancellationToken);

    /// <summary>Quarantined rows of the loads, and their size in characters.</summary>
    public static async Task<(long Rows, long Characters)> QuarantineOfAsync(IWarehouse warehouse, IReadOnlyCollection<string> loadIds, CancellationToken cancellationToken)
    {
        if (loadIds.Count == 0)
        {
            return (0, 0);
        }

        await using var result = await warehouse.QueryAsync($"SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(LENGTH(COALESCE(record, ''))), 0) AS BIGINT) FROM ingest.quarantine WHERE load_id IN ({string.Join(", ", loadIds.Select(warehouse.Dialect.QuoteLiteral))})", cancellationToken).ConfigureAwait(false);
        return await result.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (Convert.ToInt64(result.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(result.GetValue(1), CultureInfo.InvariantCulture))
            : (0, 0);
    }

    public static Task DeleteQuarantineAsync(IWarehouse warehouse, IReadOnlyCollection<string> loadIds, CancellationToken cancellationToken) =>
        loadIds.Count == 0 ? Task.CompletedTask : warehouse.ExecuteAsync(warehouse.Dialect.DeleteWhere(RelationName.Of("ingest", "quarantine"), $"load_id IN ({string.Join(", ", loadIds.Select(warehouse.Dialect.QuoteLiteral))})"), cancellationToken);

    public static Task ForgetRawCopiesAsync(IWarehouse warehouse, IReadOnlyCollection<string> loadIds, CancellationToken cancellationToken) =>
        loadIds.Count == 0 ? Task.CompletedTask : warehouse.ExecuteAsync(warehouse.Dialect.UpdateWhere(RelationName.Of("ingest", "loads"), "parquet_path = NULL", $"load_id IN ({string.Join(", ", loadIds.Select(warehouse.Dialect.QuoteLiteral))})"), cancellationToken);

    public static async Task<LoadResult?> FindAsync(IWarehouse warehouse, string loadId, CancellationToken cancellationToken) =>
        (await ReadAsync(warehouse, $"SELECT {LoadColumns} FROM ingest.loads WHERE load_id = {warehouse.Dialect.QuoteLiteral(loadId)}", cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    public static Task<IReadOnlyList<LoadResult>> LoadsAsync(IWarehouse warehouse, string? source, int limit, CancellationToken cancellationToken) =>
        ReadAsync(warehouse, $"SELECT {LoadColumns} FROM ingest.loads{(source is null ? "" : $" WHERE source = {warehouse.Dialect.QuoteLiteral(source)}")} ORDER BY started_at DESC LIMIT {limit}", cancellationToken);

    public static async Task<IReadOnlyList<QuarantinedRow>> QuarantineAsync(IWarehouse warehouse, string loadId, int limit, CancellationToken cancellationToken)
    {
        var rows = new List<QuarantinedRow>();
        await using var result = await warehouse.QueryAsync($"SELECT load_id, source, file, line, rule, record FROM ingest.quarantine WHERE load_id = {warehouse.Dialect.QuoteLiteral(loadId)} ORDER BY line NULLS LAST LIMIT {limit}", cancellationToken).ConfigureAwait(false);
        while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new QuarantinedRow((string)result.GetValue(0)!, (string)result.GetValue(1)!, (string)result.GetValue(2)!, result.GetValue(3) is { } line ? Convert.ToInt64(line, CultureInfo.InvariantCulture) : null, (string)result.GetValue(4)!, result.GetValue(5) as string));
        }

        return rows;
    }

    /// <summary>
    /// Writes the load's statements (its rows and quarantine), the claim of its checksum (a successful load only), the
    /// audit record and <paramref name="also"/> in one transaction: all of it is there, or none. A second load of the
    /// same bytes that got this far beside the first fails on the claim (<see cref="WarehouseErrorKind.Conflict"/>)
    /// and writes nothing.
    /// </summary>
    public static Task RecordAsync(IWarehouse warehouse, LoadResult load, IReadOnlyList<string> statements, CancellationToken cancellationToken, IReadOnlyList<string>? also = null)
    {
        var d = warehouse.Dialect;
        var audit = $"""
            INSERT INTO ingest.loads ({LoadColumns}) VALUES (
              {d.QuoteLiteral(load.LoadId)}, {d.QuoteLiteral(load.Source)}, {d.QuoteLiteral(load.File)}, {d.QuoteLiteral(load.Checksum)},
              {load.ContractVersion}, {d.QuoteLiteral(load.Status.ToString().ToUpperInvariant())}, {load.RowsRead}, {load.RowsLoaded}, {load.RowsRejected},
              {load.Duration.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture)}, {d.Literal(load.StartedAt)},
              {(load.Error is null ? "NULL" : d.QuoteLiteral(load.Error.Replace("\0", "\\0", StringComparison.Ordinal)))}, {d.QuoteLiteral(JsonSerializer.Serialize(load.ColumnMapping))},
              {(load.ParquetPath is null ? "NULL" : d.QuoteLiteral(load.ParquetPath))})
            """;
        var claim = load.Status == LoadStatus.Success && warehouse.Engine.Capabilities().UniqueKeys
            ? [$"INSERT INTO ingest.load_claims (source, checksum, load_id) VALUES ({d.QuoteLiteral(load.Source)}, {d.QuoteLiteral(load.Checksum)}, {d.QuoteLiteral(load.LoadId)})"]
            : Array.Empty<string>();
        return warehouse.ExecuteInTransactionAsync([.. statements, .. claim, audit, .. also ?? []], cancellationToken);
    }

    private static async Task<IReadOnlyList<LoadResult>> ReadAsync(IWarehouse warehouse, string sql, CancellationToken cancellationToken)
    {
        var loads = new List<LoadResult>();
        await using var result = await warehouse.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            long Long(int i) => Convert.ToInt64(result.GetValue(i), CultureInfo.InvariantCulture);
            var started = result.GetValue(10) switch
            {
                DateTimeOffset o => o,
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                var other => throw new InvalidCastException($"started_at is {other?.GetType().Name}"),
            };
            loads.Add(new LoadResult(
                (string)result.GetValue(0)!, (string)result.GetValue(1)!, (string)result.GetValue(2)!, (string)result.GetValue(3)!,
                Convert.ToInt32(result.GetValue(4), CultureInfo.InvariantCulture), Enum.Parse<LoadStatus>((string)result.GetValue(5)!, ignoreCase: true),
                Long(6), Long(7), Long(8), TimeSpan.FromMilliseconds(Convert.ToDouble(result.GetValue(9), CultureInfo.InvariantCulture)), started, result.GetValue(11) as string)
            {
                ColumnMapping = result.GetValue(12) is string mapping ? JsonSerializer.Deserialize<Dictionary<string, string>>(mapping) ?? [] : new Dictionary<string, string>(),
                ParquetPath = result.GetValue(13) as string,
            });
        }

        return loads;
    }
}

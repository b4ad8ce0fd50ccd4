using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Streams;

/// <summary>The outcome of a stream load: the load, and whether it is the answer to an earlier request with the same label.</summary>
public sealed record StreamLoadResult(string Label, LoadResult Load, bool Replayed, IReadOnlyList<QuarantinedRow> Rejections);

/// <summary>
/// Stream loads (StarRocks' Stream Load, in Millwright): a request body of CSV or JSON lines under a label is
/// streamed to a temporary file (never held in memory), then loaded like a file. The same label twice returns the
/// first result and loads nothing; a body that does not arrive whole loads nothing and leaves the label free.
/// </summary>
public sealed class StreamLoader(IWarehouse warehouse, FileIngestor ingestor, string spoolDirectory) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<StreamLoadResult> LoadAsync(DataContract contract, string label, FileKind kind, Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(body);
        if (string.IsNullOrWhiteSpace(label) || label.Length > 128 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or ':'))
        {
            throw new IngestionException($"label '{label}' must be 1 to 128 letters, digits, '_', '-', '.' or ':'");
        }

        Directory.CreateDirectory(spoolDirectory);
        var spool = Path.Combine(spoolDirectory, $"{contract.Source}-{Guid.NewGuid():N}{(kind == FileKind.JsonLines ? ".jsonl" : ".csv")}");
        try
        {
            // The body goes to disk as it arrives; a client that disconnects ends here, before anything is loaded.
            await using (var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await body.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await EnsureAsync(cancellationToken).ConfigureAwait(false);
                if (await FindLabelAsync(contract.Source, label, cancellationToken).ConfigureAwait(false) is { } earlier)
                {
                    return new StreamLoadResult(label, earlier, true, await ingestor.GetQuarantineAsync(earlier.LoadId, 10, cancellationToken).ConfigureAwait(false));
                }

                // The label commits with the load's rows and audit record, so a load that is there always has its label
                // and a retry after a crash finds either both or neither.
                var load = await ingestor.IngestCommittingAsync(spool, contract with { Format = contract.Format with { Kind = kind } }, null, loadId => [LabelSql(contract.Source, label, loadId)], cancellationToken).ConfigureAwait(false);
                if (load.Status == LoadStatus.Skipped)
                {
                    // Bytes loaded before under another label: nothing was written, so the label is recorded on its own.
                    await warehouse.ExecuteAsync(LabelSql(contract.Source, label, load.SameAsLoadId!), CancellationToken.None).ConfigureAwait(false);
                }

                return new StreamLoadResult(label, load, false, load.RowsRejected > 0 ? await ingestor.GetQuarantineAsync(load.LoadId, 10, cancellationToken).ConfigureAwait(false) : []);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            File.Delete(spool);
        }
    }

    public void Dispose() => _gate.Dispose();

    private static string LabelSql(string source, string label, string loadId) =>
        $"INSERT INTO ingest.stream_labels (source, label, load_id, created_at) VALUES ({FileIngestor.Literal(source)}, {FileIngestor.Literal(label)}, {FileIngestor.Literal(loadId)}, now())";

    // Where keys refuse nothing (ClickHouse) a label is kept once by this loader's gate, which serializes its loads.
    private async Task EnsureAsync(CancellationToken cancellationToken) =>
        await warehouse.ExecuteAsync(warehouse.Dialect.CreateSchemaIfMissing("ingest") + ";\n" + warehouse.Dialect.CreateTable(
                RelationName.Of("ingest", "stream_labels"),
                [new("source", LogicalType.Text, false), new("label", LogicalType.Text, false), new("load_id", LogicalType.Text, false), new("created_at", LogicalType.TimestampTz, false)],
                ifNotExists: true, primaryKey: ["source", "label"]),
            cancellationToken).ConfigureAwait(false);

    private async Task<LoadResult?> FindLabelAsync(string source, string label, CancellationToken cancellationToken)
    {
        var loadId = await warehouse.QueryScalarAsync($"SELECT load_id FROM ingest.stream_labels WHERE source = {FileIngestor.Literal(source)} AND label = {FileIngestor.Literal(label)}", cancellationToken).ConfigureAwait(false) as string;
        if (loadId is null)
        {
            return null;
        }

        return await ingestor.GetLoadAsync(loadId, cancellationToken).ConfigureAwait(false);
    }
}

using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>
/// Ingest assets: load files under a data contract. A run started by a file sensor loads that file; any other run loads
/// every file matching the asset's path (files already loaded are skipped by checksum). A load that fails its contract
/// fails the asset.
/// </summary>
internal static class IngestAssets
{
    public static AssetsDefinition Build(AssetDecl asset, PipelineFile pipeline, DataContract contract, FileIngestor ingestor) =>
        new(asset.Key.Path, [asset.Spec with { Description = asset.Spec.Description.Length > 0 ? asset.Spec.Description : contract.Description }], async ctx =>
        {
            var (_, pattern) = asset.Ingest!.Value;
            var files = ctx.Tags.TryGetValue(RunFiles.Tag, out var file)
                ? [Resolve(file, Folders(asset, pipeline))]
                : Matching(pipeline.Folder, pattern);
            long loaded = 0, rejected = 0, skipped = 0;
            var failures = new List<string>();
            var results = await ingestor.IngestManyAsync(files, contract, onLoad: result =>
            {
                ctx.Log($"{Path.GetFileName(result.File)}: {result.Status.ToString().ToUpperInvariant()} {result.RowsLoaded:N0} loaded, {result.RowsRejected:N0} rejected (load {result.LoadId})", result.Status == LoadStatus.Failed ? "error" : result.RowsRejected > 0 ? "warning" : "info");
                switch (result.Status)
                {
                    case LoadStatus.Failed:
                        failures.Add(result.Error ?? result.File);
                        break;
                    case LoadStatus.Skipped:
                        skipped++;
                        break;
                    default:
                        loaded += result.RowsLoaded;
                        rejected += result.RowsRejected;
                        break;
                }
            }, cancellationToken: ctx.CancellationToken).ConfigureAwait(false);

            // With a landing retention, a file in landing/ that is loaded (or was before) moves to landing/processed/,
            // where the cleanup deletes it once it is older than the retention.
            if (pipeline.Retention.Landing is not null)
            {
                var landing = Path.GetFullPath(Path.Combine(pipeline.Folder, "landing"));
                foreach (var done in results.Where(r => r.Status is LoadStatus.Success or LoadStatus.Skipped && string.Equals(Path.GetDirectoryName(r.File), landing, StringComparison.Ordinal)))
                {
                    ctx.Log($"{Path.GetFileName(done.File)}: moved to landing/processed/{MoveToProcessed(done.File, landing)}");
                }
            }

            if (failures.Count > 0)
            {
                throw new PipelineException(string.Join("; ", failures));
            }

            ctx.AddMetadata("files", files.Count);
            ctx.AddMetadata("files_skipped", skipped);
            ctx.AddMetadata("rows_loaded", loaded);
            ctx.AddMetadata("rows_rejected", rejected);
            ctx.AddMetadata("contract", $"{contract.Source} v{contract.Version}");
            ctx.AddMetadata("relation", $"{contract.TableName.Schema}.{contract.TableName.Name}");
        })
        {
            Retry = asset.Retry,
            Pool = asset.Pool,
            FileFolders = Folders(asset, pipeline),
        };

    /// <summary>Moves a loaded file to landing/processed/ (a name already there gets a number), dated now; returns its new name.</summary>
    private static string MoveToProcessed(string file, string landing)
    {
        var processed = Directory.CreateDirectory(Path.Combine(landing, "processed")).FullName;
        var name = Path.GetFileName(file);
        for (var n = 1; File.Exists(Path.Combine(processed, name)); n++)
        {
            name = $"{Path.GetFileNameWithoutExtension(file)}.{n}{Path.GetExtension(file)}";
        }

        var target = Path.Combine(processed, name);
        File.Move(file, target);
        File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
        return name;
    }

    /// <summary>The folder of the asset's path pattern, and the folders the pipeline's file sensors watch.</summary>
    private static IReadOnlyList<string> Folders(AssetDecl asset, PipelineFile pipeline) =>
        [Path.GetDirectoryName(Path.GetFullPath(Path.Combine(pipeline.Folder, asset.Ingest!.Value.Path)))!, .. pipeline.SensorFolders];

    private static string Resolve(string file, IReadOnlyList<string> folders)
    {
        try
        {
            return RunFiles.Resolve(file, folders);
        }
        catch (Millwright.Orchestration.OrchestrationException e)
        {
            throw new PipelineException(e.Message, e);
        }
    }

    private static List<string> Matching(string folder, string pattern)
    {
        var full = Path.GetFullPath(Path.Combine(folder, pattern));
        var directory = Path.GetDirectoryName(full)!;
        return Directory.Exists(directory) ? Directory.GetFiles(directory, Path.GetFileName(full)).Order(StringComparer.Ordinal).ToList() : [];
    }
}

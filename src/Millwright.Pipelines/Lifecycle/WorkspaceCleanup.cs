using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Lifecycle;

public enum CleanupKind
{
    /// <summary>A loaded file moved to landing/processed/.</summary>
    LandingFile,

    /// <summary>A file under the pipeline's temp/.</summary>
    TempFile,

    /// <summary>A load's Parquet copy in the raw layer.</summary>
    RawCopy,

    /// <summary>Rows quarantined by loads.</summary>
    Quarantine,
}

/// <summary>One thing a retention rule lets go: a file, a load's Parquet copy, or quarantined rows of some loads.</summary>
public sealed record CleanupItem(string Pipeline, CleanupKind Kind, string What, long Bytes, DateTimeOffset Since)
{
    /// <summary>The loads a raw copy or quarantine item belongs to.</summary>
    public IReadOnlyList<LoadResult> Loads { get; init; } = [];

    /// <summary>Quarantined rows (for <see cref="CleanupKind.Quarantine"/>).</summary>
    public long Rows { get; init; }
}

/// <summary>What a cleanup would remove, and what it keeps although old, with the reason.</summary>
public sealed record CleanupPlan(IReadOnlyList<CleanupItem> Items, IReadOnlyList<string> Kept)
{
    public long Bytes => Items.Sum(i => i.Bytes);
}

/// <summary>
/// Applies each pipeline's <c>retention:</c> (pipeline.yml): files moved to <c>landing/processed/</c> and files in
/// <c>temp/</c> older than their limit, the raw layer's Parquet copies and the quarantined rows of loads of the
/// pipeline's contracts older than theirs. Never a file an unfinished run names, nor the latest successful load of a
/// source (its copy and quarantine). <see cref="PlanAsync"/> changes nothing (the dry run); <see cref="ExecuteAsync"/> removes a plan's items.
/// </summary>
public sealed class WorkspaceCleanup(string pipelinesDirectory, IWarehouse warehouse, IOrchestrationStorage? runs = null, TimeProvider? time = null)
{
    private readonly FileIngestor _ingestor = new(warehouse);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<CleanupPlan> PlanAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var busy = await FilesOfUnfinishedRunsAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<CleanupItem>();
        var kept = new List<string>();
        var folders = Directory.Exists(pipelinesDirectory)
            ? Directory.GetDirectories(pipelinesDirectory).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, PipelineCatalog.FileName)))
            : [];
        foreach (var folder in folders)
        {
            var pipeline = PipelineFile.Read(folder);
            var retention = pipeline.Retention;
            foreach (var (kind, dir, limit) in new[] { (CleanupKind.LandingFile, Path.Combine(folder, "landing", "processed"), retention.Landing), (CleanupKind.TempFile, Path.Combine(folder, "temp"), retention.Temp) })
            {
                if (limit is not { } age || !Directory.Exists(dir))
                {
                    continue;
                }

                foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Where(f => f.LastWriteTimeUtc < (now - age).UtcDateTime).OrderBy(f => f.FullName, StringComparer.Ordinal))
                {
                    if (busy.Contains(file.FullName))
                    {
                        kept.Add($"{file.FullName}: an unfinished run reads it");
                        continue;
                    }

                    items.Add(new CleanupItem(pipeline.Name, kind, file.FullName, file.Length, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }

            if (retention.RawCopies is null && retention.Quarantine is null)
            {
                continue;
            }

            var sources = ContractCatalog.Load(folder).Contracts.Select(c => c.Source).ToList();
            if (retention.RawCopies is { } copies)
            {
                foreach (var load in await _ingestor.LoadsBeforeAsync(sources, now - copies, cancellationToken).ConfigureAwait(false))
                {
                    if (load.ParquetPath is { } path && new FileInfo(path) is { Exists: true } copy)
                    {
                        items.Add(new CleanupItem(pipeline.Name, CleanupKind.RawCopy, path, copy.Length, load.StartedAt) { Loads = [load] });
                    }
                }
            }

            if (retention.Quarantine is { } quarantine)
            {
                var loads = await _ingestor.LoadsBeforeAsync(sources, now - quarantine, cancellationToken).ConfigureAwait(false);
                var (rows, characters) = await _ingestor.QuarantineOfAsync(loads.Select(l => l.LoadId).ToList(), cancellationToken).ConfigureAwait(false);
                if (rows > 0)
                {
                    items.Add(new CleanupItem(pipeline.Name, CleanupKind.Quarantine, $"{rows:N0} quarantined row(s) of {loads.Count} load(s) of {string.Join(", ", loads.Select(l => l.Source).Distinct(StringComparer.Ordinal))}", characters, loads.Min(l => l.StartedAt))
                    {
                        Loads = loads,
                        Rows = rows,
                    });
                }
            }
        }

        return new CleanupPlan(items, kept);
    }

    /// <summary>Removes what the plan lists; a file already gone is no error.</summary>
    public async Task ExecuteAsync(CleanupPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var item in plan.Items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (item.Kind)
            {
                case CleanupKind.LandingFile or CleanupKind.TempFile:
                    File.Delete(item.What);
                    break;
                case CleanupKind.RawCopy:
                    await _ingestor.DeleteRawCopiesAsync(item.Loads, cancellationToken).ConfigureAwait(false);
                    break;
                case CleanupKind.Quarantine:
                    await _ingestor.DeleteQuarantineAsync(item.Loads.Select(l => l.LoadId).ToList(), cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task<HashSet<string>> FilesOfUnfinishedRunsAsync(CancellationToken cancellationToken)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        if (runs is null)
        {
            return files;
        }

        var unfinished = await runs.GetRunsAsync(new RunFilter { Statuses = [RunStatus.Queued, RunStatus.Starting, RunStatus.Started, RunStatus.Canceling], Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
        foreach (var run in unfinished)
        {
            if (run.Tags.TryGetValue(RunFiles.Tag, out var file))
            {
                files.Add(Path.GetFullPath(file));
            }
        }

        return files;
    }
}

using Millwright.Ingestion.Extraction;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>
/// Extraction assets: the tables a pipeline's <c>extract:</c> names, each an asset <c>schema/table</c> computed by one
/// step that runs the change-feed extraction of the workspace's operational store for the selected tables (the first
/// run copies each table, later runs carry only changes and deletes).
/// </summary>
internal static class ExtractAssets
{
    public static AssetsDefinition Build(ExtractDecl extract, PipelineFile pipeline, ExtractionOptions source, DatabaseExtractor extractor)
    {
        var specs = extract.Tables.Select(table => new AssetSpec(AssetKey.Of(extract.Schema, table))
        {
            Description = $"operations.{table}, extracted by its change feed",
            Group = extract.Group.Length > 0 ? extract.Group : null,
            Kinds = ["extract"],
            Automation = extract.Automation,
        }).ToList();
        var byKey = specs.ToDictionary(s => s.Key, s => s.Key.Path.Split('/')[^1]);
        return new AssetsDefinition($"extract:{pipeline.Name}", specs, async ctx =>
        {
            var tables = ctx.Selected.Select(k => byKey[k]).ToList();
            var options = source with { Tables = tables, TargetSchema = extract.Schema };
            await extractor.ExtractAsync(options, table =>
            {
                ctx.Log($"{table.Table}: {table.Mode}, {table.RowsWritten:N0} written, {table.RowsDeleted:N0} deleted");
                ctx.Materialized(AssetKey.Of(extract.Schema, table.Table), new Dictionary<string, object?>
                {
                    ["mode"] = table.Mode,
                    ["rows_written"] = table.RowsWritten,
                    ["rows_deleted"] = table.RowsDeleted,
                    ["feed_position"] = table.FeedPosition,
                    ["relation"] = $"{extract.Schema}.{table.Table}",
                });
            }, ctx.CancellationToken).ConfigureAwait(false);
        })
        {
            Retry = extract.Retry,
            Pool = PipelineCatalog.WarehousePool,
        };
    }
}

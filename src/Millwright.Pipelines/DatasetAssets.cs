using Millwright.Ingestion.Datasets;
using Millwright.Ingestion.Files;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>
/// Dataset assets: the tables a pipeline's <c>datasets:</c> fill from the workspace's datasets folder (AI4I 2020,
/// C-MAPSS, SECOM, car features under their built-in contracts), each an asset <c>schema/table</c>, loaded by one step.
/// A file already loaded is skipped by its checksum, so a run after the first costs a checksum per file. Without a
/// datasets folder, a table loaded before by <c>millwright ingest dataset</c> is used as it is, and an empty one skipped.
/// </summary>
internal static class DatasetAssets
{
    public static AssetsDefinition Build(DatasetsDecl datasets, PipelineFile pipeline, string? folder, FileIngestor ingestor, Warehouse.IWarehouse warehouse)
    {
        var tables = datasets.Names.SelectMany(name => PublicDatasets.Tables(name).Select(t => (Name: name, Key: AssetKey.Of(t.Schema, t.Name), Relation: Warehouse.RelationName.Of(t.Schema, t.Name)))).ToList();
        var specs = tables.Select(t => new AssetSpec(t.Key)
        {
            Description = $"{t.Key.Path.Replace('/', '.')}: public dataset {t.Name}, loaded under its contract",
            Group = datasets.Group.Length > 0 ? datasets.Group : null,
            Kinds = ["dataset"],
        }).ToList();
        return new AssetsDefinition($"datasets:{pipeline.Name}", specs, async ctx =>
        {
            if (folder is null)
            {
                // Nothing to load from: a table that `millwright ingest dataset NAME --from DIR` filled is used as it is
                // (so what reads it builds), and one that is empty is skipped with where to point (so is what reads it).
                foreach (var (name, key, relation) in tables.Where(t => ctx.Selected.Contains(t.Key)))
                {
                    var held = await warehouse.GetRelationAsync(relation, ctx.CancellationToken).ConfigureAwait(false) is null
                        ? 0
                        : Convert.ToInt64(await warehouse.QueryScalarAsync($"select count(*) from {warehouse.Dialect.Render(relation)}", ctx.CancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                    var missing = $"there is no datasets folder: set {PublicDatasets.Variable} to a folder laid out as ../shared/datasets (ai4i2020/, cmapss/, secom/, car_features_msrp/), or load it with `millwright ingest dataset {name} --from DIR`; nothing is downloaded";
                    if (held == 0)
                    {
                        ctx.Skipped(key, $"{datasets.Where}: pipeline '{pipeline.Name}' loads public dataset {name} and {missing}");
                        continue;
                    }

                    ctx.Log($"{relation}: no datasets folder; its {held:N0} row(s), loaded before (`millwright ingest dataset {name}`), are used as they are");
                    ctx.Materialized(key, new Dictionary<string, object?> { ["row_count"] = held, ["relation"] = relation.ToString(), ["folder"] = null });
                }

                return;
            }

            var keyOf = datasets.Names.SelectMany(name => PublicDatasets.Files(name, folder)).Select(f => f.Contract)
                .DistinctBy(c => c.Source).ToDictionary(c => c.Source, c => AssetKey.Of(c.TableName.Schema, c.TableName.Name), StringComparer.Ordinal);
            var rows = new Dictionary<AssetKey, (long Loaded, long Rejected, int Files)>();
            foreach (var name in tables.Where(t => ctx.Selected.Contains(t.Key)).Select(t => t.Name).Distinct(StringComparer.Ordinal))
            {
                // A dataset's files land in several tables (SECOM's signals and labels): only the selected ones load.
                foreach (var result in await PublicDatasets.LoadAsync(ingestor, name, folder, t => ctx.Selected.Contains(AssetKey.Of(t.Schema, t.Name)), ctx.CancellationToken).ConfigureAwait(false))
                {
                    ctx.Log(result.Status == LoadStatus.Skipped
                        ? $"{Path.GetFileName(result.File)}: SKIPPED, unchanged since load {result.SameAsLoadId}"
                        : $"{Path.GetFileName(result.File)}: {result.Status.ToString().ToUpperInvariant()} {result.RowsLoaded:N0} loaded, {result.RowsRejected:N0} rejected (load {result.LoadId})", result.Status == LoadStatus.Failed ? "error" : "info");
                    if (result.Status == LoadStatus.Failed)
                    {
                        throw new PipelineException($"{result.File}: {result.Error}");
                    }

                    var key = keyOf[result.Source];
                    var (loaded, rejected, files) = rows.GetValueOrDefault(key);
                    rows[key] = result.Status == LoadStatus.Skipped ? (loaded, rejected, files + 1) : (loaded + result.RowsLoaded, rejected + result.RowsRejected, files + 1);
                }
            }

            foreach (var (key, (loaded, rejected, files)) in rows)
            {
                ctx.Materialized(key, new Dictionary<string, object?>
                {
                    ["files"] = files,
                    ["rows_loaded"] = loaded,
                    ["rows_rejected"] = rejected,
                    ["relation"] = key.Path.Replace('/', '.'),
                    ["folder"] = folder,
                });
            }
        })
        {
            Retry = datasets.Retry,
            Pool = PipelineCatalog.WarehousePool,
        };
    }
}

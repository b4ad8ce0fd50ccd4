using Millwright.Orchestration.Definitions;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>Where pipelines live and the warehouse they write to.</summary>
public sealed record PipelineOptions(string PipelinesDirectory, WarehouseOptions Warehouse)
{
    /// <summary>Root of the Parquet raw layer that ingest assets write; none when null.</summary>
    public string? RawLayerPath { get; init; }

    /// <summary>The workspace's operational store as an extraction source, asked for only when a pipeline declares <c>extract:</c>.</summary>
    public Func<Task<Ingestion.Extraction.ExtractionOptions>>? Operations { get; init; }

    /// <summary>Where <c>ml:</c> train assets keep their fitted models (the registry in <c>ml.models</c> names the files); none when null.</summary>
    public string? ModelsDirectory { get; init; }

    /// <summary>Opens the workspace's operational store, where predictive orders are opened; none when null.</summary>
    public Func<CancellationToken, Task<Operations.Data.OperationsStore>>? OperationsStore { get; init; }

    /// <summary>The folder public datasets are loaded from (<c>datasets:</c> in pipeline.yml); none when null.</summary>
    public string? DatasetsFolder { get; init; }

    /// <summary>Reads environment variables for dbt's env_var; the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>One pipeline folder and what it holds.</summary>
public sealed record PipelineInfo(string Name, string Folder, string? DbtProject, int Assets, int Sensors, int Schedules)
{
    /// <summary>pipeline.yml's description.</summary>
    public string Description { get; init; } = "";
}

/// <summary>Every pipeline of a workspace as one set of definitions; owns the warehouse the assets write to.</summary>
public sealed class LoadedPipelines : IAsyncDisposable
{
    internal LoadedPipelines(Orchestration.Definitions.Definitions definitions, IReadOnlyList<PipelineInfo> pipelines, IReadOnlyList<string> warnings, IWarehouse warehouse, IReadOnlyDictionary<AssetKey, string> pipelineOf, IReadOnlyDictionary<AssetKey, RelationName> relations)
    {
        PipelineOf = pipelineOf;
        Relations = relations;
        Definitions = definitions;
        Pipelines = pipelines;
        Warnings = warnings;
        Warehouse = warehouse;
    }

    public Orchestration.Definitions.Definitions Definitions { get; }

    public IReadOnlyList<PipelineInfo> Pipelines { get; }

    public IReadOnlyList<string> Warnings { get; }

    public IWarehouse Warehouse { get; }

    /// <summary>The pipeline that computes each asset (external assets have none).</summary>
    public IReadOnlyDictionary<AssetKey, string> PipelineOf { get; }

    /// <summary>
    /// The table or view each asset writes in the warehouse (SQL assets, ingestion, extraction, datasets, dbt nodes under
    /// their alias, and the ML registry and predictions), so a reader of a missing table can be sent to what builds it.
    /// </summary>
    public IReadOnlyDictionary<AssetKey, RelationName> Relations { get; }

    public ValueTask DisposeAsync() => Warehouse.DisposeAsync();
}

/// <summary>
/// Loads <c>pipelines/*/pipeline.yml</c> (and each pipeline's dbt project) into orchestrator definitions. A pipeline
/// folder with only a <c>dbt_project.yml</c> is a pipeline too: its models, seeds and snapshots become assets.
/// </summary>
public static class PipelineCatalog
{
    public const string FileName = "pipeline.yml";

    /// <summary>The pool that serializes writers to the warehouse (one at a time on DuckDB).</summary>
    public const string WarehousePool = "warehouse";

    public static async Task<LoadedPipelines> LoadAsync(PipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var warehouse = Warehouses.Open(options.Warehouse);
        try
        {
            var builder = Orchestration.Definitions.Definitions.Builder()
                .Resource("warehouse", warehouse);
            var pools = new Dictionary<string, (int Limit, string Where)>(StringComparer.Ordinal)
            {
                [WarehousePool] = (options.Warehouse.Engine.Capabilities().MaxConcurrentWriters, "the built-in default"),
            };
            var pipelines = new List<PipelineInfo>();
            var warnings = new List<string>();
            Orchestration.Definitions.Definitions? built = null;
            var externals = new Dictionary<AssetKey, string>();
            var owned = new Dictionary<AssetKey, string>();
            var relations = new Dictionary<AssetKey, RelationName>();
            Ingestion.Contracts.ContractCatalog contracts;
            try
            {
                contracts = Ingestion.Contracts.ContractCatalog.Load(options.PipelinesDirectory);
            }
            catch (Ingestion.IngestionException e)
            {
                throw new PipelineException(e.Message, e);
            }

            var ingestor = new Ingestion.Files.FileIngestor(warehouse, new Ingestion.Files.IngestionOptions { RawLayerPath = options.RawLayerPath });
            var registry = options.ModelsDirectory is { } models ? new Learning.ModelRegistry(warehouse, models) : null;
            var orderLoop = options.OperationsStore is { } openStore ? new PredictiveOrderLoop(openStore, warehouse) : null;
            var folders = Directory.Exists(options.PipelinesDirectory)
                ? Directory.GetDirectories(options.PipelinesDirectory).Order(StringComparer.Ordinal).Where(d => File.Exists(Path.Combine(d, FileName)) || File.Exists(Path.Combine(d, "dbt_project.yml"))).ToList()
                : [];
            var loaded = new List<PipelineFile>();
            var computed = new List<AssetsDefinition>();
            var quality = new Dictionary<AssetKey, Quality.TableRules>();
            foreach (var folder in folders)
            {
                loaded.Add(PipelineFile.Read(folder));
            }

            // Every key a pipeline computes, so dbt sources that name them become dependencies rather than external assets.
            foreach (var (key, name) in loaded.SelectMany(p => p.Assets.Where(a => !a.External).Select(a => (a.Key, p.Name))))
            {
                if (!owned.TryAdd(key, name))
                {
                    throw new PipelineException($"asset {key} is defined by pipeline '{owned[key]}' and by pipeline '{name}'");
                }
            }

            foreach (var pipeline in loaded.Where(p => p.Datasets is not null))
            {
                foreach (var (schema, table) in pipeline.Datasets!.Names.SelectMany(Ingestion.Datasets.PublicDatasets.Tables))
                {
                    if (!owned.TryAdd(AssetKey.Of(schema, table), pipeline.Name))
                    {
                        throw new PipelineException($"{pipeline.Datasets.Where}: dataset table {schema}.{table} of pipeline '{pipeline.Name}' is defined by pipeline '{owned[AssetKey.Of(schema, table)]}' too");
                    }
                }
            }

            // A table of the operational store that several pipelines extract is one asset, extracted by the first of
            // them in name order; the others depend on it.
            var extracted = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var pipeline in loaded.Where(p => p.Extract is not null))
            {
                var extract = pipeline.Extract!;
                var mine = extracted[pipeline.Name] = [];
                foreach (var table in extract.Tables)
                {
                    var key = AssetKey.Of(extract.Schema, table);
                    if (owned.TryAdd(key, pipeline.Name))
                    {
                        mine.Add(table);
                    }
                    else if (!extracted.TryGetValue(owned[key], out var theirs) || !theirs.Contains(table, StringComparer.Ordinal))
                    {
                        throw new PipelineException($"{extract.Where}: asset {key} is defined by pipeline '{owned[key]}' and extracted by pipeline '{pipeline.Name}'");
                    }
                }
            }

            foreach (var pipeline in loaded)
            {
                foreach (var (pool, limit) in pipeline.Pools)
                {
                    if (pools.TryGetValue(pool, out var existing) && existing.Where != "the built-in default" && existing.Limit != limit)
                    {
                        throw new PipelineException($"pool '{pool}' has limit {limit} in pipeline '{pipeline.Name}' but {existing.Limit} in {existing.Where}");
                    }

                    pools[pool] = (limit, $"pipeline '{pipeline.Name}'");
                }

                var count = 0;
                foreach (var asset in pipeline.Assets)
                {
                    if (asset.External)
                    {
                        if (!owned.ContainsKey(asset.Key) && externals.TryAdd(asset.Key, pipeline.Name))
                        {
                            builder.External(asset.Spec);
                        }

                        continue;
                    }

                    if (asset.Ml is { } ml)
                    {
                        computed.Add(MlAssets.Build(asset, ml, registry, orderLoop));
                        relations[asset.Key] = ml.Train is not null ? Learning.ModelRegistry.Table : Learning.BatchScoring.Table;
                    }
                    else if (asset.Ingest is { } ingest)
                    {
                        var contract = contracts.Find(ingest.Contract) ?? throw new PipelineException($"{asset.Where}: asset {asset.Key}: no contract '{ingest.Contract}' (pipelines/<pipeline>/contracts/{ingest.Contract}.yml)");
                        computed.Add(IngestAssets.Build(asset, pipeline, contract, ingestor));
                        relations[asset.Key] = RelationName.Of(contract.TableName.Schema, contract.TableName.Name);
                    }
                    else
                    {
                        computed.Add(PipelineAssets.Build(asset, pipeline, warehouse));
                        relations[asset.Key] = PipelineAssets.Relation(asset.Key);
                    }

                    count++;
                }

                if (pipeline.Extract is { } extract && extracted[pipeline.Name] is { Count: > 0 } tables)
                {
                    var source = await (options.Operations ?? throw new PipelineException($"{extract.Where}: pipeline '{pipeline.Name}' extracts from the operational store, and this workspace has none configured"))().ConfigureAwait(false);
                    var definition = ExtractAssets.Build(extract with { Tables = tables }, pipeline, source, new Ingestion.Extraction.DatabaseExtractor(warehouse));
                    computed.Add(definition);
                    foreach (var table in tables)
                    {
                        relations[AssetKey.Of(extract.Schema, table)] = RelationName.Of(extract.Schema, table);
                    }

                    count += definition.Specs.Count;
                }

                if (pipeline.Datasets is { } datasets)
                {
                    var definition = DatasetAssets.Build(datasets, pipeline, options.DatasetsFolder, ingestor, warehouse);
                    computed.Add(definition);
                    foreach (var (schema, table) in datasets.Names.SelectMany(Ingestion.Datasets.PublicDatasets.Tables))
                    {
                        relations[AssetKey.Of(schema, table)] = RelationName.Of(schema, table);
                    }

                    count += definition.Specs.Count;
                }

                string? dbtProject = null;
                if (pipeline.Dbt is { Pool: null } unpooled)
                {
                    // Two builds of one project at once would write the same tables and target/ files: one at a time.
                    // On an engine of one writer (DuckDB) that is the warehouse's pool; on a server a pool per project.
                    var pool = options.Warehouse.Engine.Capabilities().MaxConcurrentWriters == 1 ? WarehousePool : $"dbt:{pipeline.Name}";
                    pools.TryAdd(pool, (1, "the built-in default"));
                    pipeline.UseDbtPool(pool);
                }

                if (pipeline.Dbt is { } dbt)
                {
                    var bridge = await DbtAssets.LoadAsync(pipeline, dbt, options, owned, cancellationToken).ConfigureAwait(false);
                    dbtProject = dbt.ProjectDir;
                    warnings.AddRange(bridge.Warnings);
                    foreach (var (key, relation) in bridge.Relations)
                    {
                        relations[key] = relation;
                    }

                    foreach (var (key, rules) in bridge.Quality)
                    {
                        quality[key] = quality.TryGetValue(key, out var earlier) ? earlier.Merge(rules) : rules;
                    }

                    foreach (var source in bridge.Sources.Where(s => !owned.ContainsKey(s.Key) && externals.TryAdd(s.Key, pipeline.Name)))
                    {
                        builder.External(source);
                    }

                    if (bridge.Definition is { } definition)
                    {
                        foreach (var spec in definition.Specs)
                        {
                            if (!owned.TryAdd(spec.Key, pipeline.Name))
                            {
                                throw new PipelineException($"dbt {spec.Key} of pipeline '{pipeline.Name}' has the same asset key as an asset of pipeline '{owned[spec.Key]}'");
                            }
                        }

                        computed.Add(definition);
                        count += definition.Specs.Count;
                    }
                }

                foreach (var sensor in pipeline.Sensors)
                {
                    builder.Sensor(sensor);
                }

                foreach (var sensor in pipeline.LoadSensors)
                {
                    var contract = contracts.Find(sensor.Source) ?? throw new PipelineException($"pipeline '{pipeline.Name}': sensor {sensor.Name}: no contract '{sensor.Source}' (pipelines/<pipeline>/contracts/{sensor.Source}.yml)");
                    var table = AssetKey.Of(contract.TableName.Schema, contract.TableName.Name);
                    builder.Sensor(LoadSensors.Build(sensor, table, ingestor, () => built ?? throw new InvalidOperationException("the definitions are not built yet")));
                }

                foreach (var schedule in pipeline.Schedules)
                {
                    builder.Schedule(schedule);
                }

                pipelines.Add(new PipelineInfo(pipeline.Name, pipeline.Folder, dbtProject, count, pipeline.Sensors.Count + pipeline.LoadSensors.Count, pipeline.Schedules.Count) { Description = pipeline.Description });
            }

            // Every raw and staging table with rules is measured after each materialization, by whichever computation makes it.
            var scorer = new Quality.DqScorer(warehouse);
            foreach (var definition in computed)
            {
                builder.Add(QualityChecks.Attach(definition, quality, scorer));
            }

            foreach (var (pool, (limit, _)) in pools)
            {
                builder.Pool(pool, limit);
            }

            try
            {
                built = builder.Build();
            }
            catch (Orchestration.OrchestrationException e)
            {
                throw new PipelineException($"{options.PipelinesDirectory}: {e.Message}", e);
            }

            return new LoadedPipelines(built, pipelines, warnings, warehouse, owned, relations);
        }
        catch
        {
            await warehouse.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

using System.Globalization;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>A check declared in pipeline.yml: a query whose rows are failures (dbt's convention).</summary>
internal sealed record CheckDecl(string Name, string Sql, bool Blocking, string Description);

/// <summary>An asset declared in pipeline.yml.</summary>
internal sealed record AssetDecl(AssetKey Key, AssetSpec Spec)
{
    public bool External { get; init; }

    public string? Sql { get; init; }

    public RelationKindName Materialized { get; init; } = RelationKindName.Table;

    public string? PartitionColumn { get; init; }

    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>An ingestion: the contract's source name and the files (a glob under the pipeline folder).</summary>
    public (string Contract, string Path)? Ingest { get; init; }

    public RetryPolicy? Retry { get; init; }

    public string? Pool { get; init; }

    public IReadOnlyList<CheckDecl> Checks { get; init; } = [];

    /// <summary>A model trained or scored (<c>ml:</c>).</summary>
    public MlDecl? Ml { get; init; }

    public string Where { get; init; } = "";
}

/// <summary>What a prediction asset does with a risk at or above <paramref name="Threshold"/> (0 to 100): open a PREDICTIVE order, or propose one for a planner to accept.</summary>
public sealed record PredictiveOrderPolicy(double Threshold, bool Propose, Domain.Priority Priority);

/// <summary>An <c>ml:</c> asset: <c>train:</c> a model into the registry, or <c>predict:</c> with its champion.</summary>
internal sealed record MlDecl(Learning.ModelDefinition? Train, Learning.PredictionDefinition? Predict)
{
    public PredictiveOrderPolicy? Orders { get; init; }
}

internal enum RelationKindName
{
    Table,
    View,
}

/// <summary>Public datasets (AI4I 2020, C-MAPSS, SECOM, car features) a pipeline loads from the workspace's datasets folder.</summary>
internal sealed record DatasetsDecl(IReadOnlyList<string> Names, string Where)
{
    public string Group { get; init; } = "";

    public RetryPolicy? Retry { get; init; }
}

/// <summary>A sensor that requests a run when new loads of a contract's source arrive (files or stream loads).</summary>
internal sealed record LoadSensorDecl(string Name, string Source, string Target, TimeSpan Interval, bool Running);

/// <summary>The dbt project of a pipeline and how its assets run.</summary>
internal sealed record DbtDecl(string ProjectDir)
{
    public string? Schema { get; init; }

    public RetryPolicy? Retry { get; init; }

    /// <summary>The pool its builds take; null for the default (see <see cref="PipelineCatalog"/>).</summary>
    public string? Pool { get; init; }

    public AutomationCondition? Automation { get; init; }

    public string? Group { get; init; }

    public IReadOnlyList<string> Exclude { get; init; } = [];
}

/// <summary>Tables of the workspace's operational store that a pipeline extracts into the warehouse, each an asset <c>schema/table</c>.</summary>
/// <summary>How long a pipeline keeps what it leaves behind; null keeps it forever.</summary>
internal sealed record RetentionDecl(TimeSpan? Landing, TimeSpan? Temp, TimeSpan? RawCopies, TimeSpan? Quarantine);

internal sealed record ExtractDecl(string Schema, IReadOnlyList<string> Tables, string Where)
{
    public string Group { get; init; } = "";

    public RetryPolicy? Retry { get; init; }

    public AutomationCondition? Automation { get; init; }
}

/// <summary>One pipeline folder: its pipeline.yml (optional when the folder is a dbt project) read and checked.</summary>
internal sealed class PipelineFile
{
    private PipelineFile(string name, string folder)
    {
        Name = name;
        Folder = folder;
    }

    public string Name { get; }

    public string Folder { get; }

    public string Description { get; private set; } = "";

    public Dictionary<string, int> Pools { get; } = new(StringComparer.Ordinal);

    public List<AssetDecl> Assets { get; } = [];

    public DbtDecl? Dbt { get; private set; }

    public ExtractDecl? Extract { get; private set; }

    public DatasetsDecl? Datasets { get; private set; }

    /// <summary>retention: in pipeline.yml; none declared keeps everything.</summary>
    public RetentionDecl Retention { get; private set; } = new(null, null, null, null);

    public List<SensorDefinition> Sensors { get; } = [];

    /// <summary>Sensors of kind <c>load</c>: built by the catalog, which holds the ingestor they ask.</summary>
    public List<LoadSensorDecl> LoadSensors { get; } = [];

    /// <summary>The folders the pipeline's file sensors watch (a run they start names a file inside one).</summary>
    public List<string> SensorFolders { get; } = [];

    /// <summary>Where a pipeline.yml asset may read a run's file from: <c>landing/</c> and the folders its file sensors watch.</summary>
    public IReadOnlyList<string> FileFolders => [Path.Combine(Folder, "landing"), .. SensorFolders];

    public List<ScheduleDefinition> Schedules { get; } = [];

    public void UseDbtPool(string pool) => Dbt = Dbt! with { Pool = pool };

    public static PipelineFile Read(string folder)
    {
        var pipeline = new PipelineFile(Path.GetFileName(folder), folder);
        var file = Path.Combine(folder, PipelineCatalog.FileName);
        var root = File.Exists(file) ? YamlNode.Load(file) : null;
        if (root is null)
        {
            if (File.Exists(Path.Combine(folder, "dbt_project.yml")))
            {
                pipeline.Dbt = new DbtDecl(folder);
            }

            return pipeline;
        }

        try
        {
            pipeline.Parse(root);
        }
        catch (Orchestration.OrchestrationException e)
        {
            throw new PipelineException($"{file}: {e.Message}", e);
        }

        return pipeline;
    }

    private void Parse(YamlNode root)
    {
        root.OnlyKeys("description", "pools", "dbt", "extract", "datasets", "assets", "sensors", "schedules", "retention");
        if (root.Get("retention") is { } retention)
        {
            retention.OnlyKeys("landing", "temp", "raw_copies", "quarantine");
            Retention = new RetentionDecl(retention.Duration("landing"), retention.Duration("temp"), retention.Duration("raw_copies"), retention.Duration("quarantine"));
        }

        Description = root.String("description") ?? "";
        if (root.Get("pools") is { } pools)
        {
            foreach (var key in pools.Keys)
            {
                Pools[key] = pools.Int(key, 1, min: 1);
            }
        }

        if (root.Get("dbt") is { } dbt)
        {
            dbt.OnlyKeys("project", "schema", "retry", "pool", "automation", "group", "exclude");
            var project = Path.GetFullPath(Path.Combine(Folder, dbt.String("project") ?? "."));
            if (!File.Exists(Path.Combine(project, "dbt_project.yml")))
            {
                throw (dbt.Get("project") ?? dbt).Error($"{project} has no dbt_project.yml");
            }

            Dbt = new DbtDecl(project)
            {
                Schema = dbt.String("schema"),
                Retry = Retry(dbt.Get("retry")),
                Pool = dbt.String("pool"),
                Automation = Automation(dbt.Get("automation")),
                Group = dbt.String("group"),
                Exclude = dbt.Strings("exclude"),
            };
        }
        else if (File.Exists(Path.Combine(Folder, "dbt_project.yml")))
        {
            Dbt = new DbtDecl(Folder);
        }

        if (root.Get("extract") is { } extract)
        {
            extract.OnlyKeys("source", "schema", "tables", "group", "retry", "automation");
            if ((extract.String("source") ?? "operations") != "operations")
            {
                throw (extract.Get("source") ?? extract).Error("source: the workspace's operational store ('operations') is the one source there is");
            }

            var tables = extract.Strings("tables");
            if (tables.Count == 0)
            {
                throw extract.Error("'tables' is required: the operational tables to extract, for example [service_orders, vehicles]");
            }

            foreach (var table in tables.Where(t => !System.Text.RegularExpressions.Regex.IsMatch(t, "^[a-z][a-z0-9_]*$")))
            {
                throw (extract.Get("tables") ?? extract).Error($"'{table}' is not a table name");
            }

            Extract = new ExtractDecl(extract.String("schema") ?? "raw", tables, extract.Where)
            {
                Group = extract.String("group") ?? "",
                Retry = Retry(extract.Get("retry")),
                Automation = Automation(extract.Get("automation")),
            };
        }

        if (root.Get("datasets") is { } datasets)
        {
            datasets.OnlyKeys("names", "group", "retry");
            var names = datasets.Strings("names");
            if (names.Count == 0)
            {
                throw datasets.Error($"'names' is required: the public datasets to load, of {string.Join(", ", Ingestion.Datasets.PublicDatasets.Names)}");
            }

            foreach (var name in names.Where(n => !Ingestion.Datasets.PublicDatasets.Names.Contains(n, StringComparer.Ordinal)))
            {
                throw (datasets.Get("names") ?? datasets).Error($"no dataset named '{name}' (datasets: {string.Join(", ", Ingestion.Datasets.PublicDatasets.Names)})");
            }

            Datasets = new DatasetsDecl(names, datasets.Where)
            {
                Group = datasets.String("group") ?? "",
                Retry = Retry(datasets.Get("retry")),
            };
        }

        foreach (var item in root.Get("assets")?.Items() ?? [])
        {
            Assets.Add(Asset(item));
        }

        foreach (var item in root.Get("sensors")?.Items() ?? [])
        {
            if (Sensor(item) is { } sensor)
            {
                Sensors.Add(sensor);
            }
        }

        foreach (var item in root.Get("schedules")?.Items() ?? [])
        {
            item.OnlyKeys("name", "cron", "timezone", "target", "running", "tags", "description");
            var name = item.RequiredString("name");
            Schedules.Add(new ScheduleDefinition(name, item.RequiredString("cron"), item.String("target") ?? "*", item.String("timezone") ?? "UTC")
            {
                RunningByDefault = item.Bool("running", true),
                Tags = item.StringMap("tags"),
                Description = item.String("description") ?? "",
            });
        }
    }

    private AssetDecl Asset(YamlNode item)
    {
        item.OnlyKeys("key", "description", "group", "owners", "tags", "kinds", "deps", "sql", "materialized", "partition_column", "command", "ingest", "external", "partitions", "retry", "pool", "automation", "freshness", "checks", "ml");
        AssetKey key;
        try
        {
            key = new AssetKey(item.RequiredString("key"));
        }
        catch (Orchestration.OrchestrationException e)
        {
            throw (item.Get("key") ?? item).Error(e.Message);
        }

        var external = item.Bool("external", false);
        var sql = item.String("sql");
        var command = item.Get("command") is { } c ? (c.IsScalar ? ["/bin/sh", "-c", c.Scalar()] : c.Items().Select(i => i.Scalar()).ToList()) : null;
        (string, string)? ingest = null;
        if (item.Get("ingest") is { } i)
        {
            i.OnlyKeys("contract", "path");
            ingest = (i.RequiredString("contract"), i.String("path") ?? "landing/*");
        }

        var ml = item.Get("ml") is { } m ? MlAsset(m, key) : null;
        if ((external ? 1 : 0) + (sql is null ? 0 : 1) + (command is null ? 0 : 1) + (ingest is null ? 0 : 1) + (ml is null ? 0 : 1) != 1)
        {
            throw item.Error($"asset {key} needs exactly one of 'sql', 'command', 'ingest', 'ml' or 'external: true'");
        }

        var partitions = Partitions(item.Get("partitions"));
        var partitionColumn = item.String("partition_column");
        if (sql is not null && partitions is not null && partitionColumn is null)
        {
            throw item.Error($"asset {key} is partitioned: give 'partition_column', the column whose value says which partition a row belongs to");
        }

        var kinds = item.Strings("kinds");
        var spec = new AssetSpec(key)
        {
            Description = item.String("description") ?? "",
            Group = item.String("group") ?? Name,
            Owners = item.Strings("owners"),
            Tags = item.StringMap("tags"),
            Kinds = kinds.Count > 0 ? kinds : external ? ["external"] : sql is not null ? ["sql"] : ingest is not null ? ["ingest"] : ml is not null ? ["ml", ml.Train is not null ? "model" : "predictions"] : ["command"],
            Deps = item.Strings("deps").Select(d => new AssetDependency(new AssetKey(d))).ToList(),
            Partitions = partitions,
            Automation = Automation(item.Get("automation")),
            MaximumLag = item.Get("freshness")?.Duration("max_lag"),
        };
        var materialized = item.String("materialized") switch
        {
            null or "table" => RelationKindName.Table,
            "view" => RelationKindName.View,
            var other => throw item.Get("materialized")!.Error($"'{other}' is not table or view"),
        };
        var checks = (item.Get("checks")?.Items() ?? []).Select(check =>
        {
            check.OnlyKeys("name", "sql", "blocking", "description");
            return new CheckDecl(check.RequiredString("name"), check.RequiredString("sql"), check.Bool("blocking", false), check.String("description") ?? "");
        }).ToList();
        return new AssetDecl(key, spec)
        {
            External = external,
            Sql = sql,
            Command = command,
            Ingest = ingest,
            Materialized = materialized,
            PartitionColumn = partitionColumn,
            Retry = Retry(item.Get("retry")),
            Pool = item.String("pool") ?? (sql is not null || ingest is not null || ml is not null ? PipelineCatalog.WarehousePool : null),
            Checks = checks,
            Ml = ml,
            Where = item.Where,
        };
    }

    private static MlDecl MlAsset(YamlNode node, AssetKey key)
    {
        node.OnlyKeys("train", "predict", "orders");
        var train = node.Get("train");
        var predict = node.Get("predict");
        if ((train is null) == (predict is null))
        {
            throw node.Error($"asset {key}: give one of 'train' (a model from a feature query) or 'predict' (scores with a model's champion)");
        }

        if (train is not null && node.Get("orders") is { } misplaced)
        {
            throw misplaced.Error($"asset {key}: 'orders' belongs to a predict asset: it acts on predictions");
        }

        if (train is not null)
        {
            train.OnlyKeys("name", "task", "label", "features", "keys", "split_by", "exclude", "trainer", "parameters", "seed", "holdout", "evaluation", "test", "targets", "reference");
            var evaluation = train.Get("evaluation");
            evaluation?.OnlyKeys("protocol", "folds", "repeats");
            var model = new Learning.ModelDefinition(
                ModelName(train, key),
                train.RequiredString("task") switch
                {
                    "binary" => Learning.ModelTask.Binary,
                    "multiclass" => Learning.ModelTask.Multiclass,
                    "regression" => Learning.ModelTask.Regression,
                    var other => throw train.Get("task")!.Error($"'{other}' is not binary, multiclass or regression"),
                },
                train.RequiredString("label"),
                train.RequiredString("features"))
            {
                Keys = train.Strings("keys"),
                SplitBy = train.String("split_by"),
                Exclude = train.Strings("exclude"),
                Trainer = train.String("trainer") switch
                {
                    null or "lightgbm" => Learning.TrainerKind.LightGbm,
                    "fasttree" => Learning.TrainerKind.FastTree,
                    "fastforest" => Learning.TrainerKind.FastForest,
                    var other => throw train.Get("trainer")!.Error($"'{other}' is not lightgbm, fasttree or fastforest"),
                },
                Parameters = train.NumberMap("parameters"),
                Seed = train.Int("seed", 42),
                HoldoutFraction = train.Double("holdout", 0.2) is var h and > 0 and < 1 ? h : throw train.Get("holdout")!.Error("holdout is the share of rows held out, between 0 and 1"),
                Evaluation = evaluation?.String("protocol") switch
                {
                    null or "holdout" => Learning.EvaluationProtocol.Holdout,
                    "cross_validation" => Learning.EvaluationProtocol.CrossValidation,
                    "test_set" => Learning.EvaluationProtocol.TestSet,
                    var other => throw evaluation.Get("protocol")!.Error($"'{other}' is not holdout, cross_validation or test_set"),
                },
                Folds = evaluation?.Int("folds", 5, min: 2) ?? 5,
                Repeats = evaluation?.Int("repeats", 1, min: 1) ?? 1,
                TestSql = train.String("test"),
                Targets = train.NumberMap("targets").ToDictionary(t => Learning.ModelMetrics.Canonical(t.Key), t => t.Value, StringComparer.Ordinal),
                Reference = train.String("reference") ?? "",
            };
            var metrics = Learning.ModelMetrics.Names(model.Task);
            if (train.Get("targets") is { } targets && targets.Keys.FirstOrDefault(t => !metrics.Contains(Learning.ModelMetrics.Canonical(t))) is { } unknown)
            {
                throw targets.Get(unknown)!.Error($"asset {key}: '{unknown}' is not a metric of a {model.Task.ToString().ToLowerInvariant()} model (metrics: {string.Join(", ", metrics)})");
            }

            if (model.Evaluation == Learning.EvaluationProtocol.TestSet && model.TestSql is null)
            {
                throw train.Error($"asset {key}: evaluation by test_set needs 'test', the test set's feature query");
            }

            try
            {
                model.Validate();
            }
            catch (Learning.LearningException e)
            {
                throw (train.Get("parameters") ?? train).Error(e.Message);
            }

            return new MlDecl(model, null);
        }

        predict!.OnlyKeys("model", "features", "asset", "top_features", "normal_class");
        var prediction = new Learning.PredictionDefinition(predict.RequiredString("model"), predict.RequiredString("features"))
        {
            AssetColumn = predict.String("asset") ?? "asset",
            TopFeatures = predict.Int("top_features", 3, min: 0),
            NormalClass = predict.String("normal_class"),
        };
        PredictiveOrderPolicy? orders = null;
        if (node.Get("orders") is { } o)
        {
            o.OnlyKeys("threshold", "mode", "priority");
            var threshold = o.Double("threshold", 70);
            if (threshold is < 0 or > 100)
            {
                throw o.Get("threshold")!.Error("threshold is a failure probability from 0 to 100");
            }

            orders = new PredictiveOrderPolicy(
                threshold,
                o.String("mode") switch
                {
                    null or "open" => false,
                    "propose" => true,
                    var other => throw o.Get("mode")!.Error($"'{other}' is not open or propose"),
                },
                o.String("priority") switch
                {
                    null or "high" => Domain.Priority.High,
                    "low" => Domain.Priority.Low,
                    "medium" => Domain.Priority.Medium,
                    "critical" => Domain.Priority.Critical,
                    var other => throw o.Get("priority")!.Error($"'{other}' is not low, medium, high or critical"),
                });
        }
        return new MlDecl(null, prediction) { Orders = orders };
    }

    private static string ModelName(YamlNode train, AssetKey key)
    {
        var name = train.String("name") ?? key.Segments[^1];
        return System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z][a-z0-9_]*$")
            ? name
            : throw (train.Get("name") ?? train).Error($"'{name}' is not a model name (lower case letters, digits and _)");
    }

    private SensorDefinition FileSensor(string name, string folder, string pattern, string target, TimeSpan interval, TimeSpan? settle)
    {
        SensorFolders.Add(folder);
        return Orchestration.Definitions.Sensors.Files(name, folder, pattern, target, interval, settle);
    }

    private SensorDefinition? Sensor(YamlNode item)
    {
        item.OnlyKeys("name", "kind", "path", "pattern", "asset", "source", "interval", "timeout", "settle", "target", "running");
        var name = item.RequiredString("name");
        var target = item.String("target") ?? "*";
        var interval = item.Duration("interval") ?? TimeSpan.FromSeconds(30);
        if (item.RequiredString("kind") == "load")
        {
            LoadSensors.Add(new LoadSensorDecl(name, item.RequiredString("source"), target, item.Duration("interval") ?? TimeSpan.FromSeconds(15), item.Bool("running", true)));
            return null;
        }

        var sensor = item.RequiredString("kind") switch
        {
            "file" => FileSensor(name, Path.GetFullPath(Path.Combine(Folder, item.RequiredString("path"))), item.String("pattern") ?? "*", target, interval, item.Duration("settle")),
            "asset" => Orchestration.Definitions.Sensors.Asset(name, new AssetKey(item.RequiredString("asset")), target, interval),
            var other => throw item.Get("kind")!.Error($"unknown sensor kind '{other}' (file, asset or load)"),
        };
        return sensor with { Timeout = item.Duration("timeout") ?? sensor.Timeout, RunningByDefault = item.Bool("running", true) };
    }

    private static RetryPolicy? Retry(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        node.OnlyKeys("max", "delay", "backoff", "jitter", "max_delay");
        return new RetryPolicy(node.Int("max", 3, min: 0), node.Duration("delay") ?? TimeSpan.FromSeconds(1))
        {
            Backoff = node.String("backoff") switch
            {
                null or "exponential" => Backoff.Exponential,
                "linear" => Backoff.Linear,
                "constant" => Backoff.Constant,
                var other => throw node.Get("backoff")!.Error($"'{other}' is not constant, linear or exponential"),
            },
            Jitter = node.Bool("jitter", false),
            MaxDelay = node.Duration("max_delay"),
        };
    }

    private static AutomationCondition? Automation(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node.IsScalar)
        {
            return node.Scalar() switch
            {
                "eager" => AutomationCondition.Eager(),
                "on_missing" => AutomationCondition.OnMissing(),
                var other => throw node.Error($"'{other}' is not eager, on_missing or {{on_cron: ...}}"),
            };
        }

        node.OnlyKeys("on_cron", "timezone");
        return AutomationCondition.OnCron(node.RequiredString("on_cron"), node.String("timezone") ?? "UTC");
    }

    private static PartitionsDefinition? Partitions(YamlNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var kinds = node.Keys.ToList();
        if (kinds.Count != 1)
        {
            throw node.Error("give one kind of partitions: hourly, daily, weekly, monthly, static, dynamic or multi");
        }

        var kind = kinds[0];
        var body = node.Get(kind)!;
        switch (kind)
        {
            case "hourly" or "daily" or "weekly" or "monthly":
                body.OnlyKeys("start", "timezone", "end_offset");
                var startText = body.RequiredString("start");
                if (!DateTime.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
                {
                    throw body.Get("start")!.Error($"'{startText}' is not a date");
                }

                return new TimeWindowPartitions(Enum.Parse<PartitionCadence>(kind, ignoreCase: true), start, body.String("timezone") ?? "UTC", body.Int("end_offset", 0, min: 0));
            case "static":
                return new StaticPartitions(body.Items().Select(i => i.Scalar()));
            case "dynamic":
                return new DynamicPartitions(body.Scalar());
            case "multi":
                return new MultiPartitions(body.Keys.Select(k => new KeyValuePair<string, PartitionsDefinition>(k, Partitions(body.Get(k))!)).ToList());
            default:
                throw node.Error($"unknown partitions '{kind}' (hourly, daily, weekly, monthly, static, dynamic or multi)");
        }
    }
}

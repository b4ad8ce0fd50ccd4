using Millwright.Ingestion.Contracts;
using Millwright.Ingestion.Files;

namespace Millwright.Ingestion.Datasets;

/// <summary>One file of a public dataset, the contract it loads under, and the constants it adds.</summary>
public sealed record DatasetFile(string RelativePath, DataContract Contract, IReadOnlyDictionary<string, string> Constants);

/// <summary>
/// Contracts and loaders for the public datasets (AI4I 2020, NASA C-MAPSS, UCI SECOM, car features and MSRP), read
/// from a local folder laid out as ../shared/datasets; nothing is downloaded.
/// </summary>
public static class PublicDatasets
{
    public static IReadOnlyList<string> Names { get; } = ["ai4i2020", "cmapss", "secom", "car_features"];

    /// <summary>Every data set's contract.</summary>
    public static IReadOnlyList<DataContract> Contracts => [Ai4i, CmapssTrain, CmapssTest, CmapssRul, Secom, SecomLabels, CarFeatures];

    private static readonly string[] CmapssSubsets = ["FD001", "FD002", "FD003", "FD004"];

    private static readonly string[] Ai4iFlags = ["machine_failure", "twf", "hdf", "pwf", "osf", "rnf"];

    private static readonly string[] ZeroOne = ["0", "1"];

    public static DataContract Ai4i { get; } = new("ai4i2020", 1,
    [
        new("udi", ColumnType.Integer) { Nullable = false, Description = "Unique identifier, 1..10000" },
        new("product_id", ColumnType.String) { Nullable = false, Pattern = "[LMH][0-9]+" },
        new("type", ColumnType.String) { Nullable = false, Allowed = ["L", "M", "H"], Description = "Product quality: low, medium, high" },
        new("air_temperature_k", ColumnType.Double) { Nullable = false, Min = 250, Max = 350 },
        new("process_temperature_k", ColumnType.Double) { Nullable = false, Min = 250, Max = 350 },
        new("rotational_speed_rpm", ColumnType.Integer) { Nullable = false, Min = 0, Max = 10000 },
        new("torque_nm", ColumnType.Double) { Nullable = false, Min = 0, Max = 200 },
        new("tool_wear_min", ColumnType.Integer) { Nullable = false, Min = 0, Max = 1000 },
        .. Ai4iFlags.Select(flag => new ContractColumn(flag, ColumnType.Integer) { Nullable = false, Allowed = ZeroOne }),
    ])
    {
        Description = "AI4I 2020 predictive maintenance (UCI 601): milling process readings and failure modes",
        PrimaryKey = ["udi"],
        Format = new FileFormat { Delimiter = "," },
        MaxRejectedFraction = 0,
    };

    private static IReadOnlyList<ContractColumn> CmapssColumns { get; } =
    [
        new("unit", ColumnType.Integer) { Nullable = false, Min = 1 },
        new("cycle", ColumnType.Integer) { Nullable = false, Min = 1 },
        .. Enumerable.Range(1, 3).Select(i => new ContractColumn($"op_setting_{i}", ColumnType.Double) { Nullable = false }),
        .. Enumerable.Range(1, 21).Select(i => new ContractColumn($"sensor_{i}", ColumnType.Double) { Nullable = false }),
        new("subset", ColumnType.String) { Source = ColumnSource.Constant, Allowed = CmapssSubsets },
    ];

    private static FileFormat SpaceSeparated { get; } = new() { Delimiter = " ", Header = false, TrailingDelimiters = true };

    public static DataContract CmapssTrain { get; } = new("cmapss_train", 1, CmapssColumns)
    {
        Description = "NASA C-MAPSS turbofan run-to-failure trajectories (training)",
        PrimaryKey = ["unit", "cycle"],
        Format = SpaceSeparated,
        MaxRejectedFraction = 0,
    };

    public static DataContract CmapssTest { get; } = CmapssTrain with { Source = "cmapss_test", Description = "NASA C-MAPSS trajectories cut before failure (test)" };

    public static DataContract CmapssRul { get; } = new("cmapss_rul", 1,
    [
        new("rul", ColumnType.Integer) { Nullable = false, Min = 0, Description = "Remaining useful life after the last test cycle" },
        new("unit", ColumnType.Integer) { Source = ColumnSource.Line, Description = "The test unit: the line number" },
        new("subset", ColumnType.String) { Source = ColumnSource.Constant, Allowed = CmapssSubsets },
    ])
    {
        Description = "NASA C-MAPSS true remaining useful life of each test unit",
        PrimaryKey = ["unit"],
        Format = SpaceSeparated,
        MaxRejectedFraction = 0,
    };

    public static DataContract Secom { get; } = new("secom", 1,
    [
        new("time", ColumnType.Timestamp) { Nullable = false, Description = "As in the Kaggle CSV (day and month swapped in 582 rows; use secom_labels for the true time)" },
        .. Enumerable.Range(0, 590).Select(i => new ContractColumn($"c_{i}", ColumnType.Double)),
        new("pass_fail", ColumnType.Integer) { Nullable = false, Allowed = ["-1", "1"], Description = "-1 pass, 1 fail" },
    ])
    {
        Description = "UCI SECOM semiconductor process: 590 sensor signals per wafer, missing values as NULL",
        Format = new FileFormat { Delimiter = "," },
        MaxRejectedFraction = 0,
    };

    public static DataContract SecomLabels { get; } = new("secom_labels", 1,
    [
        new("label", ColumnType.Integer) { Nullable = false, Allowed = ["-1", "1"] },
        new("recorded_at", ColumnType.Timestamp) { Nullable = false, Format = "%d/%m/%Y %H:%M:%S" },
        new("row_id", ColumnType.Integer) { Source = ColumnSource.Line, Description = "The row of uci-secom.csv it labels" },
    ])
    {
        Description = "UCI SECOM labels and true timestamps (the UCI original)",
        PrimaryKey = ["row_id"],
        Format = new FileFormat { Delimiter = " ", Header = false },
        MaxRejectedFraction = 0,
    };

    public static DataContract CarFeatures { get; } = new("car_features", 1,
    [
        new("make", ColumnType.String) { Nullable = false },
        new("model", ColumnType.String) { Nullable = false },
        new("year", ColumnType.Integer) { Nullable = false, Min = 1900, Max = 2100 },
        new("engine_fuel_type", ColumnType.String),
        new("engine_hp", ColumnType.Double) { Min = 0 },
        new("engine_cylinders", ColumnType.Double) { Min = 0 },
        new("transmission_type", ColumnType.String),
        new("driven_wheels", ColumnType.String),
        new("number_of_doors", ColumnType.Double) { Min = 0 },
        new("market_category", ColumnType.String),
        new("vehicle_size", ColumnType.String),
        new("vehicle_style", ColumnType.String),
        new("highway_mpg", ColumnType.Integer) { Min = 0 },
        new("city_mpg", ColumnType.Integer) { Min = 0 },
        new("popularity", ColumnType.Integer) { Min = 0 },
        new("msrp", ColumnType.Integer) { Min = 0 },
    ])
    {
        Description = "Car features and MSRP (Kaggle): 11,914 models; 715 rows are exact duplicates, so no primary key",
        Format = new FileFormat { Delimiter = "," },
        MaxRejectedFraction = 0,
    };

    /// <summary>The environment variable that names the datasets folder.</summary>
    public const string Variable = "MILLWRIGHT_DATASETS";

    /// <summary>
    /// The datasets folder for a workspace at <paramref name="workspaceRoot"/>: <see cref="Variable"/> when set, else the
    /// first <c>shared/datasets</c> folder in the workspace or one of the folders above it (so a workspace inside a
    /// checkout finds the checkout's <c>../shared/datasets</c>); null when there is none.
    /// </summary>
    public static string? Locate(string workspaceRoot, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(Variable) is { Length: > 0 } set)
        {
            return Path.GetFullPath(set);
        }

        for (var dir = new DirectoryInfo(Path.GetFullPath(workspaceRoot)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(Path.Combine(candidate, "ai4i2020")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The warehouse tables a dataset's files land in, in load order, each once.</summary>
    public static IReadOnlyList<(string Schema, string Name)> Tables(string name) =>
        Files(name, "").Select(f => f.Contract.TableName).Distinct().ToList();

    /// <summary>The files of a dataset in load order, found under <paramref name="root"/> (plain or .gz).</summary>
    public static IReadOnlyList<DatasetFile> Files(string name, string root)
    {
        var none = new Dictionary<string, string>();
        return name switch
        {
            "ai4i2020" => [new("ai4i2020/ai4i2020.csv", Ai4i, none)],
            "secom" => [new("secom/uci-secom.csv", Secom, none), new("secom/secom_labels.data", SecomLabels, none)],
            "car_features" => [new("car_features_msrp/data.csv", CarFeatures, none)],
            "cmapss" => CmapssSubsets.SelectMany(subset =>
            {
                var constants = new Dictionary<string, string> { ["subset"] = subset };
                return new DatasetFile[]
                {
                    new(Find(root, $"cmapss/train_{subset}.txt"), CmapssTrain, constants),
                    new(Find(root, $"cmapss/test_{subset}.txt"), CmapssTest, constants),
                    new(Find(root, $"cmapss/RUL_{subset}.txt"), CmapssRul, constants),
                };
            }).ToList(),
            _ => throw new IngestionException($"no dataset named '{name}' (datasets: {string.Join(", ", Names)})"),
        };
    }

    /// <summary>Loads every file of a dataset; a file already loaded is skipped.</summary>
    public static Task<IReadOnlyList<LoadResult>> LoadAsync(FileIngestor ingestor, string name, string root, CancellationToken cancellationToken = default) =>
        LoadAsync(ingestor, name, root, _ => true, cancellationToken);

    /// <summary>The files of dataset <paramref name="name"/> whose table (schema, name) <paramref name="table"/> accepts, as <see cref="LoadAsync(FileIngestor, string, string, CancellationToken)"/> loads them.</summary>
    public static async Task<IReadOnlyList<LoadResult>> LoadAsync(FileIngestor ingestor, string name, string root, Func<(string Schema, string Name), bool> table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(ingestor);
        if (!Directory.Exists(root))
        {
            throw new IngestionException($"{root}: no datasets folder (expected the layout of ../shared/datasets: ai4i2020/, cmapss/, secom/, car_features_msrp/)");
        }

        var results = new List<LoadResult>();
        foreach (var file in Files(name, root).Where(f => table(f.Contract.TableName)))
        {
            var path = Path.Combine(root, file.RelativePath);
            if (!File.Exists(path))
            {
                throw new IngestionException($"{path}: missing from dataset {name}");
            }

            // A file loaded before is skipped from its checksum, without the engine reading it again.
            results.AddRange(await ingestor.IngestManyAsync([path], file.Contract, file.Constants, cancellationToken: cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private static string Find(string root, string relative) =>
        File.Exists(Path.Combine(root, relative)) || !File.Exists(Path.Combine(root, relative + ".gz")) ? relative : relative + ".gz";
}

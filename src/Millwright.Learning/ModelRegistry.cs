using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Millwright.Warehouse;

namespace Millwright.Learning;

/// <summary>Where a model version stands: a candidate that did not beat the champion, the champion that scores, or retired.</summary>
public enum ModelStatus
{
    Candidate,
    Champion,
    Retired,
}

/// <summary>One trained version of a model as the registry (<c>ml.models</c>) records it.</summary>
public sealed record ModelVersion(string Name, int Version, DateTime TrainedAt, ModelTask Task, TrainerKind Trainer, ModelStatus Status)
{
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();

    public FeatureLayout Features { get; init; } = new([], []);

    public string Label { get; init; } = "";

    public int Seed { get; init; }

    /// <summary>SHA-256 of every training row read (label, keys and features), in key order.</summary>
    public string TrainingData { get; init; } = "";

    public long TrainingRows { get; init; }

    public long HeldOutRows { get; init; }

    /// <summary>Figures on the held-out rows, by metric name.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The file of the fitted ML.NET model, relative to the registry's folder.</summary>
    public string Artifact { get; init; } = "";

    public string ArtifactSha256 { get; init; } = "";

    public double TrainingSeconds { get; init; }

    public string? RunId { get; init; }

    /// <summary>Why it is champion or candidate, in words.</summary>
    public string Decision { get; init; } = "";
}

/// <summary>
/// The model registry: <c>ml.models</c> in the warehouse (one row per version, its figures, data hash and status, and its
/// held-out selection <c>metric</c> and <c>score</c> as columns for dashboards) and the
/// fitted models as files under a folder of the workspace. A new version becomes champion only when it beats the
/// champion on the held-out selection metric; the status change of both versions is one transaction.
/// </summary>
public sealed class ModelRegistry(IWarehouse warehouse, string folder)
{
    public static readonly RelationName Table = RelationName.Of("ml", "models");

    private static readonly ColumnDefinition[] Columns =
    [
        new("name", LogicalType.Text, false), new("version", LogicalType.Int32, false), new("trained_at", LogicalType.Timestamp, false),
        new("task", LogicalType.Text, false), new("trainer", LogicalType.Text, false), new("parameters", LogicalType.Text),
        new("features", LogicalType.Text), new("label", LogicalType.Text), new("seed", LogicalType.Int32),
        new("training_data", LogicalType.Text), new("training_rows", LogicalType.Int64), new("held_out_rows", LogicalType.Int64),
        new("metrics", LogicalType.Text), new("status", LogicalType.Text, false), new("artifact", LogicalType.Text),
        new("artifact_sha256", LogicalType.Text), new("training_seconds", LogicalType.Float64), new("run_id", LogicalType.Text),
        new("decision", LogicalType.Text), new("metric", LogicalType.Text), new("score", LogicalType.Float64),
    ];

    public IWarehouse Warehouse => warehouse;

    public string Folder => folder;

    public async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        await warehouse.CreateSchemaAsync("ml", cancellationToken).ConfigureAwait(false);
        await warehouse.ExecuteAsync(warehouse.Dialect.CreateTable(Table, Columns, ifNotExists: true), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every version, newest first; of one model when <paramref name="name"/> is given.</summary>
    public async Task<IReadOnlyList<ModelVersion>> ListAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        if (await warehouse.GetRelationAsync(Table, cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }

        var sql = $"SELECT * FROM {warehouse.Dialect.Render(Table)}" + (name is null ? "" : " WHERE name = $1") + " ORDER BY name, version DESC";
        var result = await warehouse.QueryAsync(sql, name is null ? [] : [name], cancellationToken).ConfigureAwait(false);
        await using (result.ConfigureAwait(false))
        {
            var ordinal = result.Columns.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.OrdinalIgnoreCase);
            string? S(string column) => result.GetValue(ordinal[column]) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
            var versions = new List<ModelVersion>();
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                versions.Add(new ModelVersion(S("name")!, int.Parse(S("version")!, CultureInfo.InvariantCulture), Convert.ToDateTime(result.GetValue(ordinal["trained_at"]), CultureInfo.InvariantCulture),
                    Enum.Parse<ModelTask>(S("task")!, ignoreCase: true), Enum.Parse<TrainerKind>(S("trainer")!, ignoreCase: true), Enum.Parse<ModelStatus>(S("status")!, ignoreCase: true))
                {
                    Parameters = JsonSerializer.Deserialize<Dictionary<string, double>>(S("parameters") ?? "{}") ?? [],
                    Features = JsonSerializer.Deserialize<FeatureLayout>(S("features") ?? "{}") ?? new([], []),
                    Label = S("label") ?? "",
                    Seed = int.Parse(S("seed") ?? "0", CultureInfo.InvariantCulture),
                    TrainingData = S("training_data") ?? "",
                    TrainingRows = long.Parse(S("training_rows") ?? "0", CultureInfo.InvariantCulture),
                    HeldOutRows = long.Parse(S("held_out_rows") ?? "0", CultureInfo.InvariantCulture),
                    Metrics = (JsonSerializer.Deserialize<Dictionary<string, double>>(S("metrics") ?? "{}") ?? []).ToDictionary(m => ModelMetrics.Canonical(m.Key), m => m.Value),
                    Artifact = S("artifact") ?? "",
                    ArtifactSha256 = S("artifact_sha256") ?? "",
                    TrainingSeconds = double.Parse(S("training_seconds") ?? "0", CultureInfo.InvariantCulture),
                    RunId = S("run_id"),
                    Decision = S("decision") ?? "",
                });
            }

            return versions;
        }
    }

    public async Task<ModelVersion?> ChampionAsync(string name, CancellationToken cancellationToken = default) =>
        (await ListAsync(name, cancellationToken).ConfigureAwait(false)).FirstOrDefault(v => v.Status == ModelStatus.Champion);

    /// <summary>
    /// Records a trained model as the next version: champion when there is none or it beats the champion's held-out
    /// <paramref name="metric"/> (which is then retired), candidate otherwise. The model file is written first, under a
    /// name no other version uses, so a failed insert leaves at most an unreferenced file.
    /// </summary>
    internal async Task<ModelVersion> RegisterAsync(ModelVersion trained, byte[] artifact, string metric, double? championOnSameRows, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        var versions = await ListAsync(trained.Name, cancellationToken).ConfigureAwait(false);
        var version = versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1;
        var champion = versions.FirstOrDefault(v => v.Status == ModelStatus.Champion);
        var lower = ModelMetrics.LowerIsBetter(metric);
        var score = trained.Metrics.GetValueOrDefault(metric, double.NaN);
        string decision;
        bool promote;
        if (champion is null)
        {
            (promote, decision) = (true, "first version: champion");
        }
        else if ((championOnSameRows is { } same && !double.IsNaN(same) ? same : champion.Metrics.GetValueOrDefault(metric, double.NaN)) is var best && double.IsNaN(best))
        {
            (promote, decision) = (true, $"champion v{champion.Version} has no {metric}: replaced");
        }
        else
        {
            var basis = championOnSameRows is { } s && !double.IsNaN(s) ? "on the same held-out rows" : "as registered";
            promote = lower ? score < best : score > best;
            decision = promote
                ? $"{metric} {score:0.0000} beats champion v{champion.Version} ({best:0.0000} {basis}): champion"
                : $"{metric} {score:0.0000} does not beat champion v{champion.Version} ({best:0.0000} {basis}): candidate";
        }

        var relative = Path.Combine(trained.Name, $"v{version}-{Guid.NewGuid():N}.zip");
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, artifact, cancellationToken).ConfigureAwait(false);
        var recorded = trained with
        {
            Version = version,
            Status = promote ? ModelStatus.Champion : ModelStatus.Candidate,
            Artifact = relative,
            ArtifactSha256 = Convert.ToHexStringLower(SHA256.HashData(artifact)),
            Decision = decision,
        };
        var d = warehouse.Dialect;
        var table = d.Render(Table);
        var statements = new List<string>();
        if (promote && champion is not null)
        {
            statements.Add($"UPDATE {table} SET status = {d.Literal(Name(ModelStatus.Retired))} WHERE name = {d.Literal(trained.Name)} AND status = {d.Literal(Name(ModelStatus.Champion))}");
        }

        object?[] values =
        [
            recorded.Name, recorded.Version, recorded.TrainedAt, recorded.Task.ToString().ToLowerInvariant(), recorded.Trainer.ToString().ToLowerInvariant(), JsonSerializer.Serialize(recorded.Parameters),
            JsonSerializer.Serialize(recorded.Features), recorded.Label, recorded.Seed, recorded.TrainingData, recorded.TrainingRows, recorded.HeldOutRows,
            JsonSerializer.Serialize(recorded.Metrics.ToDictionary(m => m.Key, m => double.IsFinite(m.Value) ? m.Value : 0)), Name(recorded.Status), recorded.Artifact,
            recorded.ArtifactSha256, recorded.TrainingSeconds, recorded.RunId, recorded.Decision, metric, double.IsFinite(score) ? score : null,
        ];
        statements.Add($"INSERT INTO {table} ({string.Join(", ", Columns.Select(c => d.QuoteIdentifier(c.Name)))}) VALUES ({string.Join(", ", values.Select(d.Literal))})");
        try
        {
            await warehouse.ExecuteInTransactionAsync(statements, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return recorded;
    }

    /// <summary>A status as the registry writes it: CANDIDATE, CHAMPION, RETIRED.</summary>
    public static string Name(ModelStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>The fitted model of a version, checked against the checksum the registry holds.</summary>
    internal async Task<byte[]> ReadArtifactAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, version.Artifact);
        if (!File.Exists(path))
        {
            throw new LearningException($"model {version.Name} v{version.Version}: its file {path} is missing; train the model again");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), version.ArtifactSha256, StringComparison.Ordinal))
        {
            throw new LearningException($"model {version.Name} v{version.Version}: {path} does not match the checksum in {Table}; train the model again");
        }

        return bytes;
    }
}

using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Millwright.Warehouse;

namespace Millwright.Learning;

/// <summary>What to score with a model's champion: rows of <see cref="FeatureSql"/>, each named by <see cref="AssetColumn"/>.</summary>
public sealed record PredictionDefinition(string Model, string FeatureSql)
{
    /// <summary>The column that names what a prediction is about (an asset id, a unit); written to <c>asset</c>.</summary>
    public string AssetColumn { get; init; } = "asset";

    /// <summary>How many contributing features each prediction keeps.</summary>
    public int TopFeatures { get; init; } = 3;

    /// <summary>For a multiclass model of failure modes: the class that means no failure, so the failure probability is 1 - P(it).</summary>
    public string? NormalClass { get; init; }
}

/// <summary>A feature's part in one prediction: its value and how much it moved the score (positive raises the risk or the RUL).</summary>
public sealed record FeatureEffect(string Feature, double Value, double Effect);

/// <summary>One prediction as <c>ml.maintenance_predictions</c> holds it (with its top features as JSON and, in <c>signals</c>, in words).</summary>
public sealed record Prediction(string Asset, string Model, int Version, DateTime PredictedAt)
{
    /// <summary>0 to 100; null for a regression model.</summary>
    public double? FailureProbability { get; init; }

    public string? PredictedFailureMode { get; init; }

    public double? RulCycles { get; init; }

    public IReadOnlyList<FeatureEffect> TopFeatures { get; init; } = [];
}

/// <summary>
/// Scores rows with a model's champion and writes the predictions to <c>ml.maintenance_predictions</c>, replacing that
/// model's predictions of the same day in one transaction, so a daily schedule run twice leaves one set.
/// </summary>
public sealed class BatchScoring(ModelRegistry registry, TimeProvider? clock = null)
{
    public static readonly RelationName Table = RelationName.Of("ml", "maintenance_predictions");

    private static readonly ColumnDefinition[] Columns =
    [
        new("asset", LogicalType.Text, false), new("predicted_at", LogicalType.Timestamp, false), new("model", LogicalType.Text, false),
        new("version", LogicalType.Int32, false), new("failure_probability", LogicalType.Float64), new("predicted_failure_mode", LogicalType.Text),
        new("rul_cycles", LogicalType.Float64), new("top_features", LogicalType.Text), new("signals", LogicalType.Text), new("run_id", LogicalType.Text),
    ];

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task<IReadOnlyList<Prediction>> ScoreAsync(PredictionDefinition definition, string? runId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var champion = await registry.ChampionAsync(definition.Model, cancellationToken).ConfigureAwait(false)
            ?? throw new LearningException($"model {definition.Model} has no champion to predict with: train it first (its ml train asset)");
        var predictions = await PredictAsync(champion, definition, cancellationToken).ConfigureAwait(false);
        await WriteAsync(definition.Model, predictions, runId, cancellationToken).ConfigureAwait(false);
        return predictions;
    }

    /// <summary>Scores without writing anything.</summary>
    public async Task<IReadOnlyList<Prediction>> PredictAsync(ModelVersion version, PredictionDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(definition);
        var shape = new ModelDefinition(version.Name, version.Task, version.Label, definition.FeatureSql) { Keys = [definition.AssetColumn], Seed = version.Seed };
        var table = await FeatureTable.ReadAsync(registry.Warehouse, shape, definition.FeatureSql, version.Features, withLabel: false, cancellationToken).ConfigureAwait(false);
        if (table.Count == 0)
        {
            return [];
        }

        var fitter = new Fitter(shape);
        var ml = fitter.Ml;
        ITransformer model;
        var bytes = await registry.ReadArtifactAsync(version, cancellationToken).ConfigureAwait(false);
        using (var stream = new MemoryStream(bytes))
        {
            model = ml.Model.Load(stream, out _);
        }

        var rows = Enumerable.Range(0, table.Count).ToList();
        var scored = model.Transform(fitter.Load(table, rows));
        var contributions = Contributions(ml, model, scored, definition.TopFeatures);
        var predictedAt = _clock.GetUtcNow().UtcDateTime;
        // Microseconds, as both warehouses keep them: whole seconds made two runs within one second share a time, so a
        // proposal dismissed in between hid the next run's proposal, and the next run's rows doubled the earlier ones.
        predictedAt = new DateTime(predictedAt.Ticks - (predictedAt.Ticks % 10), DateTimeKind.Utc);
        var asset = table.Keys.Select(k => Convert.ToString(k[0], CultureInfo.InvariantCulture) ?? "").ToList();
        var result = new List<Prediction>(table.Count);
        switch (version.Task)
        {
            case ModelTask.Binary:
                var probability = scored.GetColumn<float>("Probability").ToList();
                for (var i = 0; i < table.Count; i++)
                {
                    result.Add(new Prediction(asset[i], version.Name, version.Version, predictedAt) { FailureProbability = Math.Round(probability[i] * 100, 2), TopFeatures = contributions?[i] ?? [] });
                }

                break;
            case ModelTask.Multiclass:
                var names = default(VBuffer<ReadOnlyMemory<char>>);
                scored.Schema["Score"].GetSlotNames(ref names);
                var classes = names.DenseValues().Select(n => n.ToString()).ToList();
                var modes = scored.GetColumn<ReadOnlyMemory<char>>(Fitter.PredictedMode).Select(m => m.ToString()).ToList();
                var scores = scored.GetColumn<float[]>("Score").ToList();
                var normal = definition.NormalClass is { } n ? classes.IndexOf(n) : -1;
                for (var i = 0; i < table.Count; i++)
                {
                    var p = normal >= 0 ? 1 - scores[i][normal] : scores[i].Max();
                    result.Add(new Prediction(asset[i], version.Name, version.Version, predictedAt) { FailureProbability = Math.Round(p * 100, 2), PredictedFailureMode = modes[i] });
                }

                break;
            default:
                var rul = scored.GetColumn<float>("Score").ToList();
                for (var i = 0; i < table.Count; i++)
                {
                    result.Add(new Prediction(asset[i], version.Name, version.Version, predictedAt) { RulCycles = Math.Round(Math.Max(0, rul[i]), 1), TopFeatures = contributions?[i] ?? [] });
                }

                break;
        }

        return result;
    }

    /// <summary>Each row's top features by the size of their contribution to its score (ML.NET's feature contribution of tree models).</summary>
    private static List<IReadOnlyList<FeatureEffect>>? Contributions(MLContext ml, ITransformer model, IDataView scored, int top)
    {
        if (top <= 0 || model is not TransformerChain<ITransformer> chain)
        {
            return null;
        }

        FeatureContributionCalculatingTransformer? calculator = chain.LastTransformer switch
        {
            BinaryPredictionTransformer<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>> t => ml.Transforms.CalculateFeatureContribution(t, top, 0, normalize: false).Fit(scored),
            BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> t => ml.Transforms.CalculateFeatureContribution(t, top, 0, normalize: false).Fit(scored),
            ISingleFeaturePredictionTransformer<ICalculateFeatureContribution> t => ml.Transforms.CalculateFeatureContribution(t, top, 0, normalize: false).Fit(scored),
            _ => null,
        };
        if (calculator is null)
        {
            return null;
        }

        var withContributions = calculator.Transform(scored);
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        withContributions.Schema[Fitter.Features].GetSlotNames(ref names);
        // Concatenated slots are named after their source column (Numeric.wear, CategoricalEncoded.variant.A): keep the feature's own name.
        var slotNames = names.DenseValues().Select(n => n.ToString()).Select(n => n.StartsWith(nameof(Example.Numeric) + ".", StringComparison.Ordinal) || n.StartsWith("CategoricalEncoded.", StringComparison.Ordinal) ? n[(n.IndexOf('.', StringComparison.Ordinal) + 1)..] : n).ToArray();
        var features = withContributions.GetColumn<float[]>(Fitter.Features).ToList();
        var effects = withContributions.GetColumn<float[]>("FeatureContributions").ToList();
        return features.Zip(effects, (values, effect) => (IReadOnlyList<FeatureEffect>)Enumerable.Range(0, effect.Length)
            .Where(j => effect[j] != 0)
            .OrderByDescending(j => Math.Abs(effect[j])).ThenBy(j => j)
            .Take(top)
            .Select(j => new FeatureEffect(j < slotNames.Length ? slotNames[j] : $"f{j}", Math.Round(values[j], 4), Math.Round(effect[j], 4)))
            .ToList()).ToList();
    }

    /// <summary>The top features in words for a table: <c>motor_trend = 5.45 (+4.62); pack_excess_7d = 3.15 (+0.09)</c>.</summary>
    public static string Signals(IEnumerable<FeatureEffect> features) =>
        string.Join("; ", features.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Feature} = {f.Value:0.##} ({f.Effect:+0.##;-0.##;0})")));

    private async Task WriteAsync(string modelName, IReadOnlyList<Prediction> predictions, string? runId, CancellationToken cancellationToken)
    {
        var warehouse = registry.Warehouse;
        var d = warehouse.Dialect;
        await warehouse.CreateSchemaAsync("ml", cancellationToken).ConfigureAwait(false);
        await warehouse.ExecuteAsync(d.CreateTable(Table, Columns, ifNotExists: true), cancellationToken).ConfigureAwait(false);

        var day = (predictions.Count > 0 ? predictions[0].PredictedAt : _clock.GetUtcNow().UtcDateTime).Date;
        var staging = RelationName.Of("ml", $"_predictions_{Guid.NewGuid():N}");
        await warehouse.BulkLoadRowsAsync(staging, Columns, predictions.Select(p => new object?[]
        {
            p.Asset, p.PredictedAt, p.Model, p.Version, p.FailureProbability, p.PredictedFailureMode, p.RulCycles, JsonSerializer.Serialize(p.TopFeatures, Json), Signals(p.TopFeatures), runId,
        }), cancellationToken).ConfigureAwait(false);
        try
        {
            await warehouse.ExecuteInTransactionAsync(
            [
                $"DELETE FROM {d.Render(Table)} WHERE model = {d.Literal(modelName)} AND predicted_at >= {d.Literal(day)} AND predicted_at < {d.Literal(day.AddDays(1))}",
                $"INSERT INTO {d.Render(Table)} SELECT * FROM {d.Render(staging)}",
            ], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await warehouse.DropRelationAsync(staging, CancellationToken.None).ConfigureAwait(false);
        }
    }
}

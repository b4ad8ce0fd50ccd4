using System.Globalization;

namespace Millwright.Learning;

/// <summary>Trains a model from the warehouse and records it in the registry, promoting it when it beats the champion.</summary>
public sealed class ModelTraining(ModelRegistry registry, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Reads the features, holds out a seeded share (whole groups when the model splits by one), fits, measures and registers.</summary>
    public async Task<ModelVersion> TrainAsync(ModelDefinition model, string? runId = null, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var table = await FeatureTable.ReadAsync(registry.Warehouse, model, model.FeatureSql, null, withLabel: true, cancellationToken).ConfigureAwait(false);
        if (table.Count < 20)
        {
            throw new LearningException($"model {model.Name}: the feature query gave {table.Count} labelled row(s); at least 20 are needed to train and hold some out") { NotEnoughData = true };
        }

        log?.Report($"{table.Count:N0} rows, {table.Layout.Numeric.Count + table.Layout.Categorical.Count} features ({string.Join(", ", table.Layout.All.Take(12))}{(table.Layout.Numeric.Count + table.Layout.Categorical.Count > 12 ? ", ..." : "")})" +
            (table.UnlabeledRows > 0 ? $"; {table.UnlabeledRows:N0} rows without a label skipped" : ""));
        Splits.GuardAgainstLeaks(table, model);
        var (train, test) = Splits.Holdout(table, model);
        if (test.Count == 0 || train.Count == 0)
        {
            throw new LearningException($"model {model.Name}: the hold-out split left {train.Count} training and {test.Count} held-out rows; give more rows or groups") { NotEnoughData = true };
        }

        if (model.Task == ModelTask.Binary && (!test.Any(i => table.Labels[i] is true) || !train.Any(i => table.Labels[i] is true)))
        {
            throw new LearningException($"model {model.Name}: {table.Labels.Count(l => l is true)} of {table.Count:N0} rows have {model.Label} true" +
                (model.SplitBy is { } splitBy ? $", in {table.Groups.Where((g, i) => table.Labels[i] is true).Distinct(StringComparer.Ordinal).Count()} {splitBy} group(s)" : "") +
                ": too few to train on some and hold some out; more history is needed") { NotEnoughData = true };
        }

        var fitter = new Fitter(model);
        var (fitted, metrics, elapsed) = fitter.FitAndEvaluate(table, train, table, test);
        log?.Report($"trained on {train.Count:N0} rows in {elapsed.TotalSeconds:0.0} s; held out {test.Count:N0}" + (model.SplitBy is { } by ? $" (whole {by} groups)" : "") +
            ": " + string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value.ToString("0.0000", CultureInfo.InvariantCulture)}")));
        var artifact = Fitter.Save(fitter.Ml, fitted, fitter.Load(table, train.Take(1)).Schema);
        var trained = new ModelVersion(model.Name, 0, _clock.GetUtcNow().UtcDateTime, model.Task, model.Trainer, ModelStatus.Candidate)
        {
            Parameters = model.Parameters,
            Features = table.Layout,
            Label = model.Label,
            Seed = model.Seed,
            TrainingData = table.Hash,
            TrainingRows = train.Count,
            HeldOutRows = test.Count,
            Metrics = metrics,
            TrainingSeconds = elapsed.TotalSeconds,
            RunId = runId,
        };
        var champion = await ChampionOnSameRowsAsync(model, table, test, cancellationToken).ConfigureAwait(false);
        var recorded = await registry.RegisterAsync(trained, artifact, model.SelectionMetric, champion, cancellationToken).ConfigureAwait(false);
        log?.Report($"registered {recorded.Name} v{recorded.Version}: {recorded.Decision}");
        return recorded;
    }

    /// <summary>
    /// The champion's selection metric on the candidate's own held-out rows, so the two are compared on the same
    /// examples even when the data has grown since the champion was trained; null (compare with the figure the champion
    /// was registered with) when there is no champion or its features are no longer in the query.
    /// </summary>
    private async Task<double?> ChampionOnSameRowsAsync(ModelDefinition model, FeatureTable table, IReadOnlyList<int> test, CancellationToken cancellationToken)
    {
        if (model.Keys.Count == 0 || await registry.ChampionAsync(model.Name, cancellationToken).ConfigureAwait(false) is not { } champion || champion.Task != model.Task)
        {
            return null;
        }

        try
        {
            var rows = champion.Features.Numeric.SequenceEqual(table.Layout.Numeric, StringComparer.Ordinal) && champion.Features.Categorical.SequenceEqual(table.Layout.Categorical, StringComparer.Ordinal)
                ? table
                : await FeatureTable.ReadAsync(registry.Warehouse, model, model.FeatureSql, champion.Features, withLabel: true, cancellationToken).ConfigureAwait(false);
            if (rows.Count != table.Count)
            {
                return null;
            }

            var fitter = new Fitter(model);
            var bytes = await registry.ReadArtifactAsync(champion, cancellationToken).ConfigureAwait(false);
            using var stream = new MemoryStream(bytes);
            var fitted = fitter.Ml.Model.Load(stream, out _);
            return fitter.Evaluate(fitted, fitter.Load(rows, test)).GetValueOrDefault(model.SelectionMetric, double.NaN);
        }
        catch (LearningException)
        {
            return null;
        }
    }
}

using Millwright.Warehouse;

namespace Millwright.Learning;

/// <summary>One figure of an evaluation: its mean over folds and repeats, spread, and the target it is held to.</summary>
public sealed record EvaluationFigure(string Metric, double Mean, double StandardDeviation, double? Target)
{
    public bool LowerIsBetter => ModelMetrics.LowerIsBetter(Metric);

    /// <summary>Whether the figure meets its target; true when there is none.</summary>
    public bool Met => Target is not { } t || (LowerIsBetter ? Mean <= t : Mean >= t);
}

/// <summary>A model measured by its protocol, without touching the registry.</summary>
public sealed record EvaluationReport(string Model, EvaluationProtocol Protocol, string Description, IReadOnlyList<EvaluationFigure> Figures, int Fits, double TrainingSeconds, long Rows, string Reference)
{
    public bool TargetsMet => Figures.All(f => f.Met);
}

/// <summary>
/// Measures a model definition the way its references were measured: stratified (or grouped) K-fold cross-validation
/// repeated with new shuffles, a grouped hold-out, or a separate test set. Nothing is registered.
/// </summary>
public sealed class ModelEvaluation(IWarehouse warehouse)
{
    public async Task<EvaluationReport> EvaluateAsync(ModelDefinition model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var table = await FeatureTable.ReadAsync(warehouse, model, model.FeatureSql, null, withLabel: true, cancellationToken).ConfigureAwait(false);
        Splits.GuardAgainstLeaks(table, model);
        var runs = new List<Dictionary<string, double>>();
        var seconds = new List<double>();
        string description;
        switch (model.Evaluation)
        {
            case EvaluationProtocol.CrossValidation:
                for (var repeat = 0; repeat < model.Repeats; repeat++)
                {
                    var fold = Splits.Assign(table, model, model.Folds, model.Seed + repeat);
                    for (var k = 0; k < model.Folds; k++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var train = Enumerable.Range(0, table.Count).Where(i => fold[i] != k).ToList();
                        var test = Enumerable.Range(0, table.Count).Where(i => fold[i] == k).ToList();
                        var (_, metrics, elapsed) = new Fitter(model with { Seed = model.Seed + repeat }).FitAndEvaluate(table, train, table, test);
                        runs.Add(metrics);
                        seconds.Add(elapsed.TotalSeconds);
                    }
                }

                description = $"{(model.SplitBy is { } g ? $"grouped by {g}" : model.Task == ModelTask.Regression ? "shuffled" : "stratified")} {model.Folds}-fold cross-validation x {model.Repeats}";
                break;
            case EvaluationProtocol.TestSet:
                var sql = model.TestSql ?? throw new LearningException($"model {model.Name}: evaluation by test set needs a test query (test_sql)");
                var testTable = await FeatureTable.ReadAsync(warehouse, model, sql, table.Layout, withLabel: true, cancellationToken).ConfigureAwait(false);
                var (_, m, e) = new Fitter(model).FitAndEvaluate(table, Enumerable.Range(0, table.Count).ToList(), testTable, Enumerable.Range(0, testTable.Count).ToList());
                runs.Add(m);
                seconds.Add(e.TotalSeconds);
                description = $"trained on all {table.Count:N0} training rows, tested on {testTable.Count:N0} rows of the test set";
                break;
            default:
                var (trainRows, testRows) = Splits.Holdout(table, model);
                var (_, hm, he) = new Fitter(model).FitAndEvaluate(table, trainRows, table, testRows);
                runs.Add(hm);
                seconds.Add(he.TotalSeconds);
                description = $"held out {testRows.Count:N0} of {table.Count:N0} rows" + (model.SplitBy is { } s ? $" (whole {s} groups)" : "");
                break;
        }

        var figures = runs[0].Keys.Select(metric =>
        {
            var values = runs.Select(r => r[metric]).ToList();
            var mean = values.Average();
            var sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
            return new EvaluationFigure(metric, mean, sd, model.Targets.TryGetValue(metric, out var t) ? t : null);
        }).ToList();
        return new EvaluationReport(model.Name, model.Evaluation, description, figures, runs.Count, seconds.Average(), table.Count, model.Reference);
    }
}

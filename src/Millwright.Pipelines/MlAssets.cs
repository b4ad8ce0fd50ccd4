using System.Globalization;
using Millwright.Learning;
using Millwright.Orchestration.Definitions;

namespace Millwright.Pipelines;

/// <summary>
/// The computations of <c>ml:</c> assets. A train asset fits its model from the warehouse and registers the version in
/// <c>ml.models</c> (champion only when it beats the champion); a predict asset scores with the champion into
/// <c>ml.maintenance_predictions</c> and hands the risks above its threshold to the predictive order loop.
/// </summary>
internal static class MlAssets
{
    public static AssetsDefinition Build(AssetDecl asset, MlDecl ml, ModelRegistry? registry, PredictiveOrderLoop? orders)
    {
        ModelRegistry Registry() => registry ?? throw new PipelineException($"{asset.Where}: asset {asset.Key}: these pipelines were loaded with no folder for models (PipelineOptions.ModelsDirectory)");
        AssetCompute compute = ml.Train is { } model
            ? ctx => TrainAsync(model, Registry(), ctx)
            : ctx => PredictAsync(asset, ml, Registry(), orders, ctx);
        return new AssetsDefinition(asset.Key.Path, [asset.Spec], compute)
        {
            Retry = asset.Retry,
            Pool = asset.Pool,
        };
    }

    private static async Task TrainAsync(ModelDefinition model, ModelRegistry registry, Orchestration.Execution.AssetContext ctx)
    {
        ModelVersion version;
        try
        {
            version = await new ModelTraining(registry).TrainAsync(model, ctx.RunId, new Progress(ctx), ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (LearningException e) when (e.NotEnoughData)
        {
            // A young workspace: skipped, not failed, so its other assets' runs stay green; the champion (if any) stays.
            ctx.Skipped(ctx.Key, $"not trained: {e.Message}");
            return;
        }
        catch (LearningException e)
        {
            throw new PipelineException($"asset {ctx.Key}: {e.Message}", e);
        }

        ctx.AddMetadata("model", version.Name);
        ctx.AddMetadata("version", version.Version);
        ctx.AddMetadata("status", version.Status.ToString().ToUpperInvariant());
        ctx.AddMetadata("decision", version.Decision);
        ctx.AddMetadata("training_rows", version.TrainingRows);
        ctx.AddMetadata("held_out_rows", version.HeldOutRows);
        ctx.AddMetadata("training_data", version.TrainingData);
        ctx.AddMetadata("training_seconds", Math.Round(version.TrainingSeconds, 2));
        foreach (var (metric, value) in version.Metrics)
        {
            ctx.AddMetadata(metric, Math.Round(value, 4));
        }
    }

    private static async Task PredictAsync(AssetDecl asset, MlDecl ml, ModelRegistry registry, PredictiveOrderLoop? orders, Orchestration.Execution.AssetContext ctx)
    {
        var definition = ml.Predict!;
        IReadOnlyList<Prediction> predictions;
        try
        {
            predictions = await new BatchScoring(registry).ScoreAsync(definition, ctx.RunId, ctx.CancellationToken).ConfigureAwait(false);
        }
        catch (LearningException e)
        {
            throw new PipelineException($"{asset.Where}: asset {asset.Key}: {e.Message}", e);
        }

        var version = predictions.Count > 0 ? predictions[0].Version : 0;
        ctx.Log($"{predictions.Count:N0} prediction(s) by {definition.Model} v{version} written to {BatchScoring.Table}");
        ctx.AddMetadata("model", definition.Model);
        ctx.AddMetadata("version", version);
        ctx.AddMetadata("row_count", predictions.Count);
        ctx.AddMetadata("relation", BatchScoring.Table.ToString());
        if (ml.Orders is not { } policy)
        {
            return;
        }

        var risky = predictions.Where(p => p.FailureProbability >= policy.Threshold).OrderByDescending(p => p.FailureProbability).ToList();
        ctx.AddMetadata("above_threshold", risky.Count);
        if (risky.Count == 0)
        {
            if (orders is not null)
            {
                await orders.EnsureAsync(ctx.CancellationToken).ConfigureAwait(false);
            }

            ctx.Log($"no prediction at or above the threshold of {policy.Threshold.ToString(CultureInfo.InvariantCulture)} %");
            return;
        }

        if (orders is null)
        {
            throw new PipelineException($"{asset.Where}: asset {asset.Key}: {risky.Count} prediction(s) call for predictive orders and this workspace has no operational store to open them in");
        }

        var outcomes = await orders.ActAsync(risky, policy, ctx.RunId, ctx.CancellationToken).ConfigureAwait(false);
        foreach (var outcome in outcomes)
        {
            ctx.Log(outcome.Describe());
        }

        ctx.AddMetadata("orders_opened", outcomes.Count(o => o.Action == PredictiveAction.Opened));
        ctx.AddMetadata("orders_already_open", outcomes.Count(o => o.Action == PredictiveAction.AlreadyOpen));
        ctx.AddMetadata("orders_proposed", outcomes.Count(o => o.Action == PredictiveAction.Proposed));
    }

    private sealed class Progress(Orchestration.Execution.AssetContext ctx) : IProgress<string>
    {
        public void Report(string value) => ctx.Log(value);
    }
}

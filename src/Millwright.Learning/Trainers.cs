using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Millwright.Learning;

/// <summary>The ML.NET estimator of a trainer and task, with its parameters set by their pipeline.yml names.</summary>
internal static class Trainers
{
    /// <summary>The parameters a model may set, and what they mean.</summary>
    public static readonly IReadOnlyDictionary<string, string> ParameterNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["trees"] = "boosting iterations or forest size",
        ["leaves"] = "leaves per tree",
        ["learning_rate"] = "shrinkage of each tree (boosting)",
        ["min_leaf"] = "fewest rows in a leaf",
        ["feature_fraction"] = "share of features each tree sees",
        ["bagging_fraction"] = "share of rows each tree sees (LightGBM, with bagging_frequency)",
        ["bagging_frequency"] = "bag every k iterations (LightGBM)",
        ["l2"] = "L2 regularization (LightGBM)",
        ["unbalanced"] = "1 to weight the rare class up (binary LightGBM)",
        ["max_bins"] = "histogram bins per feature",
    };

    public static void Check(ModelDefinition model)
    {
        foreach (var name in model.Parameters.Keys.Where(n => !ParameterNames.ContainsKey(n)))
        {
            throw new LearningException($"model {model.Name}: unknown parameter '{name}' (parameters: {string.Join(", ", ParameterNames.Keys)})");
        }

        if (model.Trainer == TrainerKind.FastForest && model.Task == ModelTask.Multiclass)
        {
            throw new LearningException($"model {model.Name}: fastforest does not train multiclass models; use lightgbm or fasttree");
        }
    }

    public static IEstimator<ITransformer> Create(MLContext ml, ModelDefinition model, string label)
    {
        Check(model);
        var p = model.Parameters;
        int? Int(string name) => p.TryGetValue(name, out var v) ? (int)v : null;
        double? Real(string name) => p.TryGetValue(name, out var v) ? v : null;
        var trees = Int("trees") ?? 200;
        var leaves = Int("leaves") ?? 31;
        var learningRate = Real("learning_rate") ?? 0.05;
        var minLeaf = Int("min_leaf") ?? 20;
        var featureFraction = Real("feature_fraction") ?? 1.0;
        var maxBins = Int("max_bins") ?? 255;

        GradientBooster.Options Booster() => new()
        {
            FeatureFraction = featureFraction,
            SubsampleFraction = Real("bagging_fraction") ?? 1.0,
            SubsampleFrequency = Int("bagging_frequency") ?? 0,
            L2Regularization = Real("l2") ?? 0.01,
        };

        // ML.NET's own tree trainers share their options' base: set it once (a boosted one also takes the learning rate).
        T Tree<T>(T options, string? labelColumn)
            where T : TreeOptions
        {
            options.LabelColumnName = labelColumn ?? options.LabelColumnName;
            options.NumberOfTrees = trees;
            options.NumberOfLeaves = leaves;
            options.MinimumExampleCountPerLeaf = minLeaf;
            options.FeatureFraction = featureFraction;
            options.MaximumBinCountPerFeature = maxBins;
            options.Seed = model.Seed;
            options.FeatureSelectionSeed = model.Seed;
            options.NumberOfThreads = 1;
            if (options is BoostedTreeOptions boosted)
            {
                boosted.LearningRate = learningRate;
            }

            return options;
        }

        switch (model.Trainer, model.Task)
        {
            case (TrainerKind.LightGbm, ModelTask.Binary):
                return ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    LabelColumnName = label,
                    NumberOfIterations = trees,
                    NumberOfLeaves = leaves,
                    LearningRate = learningRate,
                    MinimumExampleCountPerLeaf = minLeaf,
                    MaximumBinCountPerFeature = maxBins,
                    UnbalancedSets = (Int("unbalanced") ?? 0) == 1,
                    Seed = model.Seed,
                    NumberOfThreads = 1,
                    Booster = Booster(),
                });
            case (TrainerKind.LightGbm, ModelTask.Multiclass):
                return ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                {
                    LabelColumnName = label,
                    NumberOfIterations = trees,
                    NumberOfLeaves = leaves,
                    LearningRate = learningRate,
                    MinimumExampleCountPerLeaf = minLeaf,
                    MaximumBinCountPerFeature = maxBins,
                    UnbalancedSets = (Int("unbalanced") ?? 0) == 1,
                    Seed = model.Seed,
                    NumberOfThreads = 1,
                    Booster = Booster(),
                });
            case (TrainerKind.LightGbm, ModelTask.Regression):
                return ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                {
                    LabelColumnName = label,
                    NumberOfIterations = trees,
                    NumberOfLeaves = leaves,
                    LearningRate = learningRate,
                    MinimumExampleCountPerLeaf = minLeaf,
                    MaximumBinCountPerFeature = maxBins,
                    Seed = model.Seed,
                    NumberOfThreads = 1,
                    Booster = Booster(),
                });
            case (TrainerKind.FastTree, ModelTask.Binary):
                return ml.BinaryClassification.Trainers.FastTree(Tree(new FastTreeBinaryTrainer.Options(), label));
            case (TrainerKind.FastTree, ModelTask.Multiclass):
                // One binary FastTree per class; the label is the one-versus-all wrapper's.
                return ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(Tree(new FastTreeBinaryTrainer.Options(), null)), labelColumnName: label);
            case (TrainerKind.FastTree, ModelTask.Regression):
                return ml.Regression.Trainers.FastTree(Tree(new FastTreeRegressionTrainer.Options(), label));
            case (TrainerKind.FastForest, ModelTask.Binary):
                // A forest's score is a vote, not a probability: Platt scaling makes it one, as the boosted trainers do.
                return ml.BinaryClassification.Trainers.FastForest(Tree(new FastForestBinaryTrainer.Options(), label))
                    .Append(ml.BinaryClassification.Calibrators.Platt(labelColumnName: label));
            case (TrainerKind.FastForest, ModelTask.Regression):
                return ml.Regression.Trainers.FastForest(Tree(new FastForestRegressionTrainer.Options(), label));
            default:
                throw new LearningException($"model {model.Name}: {model.Trainer} does not train {model.Task} models");
        }
    }
}

using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Millwright.Learning;

/// <summary>Fits and measures one model definition on rows of a <see cref="FeatureTable"/>, all under one seeded ML.NET context.</summary>
internal sealed class Fitter
{
    public const string Features = "Features";
    public const string ClassKey = "ClassKey";
    public const string PredictedMode = "PredictedMode";

    private readonly ModelDefinition _model;

    public Fitter(ModelDefinition model)
    {
        Trainers.Check(model);
        _model = model;
        Ml = new MLContext(model.Seed);
    }

    public MLContext Ml { get; }

    public string LabelColumn => _model.Task switch
    {
        ModelTask.Binary => nameof(Example.Label),
        ModelTask.Multiclass => ClassKey,
        _ => nameof(Example.Target),
    };

    /// <summary>The rows as an ML.NET view whose feature slots carry their column names.</summary>
    public IDataView Load(FeatureTable table, IEnumerable<int> indexes)
    {
        var schema = SchemaDefinition.Create(typeof(Example));
        var layout = table.Layout;
        var numeric = schema[nameof(Example.Numeric)];
        numeric.ColumnType = new VectorDataViewType(NumberDataViewType.Single, Math.Max(1, layout.Numeric.Count));
        numeric.AddAnnotation("SlotNames", new VBuffer<ReadOnlyMemory<char>>(layout.Numeric.Count, layout.Numeric.Select(n => n.AsMemory()).ToArray()), new VectorDataViewType(TextDataViewType.Instance, layout.Numeric.Count));
        if (layout.Categorical.Count > 0)
        {
            var categorical = schema[nameof(Example.Categorical)];
            categorical.ColumnType = new VectorDataViewType(TextDataViewType.Instance, layout.Categorical.Count);
            categorical.AddAnnotation("SlotNames", new VBuffer<ReadOnlyMemory<char>>(layout.Categorical.Count, layout.Categorical.Select(n => n.AsMemory()).ToArray()), new VectorDataViewType(TextDataViewType.Instance, layout.Categorical.Count));
        }
        else
        {
            schema.Remove(schema[nameof(Example.Categorical)]);
        }

        foreach (var unused in new[] { nameof(Example.Label), nameof(Example.Class), nameof(Example.Target) }.Where(n => n != (_model.Task switch
        {
            ModelTask.Binary => nameof(Example.Label),
            ModelTask.Multiclass => nameof(Example.Class),
            _ => nameof(Example.Target),
        })))
        {
            schema.Remove(schema[unused]);
        }

        var examples = table.Examples(indexes);
        if (layout.Numeric.Count == 0)
        {
            foreach (var e in examples)
            {
                e.Numeric = [0f];
            }
        }

        return Ml.Data.LoadFromEnumerable(examples, schema);
    }

    public ITransformer Fit(IDataView data, FeatureLayout layout)
    {
        IEstimator<ITransformer> pipeline = layout.Categorical.Count > 0
            ? Ml.Transforms.Categorical.OneHotEncoding("CategoricalEncoded", nameof(Example.Categorical))
                .Append(Ml.Transforms.Concatenate(Features, nameof(Example.Numeric), "CategoricalEncoded"))
            : Ml.Transforms.CopyColumns(Features, nameof(Example.Numeric));
        if (_model.Trainer != TrainerKind.LightGbm)
        {
            // LightGBM learns where a missing value goes; ML.NET's own tree trainers skip a row with one, so it takes the mean.
            pipeline = pipeline.Append(Ml.Transforms.ReplaceMissingValues(Features, replacementMode: Microsoft.ML.Transforms.MissingValueReplacingEstimator.ReplacementMode.Mean));
        }

        if (_model.Task == ModelTask.Multiclass)
        {
            pipeline = pipeline.Append(Ml.Transforms.Conversion.MapValueToKey(ClassKey, nameof(Example.Class)));
        }

        pipeline = pipeline.Append(Trainers.Create(Ml, _model, LabelColumn));
        if (_model.Task == ModelTask.Multiclass)
        {
            pipeline = pipeline.Append(Ml.Transforms.Conversion.MapKeyToValue(PredictedMode, "PredictedLabel"));
        }

        return pipeline.Fit(data);
    }

    /// <summary>The model's figures on <paramref name="data"/>, by metric name (<see cref="ModelMetrics.Names"/> of its task).</summary>
    public Dictionary<string, double> Evaluate(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        switch (_model.Task)
        {
            case ModelTask.Binary:
                var b = Ml.BinaryClassification.Evaluate(scored, LabelColumn);
                return new()
                {
                    ["roc_auc"] = b.AreaUnderRocCurve,
                    ["f1"] = b.F1Score,
                    ["pr_auc"] = b.AreaUnderPrecisionRecallCurve,
                    ["accuracy"] = b.Accuracy,
                    ["precision"] = b.PositivePrecision,
                    ["recall"] = b.PositiveRecall,
                    ["log_loss"] = b.LogLoss,
                };
            case ModelTask.Multiclass:
                var m = Ml.MulticlassClassification.Evaluate(scored, LabelColumn);
                return new()
                {
                    ["macro_accuracy"] = m.MacroAccuracy,
                    ["micro_accuracy"] = m.MicroAccuracy,
                    ["log_loss"] = m.LogLoss,
                };
            default:
                var r = Ml.Regression.Evaluate(scored, LabelColumn);
                var actual = scored.GetColumn<float>(LabelColumn).ToArray();
                var predicted = scored.GetColumn<float>("Score").ToArray();
                return new()
                {
                    ["rmse"] = r.RootMeanSquaredError,
                    ["mae"] = r.MeanAbsoluteError,
                    ["r2"] = r.RSquared,
                    ["nasa_score"] = NasaScore(actual, predicted),
                };
        }
    }

    /// <summary>The PHM08 scoring function of C-MAPSS: late predictions cost more than early ones (exp(d/10) against exp(-d/13)).</summary>
    public static double NasaScore(IReadOnlyList<float> actual, IReadOnlyList<float> predicted) =>
        actual.Zip(predicted, (a, p) => (double)p - a).Sum(d => d < 0 ? Math.Exp(-d / 13) - 1 : Math.Exp(d / 10) - 1);

    public static byte[] Save(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        return stream.ToArray();
    }

    /// <summary>Fit and measure, timed.</summary>
    public (ITransformer Model, Dictionary<string, double> Metrics, TimeSpan Elapsed) FitAndEvaluate(FeatureTable train, IReadOnlyList<int> trainRows, FeatureTable test, IReadOnlyList<int> testRows)
    {
        var watch = Stopwatch.StartNew();
        var model = Fit(Load(train, trainRows), train.Layout);
        var elapsed = watch.Elapsed;
        return (model, Evaluate(model, Load(test, testRows)), elapsed);
    }
}

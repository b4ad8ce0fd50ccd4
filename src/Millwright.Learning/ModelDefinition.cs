namespace Millwright.Learning;

/// <summary>What a model learns.</summary>
public enum ModelTask
{
    /// <summary>A yes/no label; scores are probabilities.</summary>
    Binary,

    /// <summary>One of several text labels (a failure mode).</summary>
    Multiclass,

    /// <summary>A number (remaining useful life).</summary>
    Regression,
}

/// <summary>The ML.NET trainer a model is fitted with.</summary>
public enum TrainerKind
{
    /// <summary>Gradient-boosted trees by LightGBM.</summary>
    LightGbm,

    /// <summary>Gradient-boosted trees by ML.NET's FastTree (MART).</summary>
    FastTree,

    /// <summary>A random forest by ML.NET's FastForest (not for multiclass).</summary>
    FastForest,
}

/// <summary>How a model's figures are measured by <c>ml evaluate</c>.</summary>
public enum EvaluationProtocol
{
    /// <summary>The held-out rows of training (whole groups when the model splits by a column).</summary>
    Holdout,

    /// <summary>K folds (stratified by the label for classification), repeated with different shuffles.</summary>
    CrossValidation,

    /// <summary>A separate test query (C-MAPSS's official test set).</summary>
    TestSet,
}

/// <summary>
/// A model as a pipeline declares it: rows from <see cref="FeatureSql"/>, the <see cref="Label"/> column, the key columns
/// that name a row (never features), the columns that must never be features (leakage guards), and how to train it.
/// Every other column of the query is a feature: numbers and booleans as they are (NULL as missing), text one-hot.
/// </summary>
public sealed record ModelDefinition(string Name, ModelTask Task, string Label, string FeatureSql)
{
    /// <summary>Columns that identify a row (an asset, a unit, a day); carried to predictions, never learned from.</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Rows of one value of this column are all in training or all held out (a unit, a vehicle): no leakage across it.</summary>
    public string? SplitBy { get; init; }

    /// <summary>Columns of the query that must never be features, for example the failure-mode flags of AI4I.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    public TrainerKind Trainer { get; init; } = TrainerKind.LightGbm;

    /// <summary>Trainer parameters by their pipeline.yml names (<see cref="Trainers.ParameterNames"/>).</summary>
    public IReadOnlyDictionary<string, double> Parameters { get; init; } = new Dictionary<string, double>();

    /// <summary>The seed of every random choice (split, folds, trainer): the same seed and rows give the same model.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The share of rows (or groups) held out to compare a candidate with the champion.</summary>
    public double HoldoutFraction { get; init; } = 0.2;

    public EvaluationProtocol Evaluation { get; init; } = EvaluationProtocol.Holdout;

    public int Folds { get; init; } = 5;

    public int Repeats { get; init; } = 1;

    /// <summary>The test query of <see cref="EvaluationProtocol.TestSet"/>: the same columns as the features.</summary>
    public string? TestSql { get; init; }

    /// <summary>Figures <c>ml evaluate</c> checks, by metric name (<c>roc_auc: 0.975</c>; RMSE-like metrics are upper bounds).</summary>
    public IReadOnlyDictionary<string, double> Targets { get; init; } = new Dictionary<string, double>();

    /// <summary>The reference the figures are compared with, in words.</summary>
    public string Reference { get; init; } = "";

    /// <summary>Throws <see cref="LearningException"/> for an unknown parameter or a trainer that cannot learn the task.</summary>
    public void Validate() => Trainers.Check(this);

    /// <summary>The metric a candidate must beat the champion on: roc_auc, macro_accuracy or rmse by task.</summary>
    public string SelectionMetric => Task switch
    {
        ModelTask.Binary => "roc_auc",
        ModelTask.Multiclass => "macro_accuracy",
        _ => "rmse",
    };
}

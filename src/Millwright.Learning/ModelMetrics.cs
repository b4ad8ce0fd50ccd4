namespace Millwright.Learning;

/// <summary>The figures an evaluation reports, by their lower-case names, and which way each is better.</summary>
public static class ModelMetrics
{
    /// <summary>The metrics an evaluation of a model of <paramref name="task"/> reports.</summary>
    public static IReadOnlyList<string> Names(ModelTask task) => task switch
    {
        ModelTask.Binary => ["roc_auc", "f1", "pr_auc", "accuracy", "precision", "recall", "log_loss"],
        ModelTask.Multiclass => ["macro_accuracy", "micro_accuracy", "log_loss"],
        _ => ["rmse", "mae", "r2", "nasa_score"],
    };

    /// <summary>
    /// The metric <paramref name="name"/> stands for: itself, or <c>roc_auc</c> for <c>auc</c>, which registries and
    /// pipeline files written before the metric was renamed still hold.
    /// </summary>
    public static string Canonical(string name) => name == "auc" ? "roc_auc" : name;

    public static bool LowerIsBetter(string metric) => metric is "rmse" or "mae" or "log_loss" or "nasa_score";
}

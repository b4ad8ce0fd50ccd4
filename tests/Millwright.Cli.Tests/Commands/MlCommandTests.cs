using System.Text.Json;
using Millwright.Ingestion.Datasets;

namespace Millwright.Cli.Tests.Commands;

/// <summary>
/// `millwright ml train|predict|evaluate NAME` on a new workspace's shipped models, with the public data sets
/// (../shared/datasets) loaded: what a reliability engineer types after `millwright ingest dataset ...`.
/// </summary>
public sealed class MlCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>An error as one line (the console wraps long ones).</summary>
    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    private async Task<bool> WorkspaceWithDatasetsAsync(string selection)
    {
        if (PublicDatasets.Locate(AppContext.BaseDirectory, Environment.GetEnvironmentVariable) is not { } datasets)
        {
            return false;
        }

        _cli.Environment[PublicDatasets.Variable] = datasets;
        Assert.Equal(0, (await _cli.RunAsync("init", ".")).ExitCode);
        var built = await _cli.RunAsync("assets", "materialize", "--select", selection);
        Assert.True(built.ExitCode == 0, built.Out + built.Error);
        return true;
    }

    [Fact]
    public async Task A_model_trains_by_name_twice_to_the_same_figures_predicts_and_evaluates_as_json()
    {
        Assert.SkipUnless(await WorkspaceWithDatasetsAsync("+ml_cmapss_features"), "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");

        var first = await _cli.RunAsync("ml", "train", "cmapss_fd001");
        var second = await _cli.RunAsync("ml", "train", "cmapss_fd001");
        var predicted = await _cli.RunAsync("ml", "predict", "cmapss_fd001");
        var evaluated = await _cli.RunAsync("ml", "evaluate", "cmapss_fd001", "--format", "json");

        Assert.True(first.ExitCode == 0, first.Out + first.Error);
        var v1 = first.Out.Split('\n').Single(l => l.StartsWith("cmapss_fd001 v", StringComparison.Ordinal));
        var v2 = second.Out.Split('\n').Single(l => l.StartsWith("cmapss_fd001 v", StringComparison.Ordinal));
        Assert.StartsWith("cmapss_fd001 v1: CHAMPION - first version", v1, StringComparison.Ordinal);
        Assert.StartsWith("cmapss_fd001 v2: CANDIDATE - rmse ", v2, StringComparison.Ordinal);
        // The same seed and rows give the same model: the figures after "held out" are equal to the last digit.
        Assert.Equal(v1[v1.IndexOf("held out", StringComparison.Ordinal)..], v2[v2.IndexOf("held out", StringComparison.Ordinal)..]);
        Assert.Contains("ml/cmapss_fd001_predictions: 100 prediction(s) by cmapss_fd001 v1 in ml.maintenance_predictions", predicted.Out, StringComparison.Ordinal);
        Assert.Equal("100", (await _cli.RunAsync("sql", "select count(*) from ml.maintenance_predictions where model = 'cmapss_fd001' and rul_cycles >= 0", "--format", "csv")).Out.Split('\n')[1].Trim());

        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        var json = JsonDocument.Parse(evaluated.Out).RootElement;
        Assert.Equal("cmapss_fd001", json.GetProperty("model").GetString());
        Assert.InRange(json.GetProperty("rmse").GetDouble(), 5, 13);
        Assert.True(json.GetProperty("nasa_score").GetDouble() > 0);
        Assert.True(json.GetProperty("targets").GetProperty("rmse").GetProperty("met").GetBoolean());
        Assert.True(json.GetProperty("targets_met").GetBoolean());
    }

    [Fact]
    public async Task A_binary_model_is_evaluated_under_the_metric_names_of_the_issue_and_meets_its_targets()
    {
        Assert.SkipUnless(await WorkspaceWithDatasetsAsync("+stg_ai4i"), "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");

        var evaluated = await _cli.RunAsync("ml", "evaluate", "ai4i2020", "--format", "json", "--check");

        Assert.True(evaluated.ExitCode == 0, evaluated.Out + evaluated.Error);
        var json = JsonDocument.Parse(evaluated.Out).RootElement;
        Assert.Equal("stratified 5-fold cross-validation x 3", json.GetProperty("protocol").GetString());
        Assert.Equal(15, json.GetProperty("fits").GetInt32());
        Assert.True(json.GetProperty("roc_auc").GetDouble() >= 0.975, evaluated.Out);
        Assert.True(json.GetProperty("f1").GetDouble() >= 0.78, evaluated.Out);
        Assert.InRange(json.GetProperty("pr_auc").GetDouble(), 0.5, 1);
        Assert.Equal(0.975, json.GetProperty("targets").GetProperty("roc_auc").GetProperty("target").GetDouble());
    }

    [Fact]
    public async Task Names_that_train_or_predict_nothing_are_refused_with_what_there_is()
    {
        Assert.SkipUnless(await WorkspaceWithDatasetsAsync("raw/secom_labels"), "../shared/datasets is not on this machine (set MILLWRIGHT_DATASETS)");

        var unknown = await _cli.RunAsync("ml", "train", "nope");
        var noPrediction = await _cli.RunAsync("ml", "predict", "ai4i2020");
        var none = await _cli.RunAsync("ml", "train");

        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("no pipeline declares a model 'nope' (models: fleet_failure_14d, ai4i2020, ai4i2020_mode, cmapss_fd001, cmapss_fd002, cmapss_fd003, cmapss_fd004, secom)", OneLine(unknown.Error), StringComparison.Ordinal);
        Assert.NotEqual(0, noPrediction.ExitCode);
        Assert.Contains("no pipeline declares an ml: predict: asset for model 'ai4i2020' (models predicted: fleet_failure_14d, cmapss_fd001)", OneLine(noPrediction.Error), StringComparison.Ordinal);
        Assert.NotEqual(0, none.ExitCode);
    }
}

using Microsoft.Extensions.Time.Testing;
using Millwright.Warehouse;

namespace Millwright.Learning.Tests;

/// <summary>
/// Training, the registry and batch scoring on both warehouses, on a synthetic machine population whose failures follow
/// two readings (wear and temperature) with some noise, in 40 machines of 50 days each.
/// </summary>
public abstract class LearningTests<TWarehouse> : IAsyncLifetime
    where TWarehouse : WarehouseFixture, new()
{
    private readonly TWarehouse _fixture = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 6, 0, 0, TimeSpan.Zero));
    private string _models = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IWarehouse W => _fixture.Warehouse;

    public async ValueTask InitializeAsync()
    {
        await _fixture.InitializeAsync();
        _models = Directory.CreateTempSubdirectory("mw-models-").FullName;
        await W.CreateSchemaAsync("marts", Ct);
        // Readings from integer hashes (the same on every engine); a failure when wear and temperature are both high,
        // flipped for one row in twenty; failed_copy is the outcome again, as a leaking column would be.
        await W.ExecuteAsync("""
            create table marts.machine_days as
            select
                i as row_id,
                i % 40 as machine,
                cast(((i * 7919) % 1000) as double precision) / 1000 as wear,
                cast(((i * 104729) % 997) as double precision) / 997 as temperature,
                cast(((i * 31) % 101) as double precision) / 101 as noise,
                case when i % 3 = 0 then 'A' when i % 3 = 1 then 'B' else 'C' end as variant,
                (((i * 7919) % 1000) / 1000.0 + ((i * 104729) % 997) / 997.0 > 1.1) <> ((i * 13) % 20 = 0) as failed,
                (((i * 7919) % 1000) / 1000.0 + ((i * 104729) % 997) / 997.0 > 1.1) <> ((i * 13) % 20 = 0) as failed_copy
            from generate_series(1, 2000) as s(i)
            """, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _fixture.DisposeAsync();
        Directory.Delete(_models, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static ModelDefinition Model(string sql = "select row_id, machine, wear, temperature, noise, variant, failed from marts.machine_days") =>
        new("machine_failure", ModelTask.Binary, "failed", sql)
        {
            Keys = ["row_id"],
            SplitBy = "machine",
            Parameters = new Dictionary<string, double> { ["trees"] = 50, ["min_leaf"] = 10 },
        };

    [Fact]
    public async Task The_same_seed_and_rows_train_the_same_model_and_it_learns_the_failures()
    {
        var registry = new ModelRegistry(W, _models);
        var training = new ModelTraining(registry, _clock);
        var first = await training.TrainAsync(Model(), cancellationToken: Ct);
        var second = await training.TrainAsync(Model(), cancellationToken: Ct);

        Assert.Equal(first.TrainingData, second.TrainingData);
        Assert.Equal(first.Metrics, second.Metrics);
        Assert.True(first.Metrics["roc_auc"] > 0.85, $"AUC {first.Metrics["roc_auc"]:0.000}");
        Assert.Equal(["wear", "temperature", "noise"], first.Features.Numeric);
        Assert.Equal(["variant"], first.Features.Categorical);

        var scoring = new BatchScoring(registry, _clock);
        var definition = new PredictionDefinition("machine_failure", "select row_id as asset, wear, temperature, noise, variant from marts.machine_days where row_id <= 50");
        var a = await scoring.PredictAsync(first, definition, Ct);
        var b = await scoring.PredictAsync(second, definition, Ct);
        Assert.NotEqual(first.Artifact, second.Artifact);
        Assert.Equal(a.Select(p => p.FailureProbability), b.Select(p => p.FailureProbability));
    }

    [Theory]
    [InlineData(TrainerKind.FastTree, ModelTask.Binary)]
    [InlineData(TrainerKind.FastForest, ModelTask.Binary)]
    [InlineData(TrainerKind.FastTree, ModelTask.Regression)]
    [InlineData(TrainerKind.FastForest, ModelTask.Regression)]
    public async Task The_other_tree_trainers_learn_the_same_machines(TrainerKind trainer, ModelTask task)
    {
        var model = task == ModelTask.Binary
            ? Model() with { Trainer = trainer }
            : new ModelDefinition("wear_left", task, "left", "select row_id, machine, wear, temperature, (1 - wear) * 100 as left from marts.machine_days") { Keys = ["row_id"], SplitBy = "machine", Trainer = trainer };

        var version = await new ModelTraining(new ModelRegistry(W, _models), _clock).TrainAsync(model, cancellationToken: Ct);

        Assert.Equal(trainer, version.Trainer);
        if (task == ModelTask.Binary)
        {
            Assert.True(version.Metrics["roc_auc"] > 0.85, $"AUC {version.Metrics["roc_auc"]:0.000}");
        }
        else
        {
            Assert.True(version.Metrics["rmse"] < 10, $"RMSE {version.Metrics["rmse"]:0.00}");
        }
    }

    [Fact]
    public async Task A_new_version_becomes_champion_only_when_it_beats_the_champion_on_held_out_rows()
    {
        var registry = new ModelRegistry(W, _models);
        var training = new ModelTraining(registry, _clock);
        var blind = Model("select row_id, machine, noise, failed from marts.machine_days");

        var first = await training.TrainAsync(blind, cancellationToken: Ct);
        var good = await training.TrainAsync(Model(), cancellationToken: Ct);
        var again = await training.TrainAsync(blind, cancellationToken: Ct);

        Assert.Equal((1, ModelStatus.Champion, "first version: champion"), (first.Version, first.Status, first.Decision));
        Assert.Equal((2, ModelStatus.Champion), (good.Version, good.Status));
        Assert.Contains("beats champion v1", good.Decision, StringComparison.Ordinal);
        Assert.Contains("on the same held-out rows", good.Decision, StringComparison.Ordinal);
        Assert.Equal((3, ModelStatus.Candidate), (again.Version, again.Status));
        Assert.Contains("does not beat champion v2", again.Decision, StringComparison.Ordinal);
        var versions = await registry.ListAsync("machine_failure", Ct);
        Assert.Equal([ModelStatus.Candidate, ModelStatus.Champion, ModelStatus.Retired], versions.Select(v => v.Status));
        Assert.Equal(good.Metrics, versions.Single(v => v.Version == 2).Metrics);
        Assert.Equal(good.Version, (await registry.ChampionAsync("machine_failure", Ct))!.Version);
    }

    [Fact]
    public async Task A_column_that_copies_the_outcome_is_refused_by_name_and_excluded_columns_are_never_features()
    {
        var registry = new ModelRegistry(W, _models);
        var leak = await Assert.ThrowsAsync<LearningException>(() => new ModelTraining(registry, _clock).TrainAsync(
            Model("select row_id, machine, wear, temperature, failed_copy, failed from marts.machine_days"), cancellationToken: Ct));
        Assert.Contains("'failed_copy' alone predicts failed", leak.Message, StringComparison.Ordinal);
        Assert.Empty(await registry.ListAsync(cancellationToken: Ct));

        var excluded = await new ModelTraining(registry, _clock).TrainAsync(
            Model("select row_id, machine, wear, temperature, failed_copy, failed from marts.machine_days") with { Exclude = ["failed_copy"] }, cancellationToken: Ct);
        Assert.Equal(["wear", "temperature"], excluded.Features.Numeric);
    }

    [Fact]
    public async Task A_bad_definition_names_the_column_or_parameter()
    {
        var registry = new ModelRegistry(W, _models);
        var missing = await Assert.ThrowsAsync<LearningException>(() => new ModelTraining(registry, _clock).TrainAsync(Model() with { Label = "broken" }, cancellationToken: Ct));
        Assert.Contains("no column 'broken' (label)", missing.Message, StringComparison.Ordinal);
        var parameter = Assert.Throws<LearningException>(() => (Model() with { Parameters = new Dictionary<string, double> { ["depth"] = 3 } }).Validate());
        Assert.Contains("unknown parameter 'depth'", parameter.Message, StringComparison.Ordinal);
        var date = await Assert.ThrowsAsync<LearningException>(() => new ModelTraining(registry, _clock).TrainAsync(
            Model("select row_id, machine, wear, current_date as day, failed from marts.machine_days"), cancellationToken: Ct));
        Assert.Contains("column 'day'", date.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predictions_carry_their_strongest_features_and_a_second_run_of_the_day_replaces_the_first()
    {
        var registry = new ModelRegistry(W, _models);
        await new ModelTraining(registry, _clock).TrainAsync(Model(), cancellationToken: Ct);
        var scoring = new BatchScoring(registry, _clock);
        var definition = new PredictionDefinition("machine_failure", "select row_id as asset, wear, temperature, noise, variant from marts.machine_days where row_id <= 100") { TopFeatures = 2 };

        var predictions = await scoring.ScoreAsync(definition, "run-1", Ct);
        _clock.Advance(TimeSpan.FromHours(2));
        await scoring.ScoreAsync(definition, "run-2", Ct);

        Assert.Equal(100, predictions.Count);
        Assert.All(predictions, p => Assert.InRange(p.FailureProbability!.Value, 0, 100));
        var risky = predictions.OrderByDescending(p => p.FailureProbability).First();
        Assert.Equal(2, risky.TopFeatures.Count);
        Assert.Contains(risky.TopFeatures, f => f.Feature is "wear" or "temperature");
        Assert.Equal(100L, Convert.ToInt64(await W.QueryScalarAsync("select count(*) from ml.maintenance_predictions", Ct)));
        Assert.Equal("run-2", await W.QueryScalarAsync("select min(run_id) from ml.maintenance_predictions", Ct));

        _clock.Advance(TimeSpan.FromDays(1));
        await scoring.ScoreAsync(definition, "run-3", Ct);
        Assert.Equal(200L, Convert.ToInt64(await W.QueryScalarAsync("select count(*) from ml.maintenance_predictions", Ct)));
    }

    [Fact]
    public async Task Scoring_without_a_champion_says_to_train_first()
    {
        var e = await Assert.ThrowsAsync<LearningException>(() => new BatchScoring(new ModelRegistry(W, _models), _clock).ScoreAsync(new PredictionDefinition("nothing", "select 1 as asset"), null, Ct));
        Assert.Contains("model nothing has no champion", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cross_validation_runs_every_fold_of_every_repeat_and_checks_the_targets()
    {
        var report = await new ModelEvaluation(W).EvaluateAsync(Model() with
        {
            Evaluation = EvaluationProtocol.CrossValidation,
            Folds = 4,
            Repeats = 2,
            Targets = new Dictionary<string, double> { ["roc_auc"] = 0.8, ["log_loss"] = 0.0001 },
        }, Ct);

        Assert.Equal(8, report.Fits);
        Assert.Contains("grouped by machine 4-fold cross-validation x 2", report.Description, StringComparison.Ordinal);
        Assert.True(report.Figures.Single(f => f.Metric == "roc_auc").Met);
        Assert.False(report.Figures.Single(f => f.Metric == "log_loss").Met);
        Assert.False(report.TargetsMet);
    }

    [Fact]
    public async Task A_regression_model_is_measured_on_its_test_set()
    {
        var model = new ModelDefinition("wear_left", ModelTask.Regression, "left", "select row_id, wear, temperature, (1 - wear) * 100 as left from marts.machine_days where row_id <= 1500")
        {
            Keys = ["row_id"],
            Evaluation = EvaluationProtocol.TestSet,
            TestSql = "select row_id, wear, temperature, (1 - wear) * 100 as left from marts.machine_days where row_id > 1500",
            Targets = new Dictionary<string, double> { ["rmse"] = 5 },
        };

        var report = await new ModelEvaluation(W).EvaluateAsync(model, Ct);

        Assert.Equal(1, report.Fits);
        Assert.Contains("tested on 500 rows", report.Description, StringComparison.Ordinal);
        Assert.True(report.TargetsMet, $"RMSE {report.Figures.Single(f => f.Metric == "rmse").Mean:0.00}");
    }
}

public sealed class DuckDbLearningTests : LearningTests<DuckDbFixture>;

public sealed class PostgresLearningTests : LearningTests<PostgresFixture>;

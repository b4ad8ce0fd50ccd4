using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Millwright.Learning;
using Millwright.Orchestration;
using Millwright.Orchestration.Storage;
using Millwright.Pipelines;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary><c>millwright ml</c>: training and prediction by model name, the registry, the evaluation of every shipped model, and how predictions fared.</summary>
internal static class MlCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("ml", "Machine learning: train and predict by model name, the model registry, evaluation against targets, and predictive-order outcomes");
        command.Subcommands.Add(Train(context));
        command.Subcommands.Add(Predict(context));
        command.Subcommands.Add(Models(context));
        command.Subcommands.Add(Evaluate(context));
        command.Subcommands.Add(Outcomes(context));
        return command;
    }

    private static Command Models(CommandContext context)
    {
        var name = new Argument<string?>("MODEL") { Description = "Only this model's versions", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("models", "List the registry (ml.models): every version, its held-out figures and whether it is champion") { name };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            await using var warehouse = context.OpenWarehouse(loaded);
            var versions = await new ModelRegistry(warehouse, Path.Combine(loaded.Workspace.StateDirectory, "models")).ListAsync(parsed.GetValue(name), cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                await context.Io.Out.WriteLineAsync("No model has been trained yet: materialize an ml train asset (millwright assets materialize --select \"kind:model\" or the pipeline's group)").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "version", "status", "trained", "trainer", "rows", "held out", "figures", "decision");
            foreach (var v in versions)
            {
                table.AddRow(Markup.Escape(v.Name), v.Version.ToString(CultureInfo.InvariantCulture), ModelRegistry.Name(v.Status), v.TrainedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    v.Trainer.ToString().ToLowerInvariant(), v.TrainingRows.ToString("N0", CultureInfo.InvariantCulture), v.HeldOutRows.ToString("N0", CultureInfo.InvariantCulture),
                    Markup.Escape(Figures(v.Metrics)), Markup.Escape(v.Decision));
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        return command;
    }

    private static Command Evaluate(CommandContext context)
    {
        var names = new Argument<string[]>("MODEL") { Description = "The models to evaluate; every model the pipelines declare by default", Arity = ArgumentArity.ZeroOrMore };
        var only = new Option<string[]>("--model", "-m") { Description = "Evaluate only these models (repeatable); the same as naming them", AllowMultipleArgumentsPerToken = true };
        var strict = new Option<bool>("--check") { Description = "Exit with code 1 when a figure misses its target" };
        var format = new Option<string>("--format") { Description = "table, or json: one object with each figure under its lower-case metric name (roc_auc, f1, pr_auc, rmse, nasa_score ...); for several models, one such object per model name", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("evaluate", "Measure models by their protocol (cross-validation, grouped hold-out or test set) against their targets and reference; nothing is registered") { names, only, strict, format };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var loaded = context.LoadSettings(parsed);
            var models = Resolve(loaded.Workspace.PipelinesDirectory, [.. parsed.GetValue(names) ?? [], .. parsed.GetValue(only) ?? []], all: true);
            var json = parsed.GetValue(format) == "json";
            await using var warehouse = context.OpenWarehouse(loaded);
            var evaluation = new ModelEvaluation(warehouse);
            var missed = 0;
            var reports = new List<EvaluationReport>();
            foreach (var model in models)
            {
                var started = DateTime.UtcNow;
                EvaluationReport report;
                try
                {
                    report = await evaluation.EvaluateAsync(model.Definition, cancellationToken).ConfigureAwait(false);
                }
                catch (LearningException e)
                {
                    await io.Error.WriteLineAsync($"{model.Definition.Name} ({model.Pipeline}): not evaluated: {e.Message}").ConfigureAwait(false);
                    missed++;
                    continue;
                }

                missed += report.TargetsMet ? 0 : 1;
                if (json)
                {
                    reports.Add(report);
                    continue;
                }

                var wall = DateTime.UtcNow - started;
                await io.Out.WriteLineAsync($"{report.Model} ({model.Pipeline}, {model.Definition.Trainer.ToString().ToLowerInvariant()} {model.Definition.Task.ToString().ToLowerInvariant()}): {report.Description}; {report.Rows:N0} rows, {report.Fits} fit(s), {report.TrainingSeconds:0.00} s to train each, {wall.TotalSeconds:0.0} s in all").ConfigureAwait(false);
                var table = new Table().Border(TableBorder.Rounded).AddColumns("metric", "figure", "sd", "target", "met");
                foreach (var figure in report.Figures)
                {
                    table.AddRow(figure.Metric, figure.Mean.ToString("0.0000", CultureInfo.InvariantCulture), figure.StandardDeviation.ToString("0.0000", CultureInfo.InvariantCulture),
                        figure.Target is { } t ? (figure.LowerIsBetter ? "<= " : ">= ") + t.ToString("0.###", CultureInfo.InvariantCulture) : "",
                        figure.Target is null ? "" : figure.Met ? "yes" : "NO");
                }

                io.Console.Write(table);
                if (report.Reference.Length > 0)
                {
                    await io.Out.WriteLineAsync($"  reference: {report.Reference}").ConfigureAwait(false);
                }
            }

            if (json)
            {
                var document = reports.Count == 1 && models.Count == 1 ? Json(reports[0]) : new JsonObject(reports.Select(r => KeyValuePair.Create(r.Model, (JsonNode?)Json(r))));
                await io.Out.WriteLineAsync(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
            else
            {
                await io.Out.WriteLineAsync(missed == 0 ? $"{models.Count} model(s): every target met" : $"{models.Count} model(s): {missed} missed a target or could not be evaluated").ConfigureAwait(false);
            }

            return parsed.GetValue(strict) && missed > 0 ? 1 : MillwrightCli.Ok;
        });
        return command;
    }

    private static Command Outcomes(CommandContext context)
    {
        var command = new Command("outcomes", "Predictive orders per model version: opened, completed, how many found a fault, and the precision at the threshold");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            await using var warehouse = context.OpenWarehouse(loaded);
            var outcomes = await PipelineModels.OutcomesAsync(warehouse, cancellationToken).ConfigureAwait(false);
            if (outcomes.Count == 0)
            {
                await context.Io.Out.WriteLineAsync("No prediction has opened or proposed an order yet").ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "version", "threshold %", "opened", "already open", "proposed", "completed", "fault found", "precision");
            foreach (var o in outcomes)
            {
                table.AddRow(Markup.Escape(o.Model), o.Version.ToString(CultureInfo.InvariantCulture), o.Threshold.ToString("0.#", CultureInfo.InvariantCulture), o.Opened.ToString(CultureInfo.InvariantCulture),
                    o.AlreadyOpen.ToString(CultureInfo.InvariantCulture), o.Proposed.ToString(CultureInfo.InvariantCulture), o.Completed.ToString(CultureInfo.InvariantCulture),
                    o.FaultFound.ToString(CultureInfo.InvariantCulture), o.Precision is { } p ? p.ToString("P0", CultureInfo.InvariantCulture) : "-");
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        return command;
    }

    private static Command Train(CommandContext context)
    {
        var names = new Argument<string[]>("MODEL") { Description = "The models to train, by name (see ml evaluate or the pipelines' ml: train: assets)", Arity = ArgumentArity.OneOrMore };
        var upstream = Upstream();
        var command = new Command("train", "Train models now: materialize their ml: train: assets (a new version in ml.models, champion only when it beats the champion on held-out rows)") { names, upstream };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            var models = Resolve(loaded.Workspace.PipelinesDirectory, parsed.GetValue(names) ?? [], all: false);
            await using var o = await OrchestrationCommands.OpenAsync(context, parsed, cancellationToken, live: true).ConfigureAwait(false);
            var run = await RunAsync(context, o, models.Select(m => m.Asset), parsed.GetValue(upstream), cancellationToken).ConfigureAwait(false);
            var registry = new ModelRegistry(o.Pipelines.Warehouse, Path.Combine(loaded.Workspace.StateDirectory, "models"));
            var materialized = await MaterializedAsync(o, run, cancellationToken).ConfigureAwait(false);
            foreach (var model in models.Where(m => materialized.Any(e => e.AssetKey == m.Asset)))
            {
                if ((await registry.ListAsync(model.Definition.Name, cancellationToken).ConfigureAwait(false)).MaxBy(v => v.Version) is { } version)
                {
                    await context.Io.Out.WriteLineAsync($"{version.Name} v{version.Version.ToString(CultureInfo.InvariantCulture)}: {ModelRegistry.Name(version.Status)} - {version.Decision}; held out {version.HeldOutRows:N0} of {version.TrainingRows + version.HeldOutRows:N0} rows: {Figures(version.Metrics)}").ConfigureAwait(false);
                }
            }

            return run.Status == RunStatus.Success ? MillwrightCli.Ok : MillwrightCli.Failure;
        });
        return command;
    }

    private static Command Predict(CommandContext context)
    {
        var names = new Argument<string[]>("MODEL") { Description = "The models to predict with, by name: their ml: predict: assets score with the champion", Arity = ArgumentArity.OneOrMore };
        var upstream = Upstream();
        var command = new Command("predict", "Predict now: materialize the ml: predict: assets of these models (the champion scores into ml.maintenance_predictions; orders open as the asset's orders: says)") { names, upstream };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            var wanted = parsed.GetValue(names) ?? [];
            Resolve(loaded.Workspace.PipelinesDirectory, wanted, all: false);
            var declared = PipelineModels.Predictions(loaded.Workspace.PipelinesDirectory);
            foreach (var name in wanted.Where(n => declared.All(p => p.Model != n)))
            {
                throw new CliException($"no pipeline declares an ml: predict: asset for model '{name}' (models predicted: {Names(declared.Select(p => p.Model).Distinct())}); add one with its feature query");
            }

            var assets = declared.Where(p => wanted.Contains(p.Model, StringComparer.Ordinal)).ToList();
            await using var o = await OrchestrationCommands.OpenAsync(context, parsed, cancellationToken, live: true).ConfigureAwait(false);
            var run = await RunAsync(context, o, assets.Select(a => a.Asset), parsed.GetValue(upstream), cancellationToken).ConfigureAwait(false);
            foreach (var e in (await MaterializedAsync(o, run, cancellationToken).ConfigureAwait(false)).Where(e => assets.Any(a => a.Asset == e.AssetKey)))
            {
                using var data = JsonDocument.Parse(e.Data ?? "{}");
                var m = data.RootElement;
                string Of(string key) => m.TryGetProperty(key, out var v) ? v.ToString() : "0";
                await context.Io.Out.WriteLineAsync($"{e.AssetKey}: {Of("row_count")} prediction(s) by {Of("model")} v{Of("version")} in {Of("relation")}"
                    + (m.TryGetProperty("above_threshold", out _) ? $"; {Of("above_threshold")} at or above the threshold: {Of("orders_opened")} order(s) opened, {Of("orders_already_open")} already open, {Of("orders_proposed")} proposed" : "")).ConfigureAwait(false);
            }

            return run.Status == RunStatus.Success ? MillwrightCli.Ok : MillwrightCli.Failure;
        });
        return command;
    }

    /// <summary>The models named (every one when none is and <paramref name="all"/>), in pipeline order; an unknown name is an error listing the models.</summary>
    private static List<PipelineModel> Resolve(string pipelinesDirectory, string[] wanted, bool all)
    {
        var declared = PipelineModels.Read(pipelinesDirectory);
        foreach (var unknown in wanted.Where(w => declared.All(m => m.Definition.Name != w)))
        {
            throw new CliException($"no pipeline declares a model '{unknown}' (models: {Names(declared.Select(m => m.Definition.Name))})");
        }

        return declared.Where(m => (all && wanted.Length == 0) || wanted.Contains(m.Definition.Name, StringComparer.Ordinal)).ToList();
    }

    /// <summary>The materializations a run recorded, with their metadata.</summary>
    private static async Task<List<EventRecord>> MaterializedAsync(OrchestrationCommands.Lease o, RunRecord run, CancellationToken cancellationToken) =>
        [.. (await o.Storage.GetRunEventsAsync(run.RunId, 0, 100_000, cancellationToken).ConfigureAwait(false)).Where(e => e.Type == EventTypes.Materialization)];

    private static Option<bool> Upstream() => new("--upstream") { Description = "Materialize what the model reads first (every upstream asset: loads, extraction, dbt models), in the same run" };

    /// <summary>Materializes <paramref name="assets"/> (by exact key; with everything upstream of them when <paramref name="upstream"/>) in one run with live progress, and reports how it ended.</summary>
    private static async Task<RunRecord> RunAsync(CommandContext context, OrchestrationCommands.Lease o, IEnumerable<string> assets, bool upstream, CancellationToken cancellationToken)
    {
        var run = await OrchestrationCommands.MaterializeAsync(context, o, new LaunchRequest { Selection = string.Join(' ', assets.Select(a => (upstream ? "+key:" : "key:") + a)) }, cancellationToken).ConfigureAwait(false);
        await context.Io.Out.WriteLineAsync($"run {run.RunId} {run.Status.Name()}" + (run.Error is { } e ? $": {e}" : "")).ConfigureAwait(false);
        if (run.Status != RunStatus.Success && !upstream)
        {
            await context.Io.Error.WriteLineAsync("hint: --upstream builds what the model reads (loads, extraction, dbt models) first, in the same run").ConfigureAwait(false);
        }

        return run;
    }

    private static JsonObject Json(EvaluationReport report)
    {
        var json = new JsonObject
        {
            ["model"] = report.Model,
            ["protocol"] = report.Description,
            ["rows"] = report.Rows,
            ["fits"] = report.Fits,
            ["training_seconds"] = Math.Round(report.TrainingSeconds, 3),
        };
        foreach (var figure in report.Figures)
        {
            json[figure.Metric] = figure.Mean;
        }

        json["sd"] = new JsonObject(report.Figures.Select(f => KeyValuePair.Create(f.Metric, (JsonNode?)f.StandardDeviation)));
        json["targets"] = new JsonObject(report.Figures.Where(f => f.Target is not null).Select(f => KeyValuePair.Create(f.Metric, (JsonNode?)new JsonObject
        {
            ["target"] = f.Target,
            ["lower_is_better"] = f.LowerIsBetter,
            ["met"] = f.Met,
        })));
        json["targets_met"] = report.TargetsMet;
        json["reference"] = report.Reference;
        return json;
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names) is { Length: > 0 } list ? list : "none";

    /// <summary>The headline figures of a version, by their metric names.</summary>
    private static string Figures(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Where(m => m.Key is "roc_auc" or "f1" or "pr_auc" or "macro_accuracy" or "rmse" or "mae" or "nasa_score")
            .Select(m => $"{m.Key} {m.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));
}

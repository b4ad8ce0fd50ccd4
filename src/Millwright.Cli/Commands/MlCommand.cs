using System.CommandLine;
using System.Globalization;
using Millwright.Learning;
using Millwright.Pipelines;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary><c>millwright ml</c>: the model registry, the evaluation of every shipped model, and how predictions fared.</summary>
internal static class MlCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("ml", "Machine learning: the model registry, evaluation against targets, and predictive-order outcomes");
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
                    Markup.Escape(Figures(v.Metrics.Where(m => m.Key is "auc" or "f1" or "pr_auc" or "macro_accuracy" or "rmse" or "mae" or "nasa_score"))), Markup.Escape(v.Decision));
            }

            context.Io.Console.Write(table);
            return MillwrightCli.Ok;
        });
        return command;
    }

    private static Command Evaluate(CommandContext context)
    {
        var only = new Option<string[]>("--model", "-m") { Description = "Evaluate only these models (repeatable); all by default", AllowMultipleArgumentsPerToken = true };
        var strict = new Option<bool>("--check") { Description = "Exit with code 1 when a figure misses its target" };
        var command = new Command("evaluate", "Measure every model the pipelines declare by its protocol (cross-validation, grouped hold-out or test set) against its targets and reference; nothing is registered") { only, strict };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var loaded = context.LoadSettings(parsed);
            var wanted = parsed.GetValue(only) ?? [];
            var models = PipelineModels.Read(loaded.Workspace.PipelinesDirectory).Where(m => wanted.Length == 0 || wanted.Contains(m.Definition.Name, StringComparer.Ordinal)).ToList();
            foreach (var unknown in wanted.Where(w => models.All(m => m.Definition.Name != w)))
            {
                throw new CliException($"no pipeline declares a model '{unknown}' (models: {string.Join(", ", PipelineModels.Read(loaded.Workspace.PipelinesDirectory).Select(m => m.Definition.Name))})");
            }

            await using var warehouse = context.OpenWarehouse(loaded);
            var evaluation = new ModelEvaluation(warehouse);
            var missed = 0;
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

                missed += report.TargetsMet ? 0 : 1;
            }

            await io.Out.WriteLineAsync(missed == 0 ? $"{models.Count} model(s): every target met" : $"{models.Count} model(s): {missed} missed a target or could not be evaluated").ConfigureAwait(false);
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

    private static string Figures(IEnumerable<KeyValuePair<string, double>> metrics) =>
        string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value.ToString("0.000", CultureInfo.InvariantCulture)}"));
}

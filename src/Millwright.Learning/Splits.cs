using System.Globalization;

namespace Millwright.Learning;

/// <summary>
/// Seeded splits of a feature table. With <see cref="ModelDefinition.SplitBy"/> whole groups move together (a unit or a
/// vehicle is never on both sides); classification without it is stratified by the label, so each side keeps the
/// share of rare failures.
/// </summary>
internal static class Splits
{
    /// <summary>Training and held-out row indexes.</summary>
    public static (IReadOnlyList<int> Train, IReadOnlyList<int> Test) Holdout(FeatureTable table, ModelDefinition model)
    {
        var fold = Assign(table, model, folds: (int)Math.Round(1 / Math.Clamp(model.HoldoutFraction, 0.01, 0.5)), seed: model.Seed);
        var test = Enumerable.Range(0, table.Count).Where(i => fold[i] == 0).ToList();
        var train = Enumerable.Range(0, table.Count).Where(i => fold[i] != 0).ToList();
        return (train, test);
    }

    /// <summary>The fold (0 to folds - 1) of each row, for one repeat.</summary>
    public static int[] Assign(FeatureTable table, ModelDefinition model, int folds, int seed)
    {
        var random = new Random(seed);
        var fold = new int[table.Count];
        if (model.SplitBy is not null)
        {
            // Stratified by group for a binary label: the groups that hold a positive row are dealt out first, so every
            // fold gets its share of the rare failures even when few groups have any.
            var positive = model.Task == ModelTask.Binary
                ? Enumerable.Range(0, table.Count).Where(i => table.Labels[i] is true).Select(i => table.Groups[i]).ToHashSet(StringComparer.Ordinal)
                : [];
            var withPositives = positive.Order(StringComparer.Ordinal).ToArray();
            var others = table.Groups.Distinct(StringComparer.Ordinal).Where(g => !positive.Contains(g)).Order(StringComparer.Ordinal).ToArray();
            random.Shuffle(withPositives);
            random.Shuffle(others);
            var of = withPositives.Concat(others).Select((g, i) => (g, i % folds)).ToDictionary(x => x.g, x => x.Item2, StringComparer.Ordinal);
            for (var i = 0; i < fold.Length; i++)
            {
                fold[i] = of[table.Groups[i]];
            }

            return fold;
        }

        var strata = model.Task == ModelTask.Regression
            ? [Enumerable.Range(0, table.Count).ToArray()]
            : Enumerable.Range(0, table.Count).GroupBy(i => Convert.ToString(table.Labels[i], CultureInfo.InvariantCulture), StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToArray()).ToArray();
        var offset = 0;
        foreach (var stratum in strata)
        {
            random.Shuffle(stratum);
            for (var j = 0; j < stratum.Length; j++)
            {
                fold[stratum[j]] = (j + offset) % folds;
            }

            offset += stratum.Length;
        }

        return fold;
    }

    /// <summary>
    /// Refuses a feature that gives the label away: a column whose values alone separate a binary label almost perfectly
    /// (ROC-AUC of 0.999 or more) is a copy of the outcome, not a precursor of it.
    /// </summary>
    public static void GuardAgainstLeaks(FeatureTable table, ModelDefinition model)
    {
        if (model.Task != ModelTask.Binary || table.Count == 0)
        {
            return;
        }

        var labels = table.Labels.Select(l => (bool)l).ToArray();
        var positives = labels.Count(l => l);
        if (positives == 0 || positives == labels.Length)
        {
            throw new LearningException($"model {model.Name}: every training row has label {model.Label} = {labels[0]}; a binary model needs both outcomes") { NotEnoughData = true };
        }

        for (var f = 0; f < table.Layout.Numeric.Count; f++)
        {
            var values = Enumerable.Range(0, table.Count).Where(i => !float.IsNaN(table.Numeric[i][f])).Select(i => (Value: table.Numeric[i][f], Label: labels[i])).ToList();
            var auc = Auc(values);
            if (Math.Max(auc, 1 - auc) >= 0.999 && values.Count >= 0.9 * table.Count)
            {
                throw new LearningException($"model {model.Name}: feature '{table.Layout.Numeric[f]}' alone predicts {model.Label} (ROC-AUC {Math.Max(auc, 1 - auc):0.000}): it leaks the outcome; list it under exclude");
            }
        }
    }

    /// <summary>ROC-AUC of one score by the rank-sum (Mann-Whitney) with ties counted half.</summary>
    public static double Auc(IReadOnlyList<(float Value, bool Label)> rows)
    {
        var sorted = rows.OrderBy(r => r.Value).ToList();
        double rankSum = 0;
        var i = 0;
        while (i < sorted.Count)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1].Value == sorted[i].Value)
            {
                j++;
            }

            var rank = ((i + j) / 2.0) + 1;
            for (var k = i; k <= j; k++)
            {
                if (sorted[k].Label)
                {
                    rankSum += rank;
                }
            }

            i = j + 1;
        }

        double positives = sorted.Count(r => r.Label);
        double negatives = sorted.Count - positives;
        return positives == 0 || negatives == 0 ? 0.5 : (rankSum - (positives * (positives + 1) / 2)) / (positives * negatives);
    }
}

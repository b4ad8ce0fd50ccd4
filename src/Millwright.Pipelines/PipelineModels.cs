using System.Globalization;
using Millwright.Learning;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>A model a pipeline trains: where it is declared and its definition.</summary>
public sealed record PipelineModel(string Pipeline, string Asset, ModelDefinition Definition);

/// <summary>An asset that scores with a model's champion: where it is declared, its key and the model.</summary>
public sealed record PipelinePrediction(string Pipeline, string Asset, string Model);

/// <summary>How the predictive orders of one model version turned out: opened (directly or by an accepted proposal), completed, and how many found a fault.</summary>
public sealed record PredictiveOutcome(string Model, int Version, double Threshold, long Opened, long AlreadyOpen, long Proposed, long Completed, long FaultFound)
{
    /// <summary>Completed orders that found a fault, of all completed; null before any is completed.</summary>
    public double? Precision => Completed == 0 ? null : (double)FaultFound / Completed;
}

/// <summary>The models a workspace's pipelines declare, and how their predictions fared as work.</summary>
public static class PipelineModels
{
    /// <summary>Every <c>ml: train:</c> asset of the pipelines under <paramref name="pipelinesDirectory"/>, in pipeline order.</summary>
    public static IReadOnlyList<PipelineModel> Read(string pipelinesDirectory) =>
        Pipelines(pipelinesDirectory)
            .SelectMany(p => p.Assets.Where(a => a.Ml?.Train is not null).Select(a => new PipelineModel(p.Name, a.Key.Path, a.Ml!.Train!)))
            .ToList();

    /// <summary>Every <c>ml: predict:</c> asset of the pipelines under <paramref name="pipelinesDirectory"/>, in pipeline order.</summary>
    public static IReadOnlyList<PipelinePrediction> Predictions(string pipelinesDirectory) =>
        Pipelines(pipelinesDirectory)
            .SelectMany(p => p.Assets.Where(a => a.Ml?.Predict is not null).Select(a => new PipelinePrediction(p.Name, a.Key.Path, a.Ml!.Predict!.Model)))
            .ToList();

    private static IEnumerable<PipelineFile> Pipelines(string pipelinesDirectory) => !Directory.Exists(pipelinesDirectory)
        ? []
        : Directory.GetDirectories(pipelinesDirectory).Order(StringComparer.Ordinal)
            .Where(d => File.Exists(Path.Combine(d, PipelineCatalog.FileName)))
            .Select(PipelineFile.Read);

    /// <summary>
    /// Per model version: the predictive orders it opened (<c>ml.predicted_orders</c>) and, of those completed or closed,
    /// how many found a fault (a resolution other than NO_FAULT_FOUND in the extracted <c>raw.service_orders</c>).
    /// </summary>
    public static async Task<IReadOnlyList<PredictiveOutcome>> OutcomesAsync(IWarehouse warehouse, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        if (await warehouse.GetRelationAsync(PredictiveOrderLoop.Table, cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }

        var orders = RelationName.Of("raw", "service_orders");
        var hasOrders = await warehouse.GetRelationAsync(orders, cancellationToken).ConfigureAwait(false) is not null;
        var d = warehouse.Dialect;
        var completed = hasOrders ? "o.status in ('COMPLETED', 'CLOSED')" : "false";
        var sql = $"""
            select p.model, p.version, max(p.threshold) as threshold,
                cast(sum(case when p.action in ('OPENED', 'ACCEPTED') then 1 else 0 end) as bigint) as opened,
                cast(sum(case when p.action = 'ALREADY_OPEN' then 1 else 0 end) as bigint) as already_open,
                cast(sum(case when p.action = 'PROPOSED' then 1 else 0 end) as bigint) as proposed,
                cast(sum(case when p.action in ('OPENED', 'ACCEPTED') and {completed} then 1 else 0 end) as bigint) as completed,
                cast(sum(case when p.action in ('OPENED', 'ACCEPTED') and {completed} and coalesce(o.resolution_code, '') <> 'NO_FAULT_FOUND' then 1 else 0 end) as bigint) as fault_found
            from {d.Render(PredictiveOrderLoop.Table)} as p
            {(hasOrders ? $"left join {d.Render(orders)} as o on o.id = p.order_id" : "")}
            group by p.model, p.version
            order by p.model, p.version
            """;
        var result = await warehouse.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        await using (result.ConfigureAwait(false))
        {
            var outcomes = new List<PredictiveOutcome>();
            long L(int i) => Convert.ToInt64(result.GetValue(i) ?? 0L, CultureInfo.InvariantCulture);
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                outcomes.Add(new PredictiveOutcome((string)result.GetValue(0)!, (int)L(1), Convert.ToDouble(result.GetValue(2) ?? 0.0, CultureInfo.InvariantCulture), L(3), L(4), L(5), L(6), L(7)));
            }

            return outcomes;
        }
    }
}

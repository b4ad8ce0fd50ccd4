using System.Globalization;
using Millwright.Domain;
using Millwright.Learning;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>What the loop did with one risky prediction.</summary>
internal enum PredictiveAction
{
    /// <summary>A PREDICTIVE order was opened for it.</summary>
    Opened,

    /// <summary>The asset already had an open PREDICTIVE order; nothing new was opened.</summary>
    AlreadyOpen,

    /// <summary>Recorded as a proposal for a planner (<c>mode: propose</c>).</summary>
    Proposed,

    /// <summary>Nothing could be opened (the asset is unknown or retired); the reason says why.</summary>
    Skipped,

    /// <summary>A planner accepted a proposal and the order was opened.</summary>
    Accepted,

    /// <summary>A planner dismissed a proposal.</summary>
    Dismissed,
}

internal sealed record PredictiveStep(Prediction Prediction, PredictiveAction Action, long? OrderId = null, string? OrderNumber = null, string? Reason = null)
{
    public string Describe() => $"asset {Prediction.Asset} at {Prediction.FailureProbability?.ToString("0.#", CultureInfo.InvariantCulture)} %: " + Action switch
    {
        PredictiveAction.Opened => $"opened predictive order {OrderNumber}",
        PredictiveAction.AlreadyOpen => $"predictive order {OrderNumber} is already open",
        PredictiveAction.Proposed => "proposed for a planner to accept",
        _ => $"skipped: {Reason}",
    };
}

/// <summary>
/// Closes the loop from predictions to work: a risk at or above a model's threshold opens a PREDICTIVE order through the
/// operations use cases (one per asset while one is open; the actor is the model and version; the description holds the
/// evidence), or is proposed for a planner. Every outcome is recorded in <c>ml.predicted_orders</c>, so the order's
/// finding when it is completed (a fault found, or NO_FAULT_FOUND) measures the model's precision at its threshold.
/// </summary>
internal sealed class PredictiveOrderLoop(Func<CancellationToken, Task<OperationsStore>> openStore, IWarehouse warehouse)
{
    public static readonly RelationName Table = RelationName.Of("ml", "predicted_orders");

    private static readonly ColumnDefinition[] Columns =
    [
        new("predicted_at", LogicalType.Timestamp, false), new("model", LogicalType.Text, false), new("version", LogicalType.Int32, false),
        new("asset", LogicalType.Text, false), new("failure_probability", LogicalType.Float64), new("threshold", LogicalType.Float64),
        new("action", LogicalType.Text, false), new("order_id", LogicalType.Int64), new("order_number", LogicalType.Text),
        new("reason", LogicalType.Text), new("run_id", LogicalType.Text), new("evidence", LogicalType.Text),
    ];

    public async Task<IReadOnlyList<PredictiveStep>> ActAsync(IReadOnlyList<Prediction> risky, PredictiveOrderPolicy policy, string runId, CancellationToken cancellationToken)
    {
        var outcomes = new List<PredictiveStep>();
        var store = await openStore(cancellationToken).ConfigureAwait(false);
        await using (store.ConfigureAwait(false))
        {
            var orders = new ServiceOrders(store);
            foreach (var prediction in risky)
            {
                if (!long.TryParse(prediction.Asset, NumberStyles.Integer, CultureInfo.InvariantCulture, out var assetId))
                {
                    outcomes.Add(new PredictiveStep(prediction, PredictiveAction.Skipped, Reason: $"'{prediction.Asset}' is not an asset id of the operational store"));
                    continue;
                }

                if (policy.Propose)
                {
                    // A proposal is not made again while the asset's predictive order is open.
                    outcomes.Add(await orders.FindOpenPredictiveAsync(assetId, cancellationToken).ConfigureAwait(false) is { } open
                        ? new PredictiveStep(prediction, PredictiveAction.AlreadyOpen, open.Id, open.Number)
                        : new PredictiveStep(prediction, PredictiveAction.Proposed));
                    continue;
                }

                var scope = OperationScope.For(new Actor($"model:{prediction.Model} v{prediction.Version}", Role.Planner));
                var command = new CreateServiceOrder(assetId, ServiceOrderType.Predictive, policy.Priority, Evidence(prediction, policy))
                {
                    DueAt = prediction.PredictedAt.AddDays(7),
                    EstimatedHours = 1,
                };
                try
                {
                    var (order, opened) = await orders.OpenPredictiveAsync(scope, command, cancellationToken).ConfigureAwait(false);
                    outcomes.Add(new PredictiveStep(prediction, opened ? PredictiveAction.Opened : PredictiveAction.AlreadyOpen, order.Id, order.Number));
                }
                catch (Exception e) when (e is DomainRuleException or NotFoundException)
                {
                    outcomes.Add(new PredictiveStep(prediction, PredictiveAction.Skipped, Reason: e.Message));
                }
            }
        }

        await RecordAsync(outcomes, policy, runId, cancellationToken).ConfigureAwait(false);
        return outcomes;
    }

    /// <summary>An action as <c>ml.predicted_orders</c> records it: OPENED, ALREADY_OPEN, PROPOSED, SKIPPED; a planner's ACCEPTED or DISMISSED.</summary>
    public static string Name(PredictiveAction action) => action switch
    {
        PredictiveAction.Opened => "OPENED",
        PredictiveAction.AlreadyOpen => "ALREADY_OPEN",
        PredictiveAction.Proposed => "PROPOSED",
        PredictiveAction.Accepted => "ACCEPTED",
        PredictiveAction.Dismissed => "DISMISSED",
        _ => "SKIPPED",
    };

    /// <summary>The order's description: what the model saw, in a planner's words.</summary>
    public static string Evidence(Prediction p, PredictiveOrderPolicy policy)
    {
        var features = p.TopFeatures.Count == 0
            ? ""
            : " Strongest signals: " + string.Join("; ", p.TopFeatures.Select(f => $"{f.Feature} = {f.Value.ToString("0.##", CultureInfo.InvariantCulture)} ({(f.Effect >= 0 ? "raises" : "lowers")} the risk)")) + ".";
        var mode = p.PredictedFailureMode is { } m ? $" Likely failure mode: {m}." : "";
        return $"Predicted failure risk {p.FailureProbability?.ToString("0.#", CultureInfo.InvariantCulture)} % (threshold {policy.Threshold.ToString("0.#", CultureInfo.InvariantCulture)} %) by model {p.Model} v{p.Version} on {p.PredictedAt:yyyy-MM-dd}.{mode}{features} Inspect and record what was found; complete with NO_FAULT_FOUND if nothing was.";
    }

    /// <summary>Creates <c>ml.predicted_orders</c> when it is missing, so its readers (dashboards, outcomes) find it before the first risk.</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await warehouse.CreateSchemaAsync("ml", cancellationToken).ConfigureAwait(false);
        await warehouse.ExecuteAsync(warehouse.Dialect.CreateTable(Table, Columns, ifNotExists: true), cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordAsync(List<PredictiveStep> outcomes, PredictiveOrderPolicy policy, string runId, CancellationToken cancellationToken)
    {
        await EnsureAsync(cancellationToken).ConfigureAwait(false);
        await AppendAsync(warehouse, outcomes.Select(o => new object?[]
        {
            o.Prediction.PredictedAt, o.Prediction.Model, o.Prediction.Version, o.Prediction.Asset, o.Prediction.FailureProbability, policy.Threshold, Name(o.Action),
            o.OrderId, o.OrderNumber, o.Reason, runId, Evidence(o.Prediction, policy),
        }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends rows (in <see cref="Columns"/> order) to <c>ml.predicted_orders</c> in one transaction.</summary>
    internal static Task AppendAsync(IWarehouse warehouse, IEnumerable<object?[]> values, CancellationToken cancellationToken) =>
        warehouse.BulkLoadRowsAsync(Table, Columns, values, cancellationToken);
}

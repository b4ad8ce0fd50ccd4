using System.Globalization;
using Millwright.Domain;
using Millwright.Operations;
using Millwright.Operations.Data;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>A risk a model proposed for a planner (<c>orders: {mode: propose}</c>), not decided yet.</summary>
public sealed record ModelProposal(string Model, int Version, string Asset, DateTime PredictedAt, double FailureProbability, double Threshold, string Evidence);

/// <summary>
/// The planner's side of <c>mode: propose</c>: the proposals no one has decided (the latest per model and asset), and
/// accepting one (the PREDICTIVE order is opened as the planner, unless one is already open) or dismissing it. Each
/// decision is a row of <c>ml.predicted_orders</c> (ACCEPTED with the order, or DISMISSED), so precision counts
/// accepted orders like opened ones.
/// </summary>
public sealed class ModelProposals(IWarehouse warehouse)
{
    public async Task<IReadOnlyList<ModelProposal>> PendingAsync(CancellationToken cancellationToken = default)
    {
        if (await warehouse.GetRelationAsync(PredictiveOrderLoop.Table, cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }

        var table = warehouse.Dialect.Render(PredictiveOrderLoop.Table);
        var sql = $"""
            select p.model, p.version, p.asset, p.predicted_at, p.failure_probability, p.threshold, p.evidence
            from {table} as p
            where p.action = 'PROPOSED'
              and p.predicted_at = (select max(l.predicted_at) from {table} as l where l.action = 'PROPOSED' and l.model = p.model and l.asset = p.asset)
              and not exists (select 1 from {table} as d where d.action in ('ACCEPTED', 'DISMISSED') and d.model = p.model and d.asset = p.asset and d.predicted_at >= p.predicted_at)
            order by p.failure_probability desc, p.model, p.asset
            """;
        var proposals = new List<ModelProposal>();
        var result = await warehouse.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        await using (result.ConfigureAwait(false))
        {
            while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                proposals.Add(new ModelProposal((string)result.GetValue(0)!, Convert.ToInt32(result.GetValue(1), CultureInfo.InvariantCulture), (string)result.GetValue(2)!,
                    Convert.ToDateTime(result.GetValue(3), CultureInfo.InvariantCulture), Convert.ToDouble(result.GetValue(4) ?? 0.0, CultureInfo.InvariantCulture),
                    Convert.ToDouble(result.GetValue(5) ?? 0.0, CultureInfo.InvariantCulture), result.GetValue(6) as string ?? ""));
            }
        }

        return proposals;
    }

    /// <summary>Opens the proposal's PREDICTIVE order as <paramref name="planner"/> (or finds the one already open) and records the decision.</summary>
    public async Task<ServiceOrder> AcceptAsync(ServiceOrders orders, OperationScope planner, ModelProposal proposal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(proposal);
        if (!long.TryParse(proposal.Asset, NumberStyles.Integer, CultureInfo.InvariantCulture, out var assetId))
        {
            throw new DomainRuleException("proposal.asset", $"'{proposal.Asset}' is not an asset id of the operational store");
        }

        var (order, _) = await orders.OpenPredictiveAsync(planner, new CreateServiceOrder(assetId, ServiceOrderType.Predictive, Priority.High, $"{proposal.Evidence} Proposed by the model; accepted by {planner.Actor.Name}.")
        {
            DueAt = DateTime.UtcNow.AddDays(7),
            EstimatedHours = 1,
        }, cancellationToken).ConfigureAwait(false);
        await RecordAsync(proposal, PredictiveAction.Accepted, order.Id, order.Number, $"accepted by {planner.Actor.Name}", cancellationToken).ConfigureAwait(false);
        return order;
    }

    public Task DismissAsync(OperationScope planner, ModelProposal proposal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(proposal);
        return RecordAsync(proposal, PredictiveAction.Dismissed, null, null, $"dismissed by {planner.Actor.Name}", cancellationToken);
    }

    private Task RecordAsync(ModelProposal p, PredictiveAction action, long? orderId, string? orderNumber, string reason, CancellationToken cancellationToken) =>
        PredictiveOrderLoop.AppendAsync(warehouse, [[p.PredictedAt, p.Model, p.Version, p.Asset, p.FailureProbability, p.Threshold, PredictiveOrderLoop.Name(action), orderId, orderNumber, reason, null, p.Evidence]], cancellationToken);
}

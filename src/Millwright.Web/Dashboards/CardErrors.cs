using Millwright.Dashboards;
using Millwright.Orchestration.Definitions;
using Millwright.Web.Orchestration;
using Millwright.Warehouse;

namespace Millwright.Web.Dashboards;

/// <summary>What a card says when its query fails, and the asset to open when a table it reads is not built yet.</summary>
internal sealed record CardProblem(string Message, string? Asset);

/// <summary>
/// What a card says when the warehouse refuses its query, the same on the page and through the API. A table that is
/// not built yet is named, with the asset of the workspace's pipelines that builds it and how to materialize it.
/// </summary>
internal sealed class CardErrors(OrchestrationHost host)
{
    public static bool NotBuilt(Exception e) => e is WarehouseException { Kind: WarehouseErrorKind.MissingRelation };

    public CardProblem Describe(Exception e, DashboardDefinition dashboard)
    {
        if (e is not WarehouseException { Kind: WarehouseErrorKind.MissingRelation } w)
        {
            return new(e.Message, null);
        }

        if (w.MissingName is not { } name)
        {
            return new($"Not built yet: this card reads a table that is not in the warehouse ({w.Message}). Materialize the pipeline that builds it (Pipelines, or `millwright assets materialize`), or load its data, then refresh.", null);
        }

        return Builder(name, dashboard.Pipeline) is { } builder
            ? new($"Not built yet: this card reads {name}, which is not in the warehouse. Asset {builder.Key} of pipeline {builder.Pipeline} builds it: materialize it with what it reads (Materialize with upstream on its page, or `millwright assets materialize -s +{builder.Key}`), then refresh.", builder.Key.Path)
            : new($"Not built yet: this card reads {name}, which is not in the warehouse, and no asset of this workspace's pipelines builds it. Load its data, or correct the card's SQL (pipeline {dashboard.Pipeline}, dashboard {dashboard.Id}), then refresh.", null);
    }

    /// <summary>
    /// The asset that writes a relation, from the table each asset of the workspace's pipelines writes: the same name
    /// and, when the message names one, the same schema. The dashboard's own pipeline wins a tie.
    /// </summary>
    private (AssetKey Key, string Pipeline)? Builder(string relation, string pipeline)
    {
        if (host.Current is not { } orchestration)
        {
            return null;
        }

        var parts = relation.Split('.');
        var table = parts[^1];
        var schema = parts.Length > 1 ? parts[^2] : null;
        var loaded = orchestration.Pipelines;
        return loaded.Relations
            .Where(r => string.Equals(r.Value.Name, table, StringComparison.OrdinalIgnoreCase)
                && (schema is null || string.Equals(r.Value.Schema, schema, StringComparison.OrdinalIgnoreCase)))
            .Select(r => (r.Key, Pipeline: loaded.PipelineOf.GetValueOrDefault(r.Key)))
            .Where(r => r.Pipeline is not null)
            .OrderBy(r => r.Pipeline == pipeline ? 0 : 1).ThenBy(r => r.Key)
            .Select(r => ((AssetKey Key, string Pipeline)?)(r.Key, r.Pipeline!))
            .FirstOrDefault();
    }
}

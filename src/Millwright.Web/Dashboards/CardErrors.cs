using Millwright.Warehouse;

namespace Millwright.Web.Dashboards;

/// <summary>What a card says when the warehouse refuses its query, the same on the page and through the API.</summary>
internal static class CardErrors
{
    public static bool NotBuilt(WarehouseException e) => e.Kind == WarehouseErrorKind.MissingRelation;

    public static string Describe(Exception e) => e is WarehouseException w && NotBuilt(w)
        ? $"Not built yet: this card reads a table that is not in the warehouse ({w.Message}). Materialize the pipeline that builds it (Pipelines, or `millwright assets materialize`), or load its data, then refresh."
        : e.Message;
}

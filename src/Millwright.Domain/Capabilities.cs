using System.Collections.Frozen;

namespace Millwright.Domain;

/// <summary>What an actor may do. Each role's list is in <see cref="AccessPolicy"/>.</summary>
public enum Capability
{
    CreateServiceOrder,
    PlanWork,
    RecordOwnWork,
    RecordWorkForOthers,
    HoldOrder,
    CompleteOrder,
    QaReject,
    CancelOrder,
    CloseOrder,
    ConsumeParts,
    ManageStock,
    ManagePurchaseOrders,
    ApprovePurchaseOrder,
    ReceiveGoods,
    Invoice,
    ManageMasterData,
    RecordObservations,
}

/// <summary>Who may do what: one table, enforced by the domain whatever the entry point.</summary>
public static class AccessPolicy
{
    private static readonly FrozenDictionary<Role, FrozenSet<Capability>> Grants = new Dictionary<Role, FrozenSet<Capability>>
    {
        [Role.Mechanic] = new[]
        {
            Capability.CreateServiceOrder, Capability.RecordOwnWork, Capability.HoldOrder, Capability.CompleteOrder,
            Capability.ConsumeParts, Capability.RecordObservations,
        }.ToFrozenSet(),
        [Role.Planner] = new[]
        {
            Capability.CreateServiceOrder, Capability.PlanWork, Capability.HoldOrder, Capability.CancelOrder,
            Capability.ManagePurchaseOrders, Capability.ReceiveGoods, Capability.Invoice, Capability.ManageMasterData,
            Capability.RecordObservations,
        }.ToFrozenSet(),
        [Role.Supervisor] = new[]
        {
            Capability.CreateServiceOrder, Capability.PlanWork, Capability.RecordOwnWork, Capability.RecordWorkForOthers,
            Capability.HoldOrder, Capability.CompleteOrder, Capability.QaReject, Capability.CancelOrder, Capability.CloseOrder,
            Capability.ConsumeParts, Capability.ManageStock, Capability.ReceiveGoods, Capability.RecordObservations,
        }.ToFrozenSet(),
        [Role.Manager] = new[]
        {
            Capability.CreateServiceOrder, Capability.PlanWork, Capability.HoldOrder, Capability.QaReject, Capability.CancelOrder,
            Capability.CloseOrder, Capability.ManageStock, Capability.ManagePurchaseOrders, Capability.ApprovePurchaseOrder,
            Capability.ReceiveGoods, Capability.Invoice, Capability.ManageMasterData, Capability.RecordObservations,
        }.ToFrozenSet(),
        [Role.Admin] = Enum.GetValues<Capability>().ToFrozenSet(),
    }.ToFrozenDictionary();

    public static bool Allows(Role role, Capability capability) => Grants[role].Contains(capability);

    public static IReadOnlyCollection<Capability> For(Role role) => Grants[role];

    /// <summary>Throws <see cref="ForbiddenException"/> unless the actor's role has the capability.</summary>
    public static void Demand(Actor actor, Capability capability)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.Roles.Any(role => Allows(role, capability)))
        {
            var roles = Enum.GetValues<Role>().Where(r => Allows(r, capability)).Select(r => r.Name());
            throw new ForbiddenException(
                "role." + EnumNames.Policy.ConvertName(capability.ToString()).ToLowerInvariant(),
                $"{actor} may not {Describe(capability)}; allowed roles: {string.Join(", ", roles)}");
        }
    }

    private static string Describe(Capability capability) =>
        string.Join(' ', EnumNames.Policy.ConvertName(capability.ToString()).ToLowerInvariant().Split('_'));
}

namespace Millwright.Domain;

/// <summary>The actions that move a service order; each has one source set and one target status.</summary>
public enum WorkflowAction { Schedule, Start, Hold, Resume, Complete, QaReject, Cancel, Close }

/// <summary>What the guards need to know about an order's surroundings, gathered by the caller in the same transaction.</summary>
public sealed record WorkflowFacts
{
    public bool HasActiveAssignment { get; init; }

    /// <summary>The acting mechanic holds an active assignment on the order.</summary>
    public bool ActorIsAssigned { get; init; }
    public int RunningTimers { get; init; }
    public decimal ReservedUnissued { get; init; }
    public bool HasLabor { get; init; }
    public decimal NetIssuedParts { get; init; }
    public bool HasDiagnosis { get; init; }
    public bool HasIssuedInvoice { get; init; }
}

/// <summary>
/// The service-order state machine: OPEN → SCHEDULED → IN_PROGRESS ⇄ ON_HOLD → COMPLETED → CLOSED; CANCELLED from
/// OPEN, SCHEDULED or ON_HOLD; COMPLETED → IN_PROGRESS on a QA reject (rework). Every guard and role check is here.
/// </summary>
public static class ServiceOrderWorkflow
{
    public static ServiceOrderStatus Target(WorkflowAction action) => action switch
    {
        WorkflowAction.Schedule => ServiceOrderStatus.Scheduled,
        WorkflowAction.Start or WorkflowAction.Resume or WorkflowAction.QaReject => ServiceOrderStatus.InProgress,
        WorkflowAction.Hold => ServiceOrderStatus.OnHold,
        WorkflowAction.Complete => ServiceOrderStatus.Completed,
        WorkflowAction.Cancel => ServiceOrderStatus.Cancelled,
        WorkflowAction.Close => ServiceOrderStatus.Closed,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    public static IReadOnlyList<ServiceOrderStatus> Sources(WorkflowAction action) => action switch
    {
        WorkflowAction.Schedule => [ServiceOrderStatus.Open],
        WorkflowAction.Start => [ServiceOrderStatus.Scheduled],
        WorkflowAction.Hold => [ServiceOrderStatus.InProgress],
        WorkflowAction.Resume => [ServiceOrderStatus.OnHold],
        WorkflowAction.Complete => [ServiceOrderStatus.InProgress],
        WorkflowAction.QaReject => [ServiceOrderStatus.Completed],
        WorkflowAction.Cancel => [ServiceOrderStatus.Open, ServiceOrderStatus.Scheduled, ServiceOrderStatus.OnHold],
        WorkflowAction.Close => [ServiceOrderStatus.Completed],
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>The status changes the machine allows at all, whatever the guards.</summary>
    public static bool IsAllowed(ServiceOrderStatus from, ServiceOrderStatus to) =>
        Enum.GetValues<WorkflowAction>().Any(a => Target(a) == to && Sources(a).Contains(from));

    public static Capability RequiredCapability(WorkflowAction action) => action switch
    {
        WorkflowAction.Schedule => Capability.PlanWork,
        WorkflowAction.Start => Capability.RecordOwnWork,
        WorkflowAction.Hold or WorkflowAction.Resume => Capability.HoldOrder,
        WorkflowAction.Complete => Capability.CompleteOrder,
        WorkflowAction.QaReject => Capability.QaReject,
        WorkflowAction.Cancel => Capability.CancelOrder,
        WorkflowAction.Close => Capability.CloseOrder,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    /// <summary>
    /// Applies <paramref name="action"/> to <paramref name="order"/> or throws naming the broken rule; on success the
    /// order's status and dates are updated and the history row to insert is returned.
    /// </summary>
    public static ServiceOrderStatusChange Apply(ServiceOrder order, WorkflowAction action, Actor actor, DateTime at, WorkflowFacts facts, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(facts);
        var to = Target(action);
        AccessPolicy.Demand(actor, RequiredCapability(action));
        if (Refusal(order, action, actor, at, facts, reason) is { } refusal)
        {
            throw refusal.Forbidden ? new ForbiddenException(refusal.Rule, refusal.Message) : new DomainRuleException(refusal.Rule, refusal.Message);
        }

        var from = order.Status;
        order.Status = to;
        switch (action)
        {
            case WorkflowAction.Start:
                order.StartedAt ??= at;
                break;
            case WorkflowAction.Hold:
                order.HoldReason = reason;
                break;
            case WorkflowAction.Resume:
                order.HoldReason = null;
                break;
            case WorkflowAction.Complete:
                order.CompletedAt = at;
                break;
            case WorkflowAction.QaReject:
                order.ReworkCount++;
                order.CompletedAt = null;
                break;
            case WorkflowAction.Cancel or WorkflowAction.Close:
                order.ClosedAt = at;
                break;
        }

        order.StatusSequence++;
        return new ServiceOrderStatusChange
        {
            ServiceOrderId = order.Id,
            Sequence = order.StatusSequence,
            FromStatus = from,
            ToStatus = to,
            ChangedAt = at,
            Actor = actor.Name,
            Role = actor.Role,
            Reason = reason,
        };
    }

    /// <summary>The first history row of a new order.</summary>
    public static ServiceOrderStatusChange Open(ServiceOrder order, Actor actor, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(actor);
        AccessPolicy.Demand(actor, Capability.CreateServiceOrder);
        order.Status = ServiceOrderStatus.Open;
        order.StatusSequence = 1;
        return new ServiceOrderStatusChange
        {
            ServiceOrderId = order.Id,
            Sequence = 1,
            FromStatus = null,
            ToStatus = ServiceOrderStatus.Open,
            ChangedAt = at,
            Actor = actor.Name,
            Role = actor.Role,
        };
    }

    /// <summary>
    /// Why <paramref name="actor"/> may not take <paramref name="action"/> on <paramref name="order"/> now, or null when
    /// the workflow allows it: the same rules <see cref="Apply"/> enforces, asked without changing anything, so a screen
    /// can say the reason before the click.
    /// </summary>
    public static WorkflowRefusal? Refusal(ServiceOrder order, WorkflowAction action, Actor actor, DateTime at, WorkflowFacts facts, string? reason)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(facts);
        var capability = RequiredCapability(action);
        if (!actor.Roles.Any(role => AccessPolicy.Allows(role, capability)))
        {
            var roles = Enum.GetValues<Role>().Where(r => AccessPolicy.Allows(r, capability)).Select(r => r.Name());
            return new WorkflowRefusal("role." + action.Name().ToLowerInvariant(), $"{action.Name()} needs the role {string.Join(", ", roles)}", Forbidden: true);
        }

        if (!Sources(action).Contains(order.Status))
        {
            return new WorkflowRefusal(
                "service_order.transition",
                $"service order {order.Number} is {order.Status.Name()}; {action.Name()} needs {string.Join(" or ", Sources(action).Select(s => s.Name()))}");
        }

        if (actor.IsOnlyMechanic && action != WorkflowAction.Start && !facts.ActorIsAssigned)
        {
            return new WorkflowRefusal("role.mechanic_not_assigned", $"{actor} is not assigned to service order {order.Number}", Forbidden: true);
        }

        return GuardRefusal(order, action, at, facts, reason);
    }

    private static WorkflowRefusal? GuardRefusal(ServiceOrder order, WorkflowAction action, DateTime at, WorkflowFacts facts, string? reason)
    {
        switch (action)
        {
            case WorkflowAction.Schedule when !facts.HasActiveAssignment:
                return Refuse("service_order.schedule_needs_assignment", $"service order {order.Number} needs an active assignment before it is scheduled");
            case WorkflowAction.Hold or WorkflowAction.Cancel or WorkflowAction.QaReject when string.IsNullOrWhiteSpace(reason):
                return Refuse("service_order.reason_required", $"{action.Name()} of service order {order.Number} needs a reason");
            case WorkflowAction.Complete:
                if (facts.RunningTimers > 0)
                {
                    return Refuse("service_order.running_timers", $"service order {order.Number} has {facts.RunningTimers} running timer(s); pause or finish them first");
                }

                if (facts.ReservedUnissued > 0)
                {
                    return Refuse("service_order.reserved_parts", $"service order {order.Number} has {facts.ReservedUnissued:0.####} reserved part unit(s) not issued; issue or release them first");
                }

                if (order.AssetDown && order.DowntimeEnd is null)
                {
                    return Refuse("service_order.downtime_end_required", $"service order {order.Number} took its asset down; the downtime end is required");
                }

                if (order.DowntimeEnd > at)
                {
                    return Refuse("service_order.downtime_end_future", $"the downtime end of service order {order.Number} is in the future");
                }

                if (order.Type == ServiceOrderType.Corrective && string.IsNullOrWhiteSpace(order.ResolutionCode))
                {
                    return Refuse("service_order.resolution_required", $"corrective service order {order.Number} needs a resolution code");
                }

                if (order.Type == ServiceOrderType.Corrective && !facts.HasDiagnosis)
                {
                    return Refuse("service_order.diagnosis_required", $"corrective service order {order.Number} needs a diagnosis");
                }

                break;
            case WorkflowAction.Cancel when facts.HasLabor:
                return Refuse("service_order.cancel_has_labor", $"service order {order.Number} has labor recorded and cannot be cancelled");
            case WorkflowAction.Cancel when facts.NetIssuedParts > 0:
                return Refuse("service_order.cancel_has_parts", $"service order {order.Number} has {facts.NetIssuedParts:0.####} issued part unit(s); return them before cancelling");
            case WorkflowAction.Close when order.IsBillable && !facts.HasIssuedInvoice:
                return Refuse("service_order.close_needs_invoice", $"billable service order {order.Number} needs an issued invoice before it is closed");
        }

        return null;
    }

    private static WorkflowRefusal Refuse(string rule, string message) => new(rule, message);
}

/// <summary>Why the workflow refuses an action: the rule's name and its words; <paramref name="Forbidden"/> when it is the actor's role.</summary>
public sealed record WorkflowRefusal(string Rule, string Message, bool Forbidden = false);

/// <summary>The per-mechanic timer on an order: which work event may follow which.</summary>
public static class WorkTimer
{
    /// <summary>Whether the last event leaves a timer running.</summary>
    public static bool IsRunning(WorkEventType? last) => last is WorkEventType.Start or WorkEventType.Resume;

    /// <summary>Throws unless <paramref name="next"/> may follow <paramref name="last"/> (this mechanic on this order).</summary>
    public static void CheckSequence(WorkEventType? last, WorkEventType next, bool runningElsewhere, string mechanic, string order)
    {
        var ok = next switch
        {
            WorkEventType.Start => last is null or WorkEventType.Finish,
            WorkEventType.Pause => IsRunning(last),
            WorkEventType.Resume => last is WorkEventType.Pause,
            WorkEventType.Finish => last is WorkEventType.Start or WorkEventType.Resume or WorkEventType.Pause,
            _ => false,
        };
        if (!ok)
        {
            var state = last is null ? "has not started" : $"last recorded {last.Value.Name()}";
            throw new DomainRuleException("work_event.sequence", $"{mechanic} {state} on service order {order}; {next.Name()} cannot follow");
        }

        if (next is WorkEventType.Start or WorkEventType.Resume && runningElsewhere)
        {
            throw new DomainRuleException("work_event.one_running_timer", $"{mechanic} already has a running timer on another service order; pause or finish it first");
        }
    }
}

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

public sealed record CreateServiceOrder(long AssetId, ServiceOrderType Type, Priority Priority, string Description)
{
    public DateTime? FailureAt { get; init; }
    public bool AssetDown { get; init; }
    public DateTime? DowntimeStart { get; init; }
    public DateTime? ScheduledStart { get; init; }
    public DateTime? DueAt { get; init; }
    public decimal EstimatedHours { get; init; }
    public long? ParentOrderId { get; init; }
    public long? PmPlanId { get; init; }
    public long? CustomerId { get; init; }
    public bool IsBillable { get; init; } = true;
}

/// <summary>Fields of an open order a planner may change; null leaves a field as it is.</summary>
public sealed record UpdateServiceOrder
{
    public Priority? Priority { get; init; }
    public string? Description { get; init; }
    public DateTime? DueAt { get; init; }
    public DateTime? ScheduledStart { get; init; }
    public decimal? EstimatedHours { get; init; }
    public bool? AssetDown { get; init; }
    public DateTime? DowntimeStart { get; init; }
    public DateTime? DowntimeEnd { get; init; }
    public string? ResolutionCode { get; init; }
    public string? ResolutionNotes { get; init; }
    public bool? IsBillable { get; init; }
}

public sealed record CompleteServiceOrder
{
    public string? ResolutionCode { get; init; }
    public string? ResolutionNotes { get; init; }
    public DateTime? DowntimeEnd { get; init; }
}

public sealed record RecordWorkEvent(long MechanicId, WorkEventType Type)
{
    public DateTime? OccurredAt { get; init; }
    public string? Note { get; init; }
    public string? IdempotencyKey { get; init; }
}

public sealed record AddDiagnosis(string Finding)
{
    public long? DiagnosticCodeId { get; init; }
    public long? MechanicId { get; init; }
    public string? RootCause { get; init; }
}

/// <summary>A recorded work event and whether it is the replay of an earlier request with the same idempotency key.</summary>
public sealed record WorkEventResult(WorkEvent Event, ServiceOrderStatus OrderStatus, bool Replayed);

/// <summary>The maintenance workflow: orders, assignments, work events and labor, diagnoses, and every status change.</summary>
public sealed class ServiceOrders(OperationsStore store)
{
    public Task<ServiceOrder> CreateAsync(OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        return UnitOfWork.RunAsync(store, scope, db => AddAsync(db, scope, command, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Opens a PREDICTIVE order for a model's finding unless the asset already has one open: then that order is returned
    /// and nothing is written. The check and the insert are one transaction.
    /// </summary>
    public Task<(ServiceOrder Order, bool Opened)> OpenPredictiveAsync(OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Type != ServiceOrderType.Predictive)
        {
            throw new DomainRuleException("order.type", "a model opens PREDICTIVE orders only");
        }

        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var open = await OpenPredictive(db, command.AssetId).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            return open is not null ? (open, false) : (await AddAsync(db, scope, command, cancellationToken).ConfigureAwait(false), true);
        }, cancellationToken);
    }

    /// <summary>The asset's open PREDICTIVE order (not completed, closed or cancelled), if it has one.</summary>
    public async Task<ServiceOrder?> FindOpenPredictiveAsync(long assetId, CancellationToken cancellationToken = default)
    {
        var db = store.CreateContext();
        await using (db.ConfigureAwait(false))
        {
            return await OpenPredictive(db, assetId).AsNoTracking().FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static IQueryable<ServiceOrder> OpenPredictive(OperationsDbContext db, long assetId) =>
        db.ServiceOrders
            .Where(o => o.AssetId == assetId && o.Type == ServiceOrderType.Predictive
                && o.Status != ServiceOrderStatus.Completed && o.Status != ServiceOrderStatus.Closed && o.Status != ServiceOrderStatus.Cancelled)
            .OrderBy(o => o.Id);

    private static async Task<ServiceOrder> AddAsync(OperationsDbContext db, OperationScope scope, CreateServiceOrder command, CancellationToken cancellationToken)
    {
        var asset = await db.Assets.GetAsync(command.AssetId, "asset", cancellationToken).ConfigureAwait(false);
        if (asset.Status == AssetStatus.Retired)
        {
            throw new DomainRuleException("asset.retired", $"asset {asset.Code} is retired");
        }

        var now = db.UtcNow;
        var order = new ServiceOrder
        {
            Number = await NextNumberAsync(db, cancellationToken).ConfigureAwait(false),
            AssetId = asset.Id,
            Type = command.Type,
            Priority = command.Priority,
            Description = command.Description,
            ReportedAt = now,
            FailureAt = command.FailureAt,
            AssetDown = command.AssetDown,
            DowntimeStart = command.AssetDown ? command.DowntimeStart ?? command.FailureAt ?? now : null,
            ScheduledStart = command.ScheduledStart,
            DueAt = command.DueAt,
            EstimatedHours = command.EstimatedHours,
            ParentOrderId = command.ParentOrderId,
            PmPlanId = command.PmPlanId,
            CustomerId = command.CustomerId,
            IsBillable = command.IsBillable,
            CreatedAt = now,
        };
        Validation.Throw(order.Validate());
        var opened = ServiceOrderWorkflow.Open(order, scope.Actor, now);

        // The order and its first status row are saved together: the row refers to the order by its temporary key,
        // which the save replaces with the order's id.
        opened.ServiceOrderId = db.ServiceOrders.Add(order).Property(o => o.Id).CurrentValue;
        db.StatusHistory.Add(opened).Property(h => h.ServiceOrderId).IsTemporary = true;
        if (order.AssetDown && asset.Status == AssetStatus.Active)
        {
            asset.Status = AssetStatus.Down;
        }

        return order;
    }

    public Task<ServiceOrder> UpdateAsync(OperationScope scope, long id, long? expectedVersion, UpdateServiceOrder update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(update);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var order = await LoadAsync(db, id, expectedVersion, cancellationToken).ConfigureAwait(false);
            var planning = update.Priority is not null || update.Description is not null || update.DueAt is not null
                || update.ScheduledStart is not null || update.EstimatedHours is not null || update.IsBillable is not null;
            AccessPolicy.Demand(scope.Actor, planning ? Capability.PlanWork : Capability.RecordOwnWork);
            if (order.Status is ServiceOrderStatus.Closed or ServiceOrderStatus.Cancelled)
            {
                throw new DomainRuleException("service_order.final", $"service order {order.Number} is {order.Status.Name()} and can no longer change");
            }

            order.Priority = update.Priority ?? order.Priority;
            order.Description = update.Description ?? order.Description;
            order.DueAt = update.DueAt ?? order.DueAt;
            order.ScheduledStart = update.ScheduledStart ?? order.ScheduledStart;
            order.EstimatedHours = update.EstimatedHours ?? order.EstimatedHours;
            order.AssetDown = update.AssetDown ?? order.AssetDown;
            order.DowntimeStart = update.DowntimeStart ?? order.DowntimeStart ?? (order.AssetDown ? order.FailureAt ?? order.ReportedAt : null);
            order.DowntimeEnd = update.DowntimeEnd ?? order.DowntimeEnd;
            order.ResolutionCode = update.ResolutionCode ?? order.ResolutionCode;
            order.ResolutionNotes = update.ResolutionNotes ?? order.ResolutionNotes;
            order.IsBillable = update.IsBillable ?? order.IsBillable;
            Validation.Throw(order.Validate());
            return order;
        }, cancellationToken);
    }

    public Task<Assignment> AssignAsync(OperationScope scope, long id, long mechanicId, AssignmentRole role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.PlanWork);
            var order = await LoadAsync(db, id, null, cancellationToken).ConfigureAwait(false);
            if (order.Status is not (ServiceOrderStatus.Open or ServiceOrderStatus.Scheduled or ServiceOrderStatus.InProgress or ServiceOrderStatus.OnHold))
            {
                throw new DomainRuleException("assignment.order_status", $"service order {order.Number} is {order.Status.Name()}; only open work can be assigned");
            }

            var mechanic = await db.Mechanics.GetAsync(mechanicId, "mechanic", cancellationToken).ConfigureAwait(false);
            if (!mechanic.IsActive)
            {
                throw new DomainRuleException("assignment.mechanic_inactive", $"mechanic {mechanic.EmployeeNumber} is not active");
            }

            var active = await db.Assignments.Where(a => a.ServiceOrderId == id && a.ReleasedAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
            if (active.Any(a => a.MechanicId == mechanicId))
            {
                throw new DomainRuleException("assignment.duplicate", $"mechanic {mechanic.EmployeeNumber} is already assigned to {order.Number}");
            }

            if (role == AssignmentRole.Lead && active.Any(a => a.Role == AssignmentRole.Lead))
            {
                throw new DomainRuleException("assignment.one_lead", $"service order {order.Number} already has a lead mechanic");
            }

            var assignment = new Assignment
            {
                ServiceOrderId = id,
                MechanicId = mechanicId,
                Role = role,
                AssignedAt = db.UtcNow,
                AssignedBy = scope.Actor.Name,
            };
            db.Assignments.Add(assignment);
            Touch(order);
            return assignment;
        }, cancellationToken);
    }

    public Task<Assignment> ReleaseAssignmentAsync(OperationScope scope, long id, long assignmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.PlanWork);
            var order = await LoadAsync(db, id, null, cancellationToken).ConfigureAwait(false);
            var assignment = await db.Assignments.FirstOrDefaultAsync(a => a.Id == assignmentId && a.ServiceOrderId == id, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("assignment", assignmentId);
            if (!assignment.IsActive)
            {
                throw new DomainRuleException("assignment.released", $"assignment {assignmentId} is already released");
            }

            if (await db.LaborEntries.AnyAsync(l => l.ServiceOrderId == id && l.MechanicId == assignment.MechanicId && l.EndedAt == null, cancellationToken).ConfigureAwait(false))
            {
                throw new DomainRuleException("assignment.running_timer", "the mechanic has a running timer on this order; pause or finish it first");
            }

            assignment.ReleasedAt = db.UtcNow;
            Touch(order);
            return assignment;
        }, cancellationToken);
    }

    public Task<ServiceOrder> ScheduleAsync(OperationScope scope, long id, long? expectedVersion, DateTime? scheduledStart, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, WorkflowAction.Schedule, null, order => order.ScheduledStart = scheduledStart ?? order.ScheduledStart, cancellationToken);

    /// <summary>ON_HOLD with a reason; every running timer on the order is paused by a PAUSE event in the same transaction.</summary>
    public Task<ServiceOrder> HoldAsync(OperationScope scope, long id, long? expectedVersion, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var order = await LoadAsync(db, id, expectedVersion, cancellationToken).ConfigureAwait(false);
            var facts = await FactsAsync(db, order, scope.Actor, cancellationToken).ConfigureAwait(false);
            db.StatusHistory.Add(ServiceOrderWorkflow.Apply(order, WorkflowAction.Hold, scope.Actor, db.UtcNow, facts, reason));
            var running = await db.LaborEntries.Where(l => l.ServiceOrderId == id && l.EndedAt == null).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var labor in running)
            {
                var pause = new WorkEvent
                {
                    ServiceOrderId = id,
                    MechanicId = labor.MechanicId,
                    Type = WorkEventType.Pause,
                    OccurredAt = db.UtcNow,
                    Actor = scope.Actor.Name,
                    Note = "order put on hold: " + reason,
                };
                db.WorkEvents.Add(pause);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                labor.Stop(pause.OccurredAt, pause.Id);
            }

            return order;
        }, cancellationToken);
    }

    public Task<ServiceOrder> ResumeAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, WorkflowAction.Resume, null, null, cancellationToken);

    public Task<ServiceOrder> CompleteAsync(OperationScope scope, long id, long? expectedVersion, CompleteServiceOrder command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return TransitionAsync(scope, id, expectedVersion, WorkflowAction.Complete, null, order =>
        {
            order.ResolutionCode = command.ResolutionCode ?? order.ResolutionCode;
            order.ResolutionNotes = command.ResolutionNotes ?? order.ResolutionNotes;
            order.DowntimeEnd = command.DowntimeEnd ?? order.DowntimeEnd;
        }, cancellationToken, afterward: async (db, order) =>
        {
            if (order.AssetDown)
            {
                var asset = await db.Assets.GetAsync(order.AssetId, "asset", cancellationToken).ConfigureAwait(false);
                var otherDown = await db.ServiceOrders.AnyAsync(
                    o => o.AssetId == order.AssetId && o.Id != order.Id && o.AssetDown && o.DowntimeEnd == null
                        && o.Status != ServiceOrderStatus.Cancelled && o.Status != ServiceOrderStatus.Closed,
                    cancellationToken).ConfigureAwait(false);
                if (asset.Status == AssetStatus.Down && !otherDown)
                {
                    asset.Status = AssetStatus.Active;
                }
            }
        });
    }

    /// <summary>QA rejected the work: back to IN_PROGRESS, counted as rework.</summary>
    public Task<ServiceOrder> QaRejectAsync(OperationScope scope, long id, long? expectedVersion, string reason, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, WorkflowAction.QaReject, reason, null, cancellationToken);

    /// <summary>CANCELLED with a reason; open reservations go back to stock.</summary>
    public Task<ServiceOrder> CancelAsync(OperationScope scope, long id, long? expectedVersion, string reason, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, WorkflowAction.Cancel, reason, null, cancellationToken, afterward: async (db, order) =>
        {
            var reserved = await db.OrderParts.Where(p => p.ServiceOrderId == order.Id && p.QuantityReserved > 0).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var line in reserved)
            {
                var location = await db.StockLocations.GetAsync(line.LocationId, "stock location", cancellationToken).ConfigureAwait(false);
                await StockLedger.ReleaseAsync(db, line.PartId, location, line.QuantityReserved, cancellationToken).ConfigureAwait(false);
                line.QuantityReserved = 0;
            }
        });

    public Task<ServiceOrder> CloseAsync(OperationScope scope, long id, long? expectedVersion, CancellationToken cancellationToken = default) =>
        TransitionAsync(scope, id, expectedVersion, WorkflowAction.Close, null, null, cancellationToken);

    /// <summary>
    /// Records START, PAUSE, RESUME or FINISH for a mechanic and keeps labor entries in step. The first START moves a
    /// SCHEDULED order to IN_PROGRESS; a RESUME on an order ON_HOLD resumes it. With an idempotency key, a repeated
    /// request returns the first event instead of recording another.
    /// </summary>
    public async Task<WorkEventResult> RecordWorkEventAsync(OperationScope scope, long id, RecordWorkEvent command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        var (result, replayed) = await UnitOfWork.RunIdempotentAsync(store, scope, $"work_event:{id}", command.IdempotencyKey, async db =>
        {
            var actor = scope.Actor;
            AccessPolicy.Demand(actor, actor.MechanicId == command.MechanicId ? Capability.RecordOwnWork : Capability.RecordWorkForOthers);
            var order = await LoadAsync(db, id, null, cancellationToken).ConfigureAwait(false);
            var guards = await WorkGuards.For(db)(db, id, command.MechanicId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundException("mechanic", command.MechanicId);
            var mechanic = guards.Mechanic;
            if (!guards.Assigned)
            {
                throw new DomainRuleException("work_event.not_assigned", $"mechanic {mechanic.EmployeeNumber} is not assigned to service order {order.Number}");
            }

            var allowedStatuses = command.Type switch
            {
                WorkEventType.Start => new[] { ServiceOrderStatus.Scheduled, ServiceOrderStatus.InProgress },
                WorkEventType.Resume => [ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold],
                WorkEventType.Pause => [ServiceOrderStatus.InProgress],
                _ => [ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold],
            };
            if (!allowedStatuses.Contains(order.Status))
            {
                throw new DomainRuleException(
                    "work_event.order_status",
                    $"service order {order.Number} is {order.Status.Name()}; {command.Type.Name()} needs {string.Join(" or ", allowedStatuses.Select(s => s.Name()))}");
            }

            WorkTimer.CheckSequence(guards.Last, command.Type, guards.RunningElsewhere, $"mechanic {mechanic.EmployeeNumber}", order.Number);

            var now = db.UtcNow;
            var at = command.OccurredAt ?? now;
            if (at > now.AddMinutes(5))
            {
                throw ValidationFailedException.For("occurredAt", "cannot be in the future");
            }

            var workflowActor = actor with { MechanicId = actor.MechanicId ?? mechanic.Id };
            if (command.Type == WorkEventType.Start && order.Status == ServiceOrderStatus.Scheduled)
            {
                var facts = await FactsAsync(db, order, workflowActor, cancellationToken).ConfigureAwait(false);
                db.StatusHistory.Add(ServiceOrderWorkflow.Apply(order, WorkflowAction.Start, actor, at, facts));
            }
            else if (command.Type == WorkEventType.Resume && order.Status == ServiceOrderStatus.OnHold)
            {
                var facts = await FactsAsync(db, order, workflowActor, cancellationToken).ConfigureAwait(false);
                db.StatusHistory.Add(ServiceOrderWorkflow.Apply(order, WorkflowAction.Resume, actor, at, facts));
            }
            else
            {
                // Work on an order serializes with its status changes: a HOLD racing this event conflicts on the version.
                Touch(order);
            }

            // The event and its labor entry are saved together: the entry refers to the event by the temporary key EF
            // gave it, which the save replaces with the event's id.
            var workEvent = new WorkEvent { ServiceOrderId = id, MechanicId = mechanic.Id, Type = command.Type, OccurredAt = at, Actor = actor.Name, Note = command.Note };
            var eventId = db.WorkEvents.Add(workEvent).Property(e => e.Id).CurrentValue;
            if (command.Type is WorkEventType.Start or WorkEventType.Resume)
            {
                var labor = db.LaborEntries.Add(new LaborEntry
                {
                    ServiceOrderId = id,
                    MechanicId = mechanic.Id,
                    StartedAt = at,
                    HourlyCost = mechanic.HourlyCost,
                    BillableRate = mechanic.BillableRate,
                    StartEventId = eventId,
                });
                labor.Property(l => l.StartEventId).IsTemporary = true;
            }
            else if (guards.RunningId is { } running)
            {
                var labor = await db.LaborEntries.GetAsync(running, "labor entry", cancellationToken).ConfigureAwait(false);
                labor.Stop(at, eventId);
                db.Entry(labor).Property(l => l.EndEventId).IsTemporary = true;
            }

            return new WorkEventResult(workEvent, order.Status, Replayed: false);
        }, cancellationToken).ConfigureAwait(false);
        return result with { Replayed = replayed };
    }

    public Task<Diagnosis> AddDiagnosisAsync(OperationScope scope, long id, AddDiagnosis command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.RecordOwnWork);
            var order = await LoadAsync(db, id, null, cancellationToken).ConfigureAwait(false);
            if (order.Status is ServiceOrderStatus.Closed or ServiceOrderStatus.Cancelled)
            {
                throw new DomainRuleException("service_order.final", $"service order {order.Number} is {order.Status.Name()}");
            }

            if (string.IsNullOrWhiteSpace(command.Finding))
            {
                throw ValidationFailedException.For("finding", "is required");
            }

            if (command.DiagnosticCodeId is { } codeId)
            {
                await db.DiagnosticCodes.GetAsync(codeId, "diagnostic code", cancellationToken).ConfigureAwait(false);
            }

            var diagnosis = new Diagnosis
            {
                ServiceOrderId = id,
                DiagnosticCodeId = command.DiagnosticCodeId,
                MechanicId = command.MechanicId ?? scope.Actor.MechanicId,
                Finding = command.Finding,
                RootCause = command.RootCause,
                DiagnosedAt = db.UtcNow,
            };
            db.Diagnoses.Add(diagnosis);
            Touch(order);
            return diagnosis;
        }, cancellationToken);
    }

    /// <summary>What a work event's guards read about its mechanic on the order, and the mechanic's running timer there.</summary>
    private sealed record WorkEventGuards(Mechanic Mechanic, bool Assigned, WorkEventType? Last, bool RunningElsewhere, long? RunningId);

    // A work event is the workshop's most frequent write: its guards are one compiled statement, not five queries.
    private static readonly PerProvider<Func<OperationsDbContext, long, long, CancellationToken, Task<WorkEventGuards?>>> WorkGuards = new(() =>
        EF.CompileAsyncQuery((OperationsDbContext db, long orderId, long mechanicId, CancellationToken _) => db.Mechanics.Where(m => m.Id == mechanicId).Select(m => new WorkEventGuards(
            m,
            db.Assignments.Any(a => a.ServiceOrderId == orderId && a.MechanicId == mechanicId && a.ReleasedAt == null),
            db.WorkEvents.Where(e => e.ServiceOrderId == orderId && e.MechanicId == mechanicId).OrderByDescending(e => e.Id).Select(e => (WorkEventType?)e.Type).FirstOrDefault(),
            db.LaborEntries.Any(l => l.MechanicId == mechanicId && l.EndedAt == null && l.ServiceOrderId != orderId),
            db.LaborEntries.Where(l => l.ServiceOrderId == orderId && l.MechanicId == mechanicId && l.EndedAt == null).OrderBy(l => l.Id).Select(l => (long?)l.Id).FirstOrDefault())).FirstOrDefault()));

    /// <summary>What the workflow guards see for <paramref name="order"/>, read in the caller's transaction.</summary>
    internal static Task<WorkflowFacts> FactsAsync(OperationsDbContext db, ServiceOrder order, Actor actor, CancellationToken cancellationToken) =>
        OrderFacts.For(db)(db, order.Id, actor.MechanicId, cancellationToken);

    // The workflow's guards read these on every transition: compiled once instead of translated per call.
    private static readonly PerProvider<Func<OperationsDbContext, long, long?, CancellationToken, Task<WorkflowFacts>>> OrderFacts = new(() =>
        EF.CompileAsyncQuery((OperationsDbContext db, long id, long? mechanicId, CancellationToken _) => db.ServiceOrders.Where(o => o.Id == id).Select(o => new WorkflowFacts
        {
            HasActiveAssignment = db.Assignments.Any(a => a.ServiceOrderId == id && a.ReleasedAt == null),
            ActorIsAssigned = mechanicId != null && db.Assignments.Any(a => a.ServiceOrderId == id && a.ReleasedAt == null && a.MechanicId == mechanicId),
            RunningTimers = db.LaborEntries.Count(l => l.ServiceOrderId == id && l.EndedAt == null),
            HasLabor = db.LaborEntries.Any(l => l.ServiceOrderId == id),
            HasDiagnosis = db.Diagnoses.Any(d => d.ServiceOrderId == id),
            HasIssuedInvoice = db.Invoices.Any(i => i.ServiceOrderId == id && i.Status == InvoiceStatus.Issued),
            ReservedUnissued = db.OrderParts.Where(p => p.ServiceOrderId == id).Sum(p => p.QuantityReserved),
            NetIssuedParts = db.OrderParts.Where(p => p.ServiceOrderId == id).Sum(p => p.QuantityIssued - p.QuantityReturned),
        }).First()));

    internal static Task<ServiceOrder> LoadAsync(OperationsDbContext db, long id, long? expectedVersion, CancellationToken cancellationToken) =>
        db.ServiceOrders.GetAsync(id, "service order", expectedVersion, cancellationToken);

    /// <summary>Bumps the order's version so concurrent writes to the same order serialize (the loser gets a conflict).</summary>
    internal static void Touch(ServiceOrder order) => order.Version++;

    private Task<ServiceOrder> TransitionAsync(
        OperationScope scope,
        long id,
        long? expectedVersion,
        WorkflowAction action,
        string? reason,
        Action<ServiceOrder>? before,
        CancellationToken cancellationToken,
        Func<OperationsDbContext, ServiceOrder, Task>? afterward = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            var order = await LoadAsync(db, id, expectedVersion, cancellationToken).ConfigureAwait(false);
            before?.Invoke(order);
            Validation.Throw(order.Validate());
            var facts = await FactsAsync(db, order, scope.Actor, cancellationToken).ConfigureAwait(false);
            db.StatusHistory.Add(ServiceOrderWorkflow.Apply(order, action, scope.Actor, db.UtcNow, facts, reason));
            if (afterward is not null)
            {
                await afterward(db, order).ConfigureAwait(false);
            }

            return order;
        }, cancellationToken);
    }

    private static async Task<string> NextNumberAsync(OperationsDbContext db, CancellationToken cancellationToken) =>
        $"OS-{await db.NextNumberAsync("service_orders", cancellationToken).ConfigureAwait(false):D6}";
}

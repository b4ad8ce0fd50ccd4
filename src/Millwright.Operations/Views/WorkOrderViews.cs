using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations.Views;

/// <summary>What the work-order board shows: filters, a page, and the sort (most urgent first unless asked otherwise).</summary>
public sealed record BoardQuery
{
    /// <summary>An order number (OS-000042 or 42) or a VIN, whole or its start.</summary>
    public string? Search { get; init; }
    public IReadOnlyCollection<ServiceOrderStatus>? Statuses { get; init; }
    public ServiceOrderType? Type { get; init; }
    public Priority? Priority { get; init; }
    public long? SiteId { get; init; }
    public long? AssetId { get; init; }
    public long? MechanicId { get; init; }
    public bool OverdueOnly { get; init; }
    public bool AssetDownOnly { get; init; }
    public DateTime? DueBefore { get; init; }
    public bool Unassigned { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 50;
}

/// <summary>One order on the board.</summary>
public sealed record BoardRow(
    long Id,
    string Number,
    ServiceOrderStatus Status,
    ServiceOrderType Type,
    Priority Priority,
    string Description,
    long AssetId,
    string AssetCode,
    string AssetName,
    string? Vin,
    string SiteCode,
    DateTime ReportedAt,
    DateTime? DueAt,
    DateTime? ScheduledStart,
    bool AssetDown,
    bool Overdue,
    IReadOnlyList<string> Mechanics);

/// <summary>A page of the board, the number of orders matching the filters, and how many of them are in each status.</summary>
public sealed record BoardPage(IReadOnlyList<BoardRow> Rows, int Page, int PageSize, long Total, IReadOnlyDictionary<ServiceOrderStatus, long> ByStatus);

/// <summary>A choice in a filter or a form: its id and what a person reads.</summary>
public sealed record Choice(long Id, string Label);

/// <summary>The lists the board's filters and forms offer.</summary>
public sealed record BoardChoices(IReadOnlyList<Choice> Sites, IReadOnlyList<Choice> Assets, IReadOnlyList<MechanicChoice> Mechanics);

/// <summary>A mechanic to assign: their site, skills and how many open orders they hold now.</summary>
public sealed record MechanicChoice(long Id, string Name, long SiteId, string SiteCode, IReadOnlyList<string> Skills, int OpenAssignments);

/// <summary>What happened to an order, in time order.</summary>
public enum TimelineKind { Status, Work, Diagnosis, Part, Assignment, Invoice, Audit }

public sealed record TimelineEntry(DateTime At, TimelineKind Kind, string Actor, string Text);

public sealed record AssignmentRow(long Id, long MechanicId, string Mechanic, AssignmentRole Role, DateTime AssignedAt, DateTime? ReleasedAt, string AssignedBy);

/// <summary>Labor per mechanic: hours booked, and when a timer runs, since when.</summary>
public sealed record LaborRow(long MechanicId, string Mechanic, decimal Hours, decimal Cost, DateTime? RunningSince, WorkEventType? LastEvent);

/// <summary>A part on the order, with the stock at its location now (from the ledger's balances).</summary>
public sealed record PartRow(long Id, long PartId, string Sku, string Name, string Unit, long LocationId, string Location, decimal Reserved, decimal Issued, decimal Returned, decimal UnitCost, decimal OnHand, decimal Available);

public sealed record DiagnosisRow(long Id, string? Code, string? CodeDescription, string Finding, string? RootCause, string? Mechanic, DateTime DiagnosedAt);

/// <summary>A workflow action and whether the viewer may take it now; when not, the rule's words.</summary>
public sealed record ActionState(WorkflowAction Action, WorkflowRefusal? Refusal)
{
    public bool Allowed => Refusal is null;
}

/// <summary>An order's page: the order, its asset, what happened, who works on it, labor, parts, invoices and what the viewer may do.</summary>
public sealed record OrderView(
    ServiceOrder Order,
    Asset Asset,
    string Site,
    Vehicle? Vehicle,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<AssignmentRow> Assignments,
    IReadOnlyList<LaborRow> Labor,
    IReadOnlyList<PartRow> Parts,
    IReadOnlyList<DiagnosisRow> Diagnoses,
    IReadOnlyList<Invoice> Invoices,
    IReadOnlyList<ActionState> Actions,
    bool ViewerMayAct)
{
    public decimal DowntimeHours(DateTime now) =>
        Order.DowntimeStart is { } start ? (decimal)Math.Round(((Order.DowntimeEnd ?? now) - start).TotalHours, 1) : 0;
}

/// <summary>A mechanic's job today: the order, their timer on it, and whether they may record work on it.</summary>
public sealed record MechanicJob(BoardRow Order, WorkEventType? LastEvent, DateTime? RunningSince, decimal HoursToday);

/// <summary>
/// The reads behind the web app's operations screens, each in one snapshot of the store: the board, an order with
/// everything that happened to it, a mechanic's day and the lists the forms offer. The actions an order page offers come
/// from <see cref="ServiceOrderWorkflow.Refusal"/>, the same rules the writes enforce.
/// </summary>
public sealed class WorkOrderViews(OperationsStore store)
{
    private static readonly ServiceOrderStatus[] Active = [ServiceOrderStatus.Open, ServiceOrderStatus.Scheduled, ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold, ServiceOrderStatus.Completed];

    /// <summary>The statuses of work not finished yet (the board's default).</summary>
    public static IReadOnlyList<ServiceOrderStatus> Unfinished => Active;

    /// <summary>A page of the board, most urgent first (priority, then the earliest due), with the counts per status.</summary>
    public Task<BoardPage> BoardAsync(BoardQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return ReadAsync(async db =>
        {
            var now = db.UtcNow;
            var filtered = Filter(db, query, now, withStatus: false);
            var byStatus = await filtered.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.LongCount() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken).ConfigureAwait(false);
            var statuses = query.Statuses is { Count: > 0 } s ? s : Active;
            var total = statuses.Sum(st => byStatus.GetValueOrDefault(st));
            var pageSize = Math.Clamp(query.PageSize, 1, 500);
            var page = Math.Max(1, query.Page);
            var rows = await RowsAsync(db, Filter(db, query, now, withStatus: true)
                    // Priorities are stored by name: the rank is spelled out so the sort is by urgency, not spelling.
                    .OrderByDescending(o => o.Priority == Priority.Critical ? 3 : o.Priority == Priority.High ? 2 : o.Priority == Priority.Medium ? 1 : 0)
                    .ThenBy(o => o.DueAt == null).ThenBy(o => o.DueAt).ThenBy(o => o.Id)
                    .Skip((page - 1) * pageSize).Take(pageSize), now, cancellationToken).ConfigureAwait(false);
            return new BoardPage(rows, page, pageSize, total, byStatus);
        }, cancellationToken);
    }

    public Task<BoardChoices> ChoicesAsync(CancellationToken cancellationToken = default) => ReadAsync(async db =>
    {
        var sites = await db.Sites.OrderBy(s => s.Code).Select(s => new Choice(s.Id, s.Code + " · " + s.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var assets = await db.Assets.Where(a => a.Status != AssetStatus.Retired).OrderBy(a => a.Code).Select(a => new Choice(a.Id, a.Code + " · " + a.Name)).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new BoardChoices(sites, assets, await MechanicsAsync(db, cancellationToken).ConfigureAwait(false));
    }, cancellationToken);

    /// <summary>An order's page as <paramref name="viewer"/> sees it, or null when there is no such order.</summary>
    public Task<OrderView?> OrderAsync(long id, Actor viewer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        return ReadAsync<OrderView?>(async db =>
        {
            var order = await db.ServiceOrders.FirstOrDefaultAsync(o => o.Id == id, cancellationToken).ConfigureAwait(false);
            if (order is null)
            {
                return null;
            }

            var now = db.UtcNow;
            var asset = await db.Assets.FirstAsync(a => a.Id == order.AssetId, cancellationToken).ConfigureAwait(false);
            var site = await db.Sites.Where(s => s.Id == asset.SiteId).Select(s => s.Code + " · " + s.Name).FirstAsync(cancellationToken).ConfigureAwait(false);
            var vehicle = await db.Vehicles.FirstOrDefaultAsync(v => v.Id == asset.Id, cancellationToken).ConfigureAwait(false);
            var mechanics = await db.Mechanics.Select(m => new { m.Id, m.Name, m.SiteId }).ToDictionaryAsync(m => m.Id, cancellationToken).ConfigureAwait(false);
            string MechanicName(long mechanicId) => mechanics.TryGetValue(mechanicId, out var m) ? m.Name : $"mechanic {mechanicId}";

            var history = await db.StatusHistory.Where(h => h.ServiceOrderId == id).OrderBy(h => h.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false);
            var events = await db.WorkEvents.Where(e => e.ServiceOrderId == id).OrderBy(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var assignments = await db.Assignments.Where(a => a.ServiceOrderId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var labor = await db.LaborEntries.Where(l => l.ServiceOrderId == id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var parts = await (from p in db.OrderParts
                               where p.ServiceOrderId == id
                               join part in db.Parts on p.PartId equals part.Id
                               join location in db.StockLocations on p.LocationId equals location.Id
                               select new { Line = p, part.Sku, part.Name, part.Unit, Location = location.Code }).ToListAsync(cancellationToken).ConfigureAwait(false);
            var partIds = parts.Select(p => p.Line.PartId).Distinct().ToList();
            var balances = await db.StockBalances.Where(b => partIds.Contains(b.PartId)).ToListAsync(cancellationToken).ConfigureAwait(false);
            var movements = await (from m in db.InventoryMovements
                                   where m.ServiceOrderId == id
                                   join part in db.Parts on m.PartId equals part.Id
                                   orderby m.Id
                                   select new { m.OccurredAt, m.Actor, m.Type, m.Quantity, part.Sku, part.Unit }).ToListAsync(cancellationToken).ConfigureAwait(false);
            var diagnoses = await (from d in db.Diagnoses
                                   where d.ServiceOrderId == id
                                   join c in db.DiagnosticCodes on d.DiagnosticCodeId equals c.Id into codes
                                   from c in codes.DefaultIfEmpty()
                                   orderby d.Id
                                   select new { d, Code = c == null ? null : c.Code, Description = c == null ? null : c.Description }).ToListAsync(cancellationToken).ConfigureAwait(false);
            var invoices = await db.Invoices.Where(i => i.ServiceOrderId == id).OrderBy(i => i.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
            var table = OperationsDbContext.TableOf(typeof(ServiceOrder));
            var audit = await db.AuditLog.Where(a => a.EntityType == table && a.EntityId == id).OrderBy(a => a.Id).Take(200).ToListAsync(cancellationToken).ConfigureAwait(false);

            var timeline = new List<TimelineEntry>();
            timeline.AddRange(history.Select(h => new TimelineEntry(h.ChangedAt, TimelineKind.Status, h.Actor,
                (h.FromStatus is { } from ? $"{from.Name()} → {h.ToStatus.Name()}" : h.ToStatus.Name()) + (h.Reason is { Length: > 0 } r ? $": {r}" : ""))));
            timeline.AddRange(events.Select(e => new TimelineEntry(e.OccurredAt, TimelineKind.Work, e.Actor, $"{MechanicName(e.MechanicId)} {e.Type.Name()}" + (e.Note is { Length: > 0 } n ? $": {n}" : ""))));
            timeline.AddRange(diagnoses.Select(d => new TimelineEntry(d.d.DiagnosedAt, TimelineKind.Diagnosis, d.d.MechanicId is { } m ? MechanicName(m) : "", (d.Code is null ? "" : d.Code + " ") + d.d.Finding)));
            timeline.AddRange(movements.Select(m => new TimelineEntry(m.OccurredAt, TimelineKind.Part, m.Actor, $"{m.Type.Name()} {m.Quantity:0.###} {m.Unit} {m.Sku}")));
            timeline.AddRange(assignments.Select(a => new TimelineEntry(a.AssignedAt, TimelineKind.Assignment, a.AssignedBy, $"{MechanicName(a.MechanicId)} assigned ({a.Role.Name()})")));
            timeline.AddRange(assignments.Where(a => a.ReleasedAt is not null).Select(a => new TimelineEntry(a.ReleasedAt!.Value, TimelineKind.Assignment, "", $"{MechanicName(a.MechanicId)} released")));
            timeline.AddRange(invoices.Select(i => new TimelineEntry(i.IssuedAt ?? i.CreatedAt, TimelineKind.Invoice, "", $"invoice {i.Number} {i.Status.Name()} {i.Total:0.00}")));
            timeline.AddRange(audit.Where(a => a.Action == "update").Select(a => new TimelineEntry(a.OccurredAt, TimelineKind.Audit, a.Actor, "order updated")));

            var laborRows = labor.GroupBy(l => l.MechanicId).Select(g =>
            {
                var last = events.LastOrDefault(e => e.MechanicId == g.Key)?.Type;
                return new LaborRow(g.Key, MechanicName(g.Key), g.Sum(l => l.Hours ?? 0), g.Sum(l => (l.Hours ?? 0) * l.HourlyCost), g.FirstOrDefault(l => l.EndedAt is null)?.StartedAt, last);
            }).ToList();
            var facts = await ServiceOrders.FactsAsync(db, order, viewer, cancellationToken).ConfigureAwait(false);
            var viewerMayAct = !viewer.IsOnlyMechanic || (viewer.MechanicId is { } own && mechanics.TryGetValue(own, out var me) && me.SiteId == asset.SiteId);
            return new OrderView(
                order,
                asset,
                site,
                vehicle,
                [.. timeline.OrderBy(t => t.At).ThenBy(t => t.Kind)],
                [.. assignments.Select(a => new AssignmentRow(a.Id, a.MechanicId, MechanicName(a.MechanicId), a.Role, a.AssignedAt, a.ReleasedAt, a.AssignedBy))],
                laborRows,
                [.. parts.Select(p =>
                {
                    var balance = balances.FirstOrDefault(b => b.PartId == p.Line.PartId && b.LocationId == p.Line.LocationId);
                    return new PartRow(p.Line.Id, p.Line.PartId, p.Sku, p.Name, p.Unit, p.Line.LocationId, p.Location, p.Line.QuantityReserved, p.Line.QuantityIssued, p.Line.QuantityReturned, p.Line.UnitCost, balance?.OnHand ?? 0, balance?.Available ?? 0);
                })],
                [.. diagnoses.Select(d => new DiagnosisRow(d.d.Id, d.Code, d.Description, d.d.Finding, d.d.RootCause, d.d.MechanicId is { } m ? MechanicName(m) : null, d.d.DiagnosedAt))],
                invoices,
                viewerMayAct ? ActionsFor(order, viewer, now, facts) : [],
                viewerMayAct);
        }, cancellationToken);
    }

    /// <summary>
    /// The workflow actions and why each is refused now, if it is. What a dialog asks for before the action (a reason, a
    /// resolution code, the downtime end) counts as given, so the words shown are about what the dialog cannot fix.
    /// </summary>
    public static IReadOnlyList<ActionState> ActionsFor(ServiceOrder order, Actor viewer, DateTime now, WorkflowFacts facts)
    {
        ArgumentNullException.ThrowIfNull(order);
        var asked = new ServiceOrder
        {
            Id = order.Id,
            Number = order.Number,
            Type = order.Type,
            Status = order.Status,
            Description = order.Description,
            AssetDown = order.AssetDown,
            DowntimeStart = order.DowntimeStart,
            DowntimeEnd = order.DowntimeEnd ?? (order.AssetDown ? now : null),
            ResolutionCode = order.ResolutionCode ?? "given in the dialog",
            IsBillable = order.IsBillable,
        };
        return [.. Enum.GetValues<WorkflowAction>().Where(a => a != WorkflowAction.Start)
            .Select(a => new ActionState(a, ServiceOrderWorkflow.Refusal(asked, a, viewer, now, facts, reason: "given in the dialog")))];
    }

    /// <summary>The orders <paramref name="mechanicId"/> is assigned to that are not finished, with their timer on each.</summary>
    public Task<IReadOnlyList<MechanicJob>> MechanicDayAsync(long mechanicId, CancellationToken cancellationToken = default) => ReadAsync<IReadOnlyList<MechanicJob>>(async db =>
    {
        var now = db.UtcNow;
        var ids = db.Assignments.Where(a => a.MechanicId == mechanicId && a.ReleasedAt == null).Select(a => a.ServiceOrderId);
        var rows = await RowsAsync(db, db.ServiceOrders.Where(o => ids.Contains(o.Id) && Active.Contains(o.Status) && o.Status != ServiceOrderStatus.Completed)
            .OrderBy(o => o.ScheduledStart == null).ThenBy(o => o.ScheduledStart).ThenBy(o => o.Id), now, cancellationToken).ConfigureAwait(false);
        var orderIds = rows.Select(r => r.Id).ToList();
        var events = await db.WorkEvents.Where(e => e.MechanicId == mechanicId && orderIds.Contains(e.ServiceOrderId))
            .Select(e => new { e.Id, e.ServiceOrderId, e.Type }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var today = now.Date;
        var labor = await db.LaborEntries.Where(l => l.MechanicId == mechanicId && orderIds.Contains(l.ServiceOrderId) && (l.EndedAt == null || l.StartedAt >= today))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => new MechanicJob(
            r,
            events.Where(e => e.ServiceOrderId == r.Id).MaxBy(e => e.Id)?.Type,
            labor.FirstOrDefault(l => l.ServiceOrderId == r.Id && l.EndedAt is null)?.StartedAt,
            labor.Where(l => l.ServiceOrderId == r.Id && l.StartedAt >= today).Sum(l => l.Hours ?? 0)))];
    }, cancellationToken);

    /// <summary>Parts whose SKU or name contains <paramref name="text"/>, with stock at each real location of the site.</summary>
    public Task<IReadOnlyList<PartStock>> FindPartsAsync(string text, long? siteId, CancellationToken cancellationToken = default) => ReadAsync<IReadOnlyList<PartStock>>(async db =>
    {
        var term = text.Trim().ToUpperInvariant();
#pragma warning disable CA1862 // EF turns ToUpper and Contains into SQL upper() and a LIKE on both stores; a StringComparison would not translate.
        var found = await (from b in db.StockBalances
                           join p in db.Parts on b.PartId equals p.Id
                           join l in db.StockLocations on b.LocationId equals l.Id
                           where p.IsActive && (p.Sku.ToUpper().Contains(term) || p.Name.ToUpper().Contains(term)) && (siteId == null || l.SiteId == siteId)
                           orderby p.Sku, l.Code
                           select new { p.Id, p.Sku, p.Name, p.Unit, LocationId = l.Id, Location = l.Code, b.OnHand, b.Reserved }).Take(50).ToListAsync(cancellationToken).ConfigureAwait(false);
#pragma warning restore CA1862
        return [.. found.Select(f => new PartStock(f.Id, f.Sku, f.Name, f.Unit, f.LocationId, f.Location, f.OnHand, f.OnHand - f.Reserved))];
    }, cancellationToken);

    /// <summary>
    /// Preventive work due within <paramref name="horizon"/>: for each active plan with a day interval and each asset it
    /// covers (its asset, or every vehicle of its model), the last order of the plan on the asset (or the asset's
    /// commissioning) plus the interval. An asset with an unfinished order of the plan is shown with that order.
    /// </summary>
    public Task<IReadOnlyList<PreventiveDue>> PreventiveDueAsync(TimeSpan horizon, CancellationToken cancellationToken = default) => ReadAsync<IReadOnlyList<PreventiveDue>>(async db =>
    {
        var now = db.UtcNow;
        var plans = await db.PmPlans.Where(p => p.IsActive && p.IntervalDays != null).ToListAsync(cancellationToken).ConfigureAwait(false);
        var planIds = plans.Select(p => p.Id).ToList();
        var orders = await db.ServiceOrders.Where(o => o.PmPlanId != null && planIds.Contains(o.PmPlanId.Value) && o.Status != ServiceOrderStatus.Cancelled)
            .Select(o => new { o.PmPlanId, o.AssetId, o.Number, o.Id, o.Status, o.ReportedAt, o.CompletedAt }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var assets = await (from a in db.Assets
                            where a.Status != AssetStatus.Retired
                            join v in db.Vehicles on a.Id equals v.Id into vs
                            from v in vs.DefaultIfEmpty()
                            select new { a.Id, a.Code, a.Name, a.CommissionedAt, ModelId = v == null ? (long?)null : v.ModelId }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var due = new List<PreventiveDue>();
        foreach (var plan in plans)
        {
            foreach (var asset in assets.Where(a => a.Id == plan.AssetId || (plan.VehicleModelId is { } model && a.ModelId == model)))
            {
                var mine = orders.Where(o => o.PmPlanId == plan.Id && o.AssetId == asset.Id).ToList();
                var open = mine.FirstOrDefault(o => o.Status is not (ServiceOrderStatus.Completed or ServiceOrderStatus.Closed));
                var last = mine.Where(o => o.CompletedAt is not null).Select(o => o.CompletedAt).Max();
                var dueAt = (last ?? asset.CommissionedAt ?? now).AddDays(plan.IntervalDays!.Value);
                if (dueAt <= now + horizon || open is not null)
                {
                    due.Add(new PreventiveDue(plan.Id, plan.Code, plan.Name, asset.Id, asset.Code, asset.Name, last, dueAt, dueAt < now, plan.EstimatedHours, open?.Id, open?.Number));
                }
            }
        }

        return [.. due.OrderBy(d => d.OpenOrderId is not null).ThenBy(d => d.DueAt)];
    }, cancellationToken);

    /// <summary>The diagnostic code catalog.</summary>
    public Task<IReadOnlyList<DiagnosticCode>> DiagnosticCodesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<DiagnosticCode>>(async db => await db.DiagnosticCodes.OrderBy(c => c.Code).ToListAsync(cancellationToken).ConfigureAwait(false), cancellationToken);

    /// <summary>The highest change-feed id: it moves whenever anyone changes anything, which is what live screens watch.</summary>
    public Task<long> LastChangeAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async db => await db.ChangeFeed.MaxAsync(c => (long?)c.Id, cancellationToken).ConfigureAwait(false) ?? 0, cancellationToken);

    private static async Task<List<MechanicChoice>> MechanicsAsync(OperationsDbContext db, CancellationToken cancellationToken)
    {
        var open = new[] { ServiceOrderStatus.Open, ServiceOrderStatus.Scheduled, ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold };
        var load = await (from a in db.Assignments
                          where a.ReleasedAt == null
                          join o in db.ServiceOrders on a.ServiceOrderId equals o.Id
                          where open.Contains(o.Status)
                          group a by a.MechanicId into g
                          select new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken).ConfigureAwait(false);
        var skills = (await db.MechanicSkills.Select(s => new { s.MechanicId, s.Skill }).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(s => s.MechanicId, s => s.Skill);
        var mechanics = await (from m in db.Mechanics
                               where m.IsActive
                               join s in db.Sites on m.SiteId equals s.Id
                               orderby m.Name
                               select new { m.Id, m.Name, m.SiteId, s.Code }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. mechanics.Select(m => new MechanicChoice(m.Id, m.Name, m.SiteId, m.Code, [.. skills[m.Id]], load.GetValueOrDefault(m.Id)))];
    }

    private static IQueryable<ServiceOrder> Filter(OperationsDbContext db, BoardQuery query, DateTime now, bool withStatus)
    {
        var orders = db.ServiceOrders.AsQueryable();
        if (withStatus)
        {
            var statuses = query.Statuses is { Count: > 0 } s ? s.ToList() : [.. Active];
            orders = orders.Where(o => statuses.Contains(o.Status));
        }

        if (query.Search?.Trim() is { Length: > 0 } search)
        {
            var upper = search.ToUpperInvariant();
            var number = long.TryParse(upper.StartsWith("OS-", StringComparison.Ordinal) ? upper[3..] : upper, out var n) ? $"OS-{n:D6}" : upper;
            var vehicles = db.Vehicles.Where(v => v.Vin.StartsWith(upper)).Select(v => v.Id);
            orders = orders.Where(o => o.Number == number || o.Number.StartsWith(upper) || vehicles.Contains(o.AssetId));
        }

        if (query.Type is { } type)
        {
            orders = orders.Where(o => o.Type == type);
        }

        if (query.Priority is { } priority)
        {
            orders = orders.Where(o => o.Priority == priority);
        }

        if (query.AssetId is { } asset)
        {
            orders = orders.Where(o => o.AssetId == asset);
        }

        if (query.SiteId is { } site)
        {
            var assets = db.Assets.Where(a => a.SiteId == site).Select(a => a.Id);
            orders = orders.Where(o => assets.Contains(o.AssetId));
        }

        if (query.MechanicId is { } mechanic)
        {
            var assigned = db.Assignments.Where(a => a.MechanicId == mechanic && a.ReleasedAt == null).Select(a => a.ServiceOrderId);
            orders = orders.Where(o => assigned.Contains(o.Id));
        }

        if (query.Unassigned)
        {
            var assigned = db.Assignments.Where(a => a.ReleasedAt == null).Select(a => a.ServiceOrderId);
            orders = orders.Where(o => !assigned.Contains(o.Id));
        }

        if (query.OverdueOnly)
        {
            orders = orders.Where(o => o.DueAt < now && o.CompletedAt == null && o.ClosedAt == null);
        }

        if (query.AssetDownOnly)
        {
            orders = orders.Where(o => o.AssetDown && o.DowntimeEnd == null);
        }

        if (query.DueBefore is { } due)
        {
            orders = orders.Where(o => o.DueAt < due);
        }

        return orders;
    }

    /// <summary>
    /// The rows of <paramref name="orders"/> in its order: the page's ids are read first, because a join over an
    /// ordered, paged query does not keep its order on every engine.
    /// </summary>
    internal static async Task<List<BoardRow>> RowsAsync(OperationsDbContext db, IQueryable<ServiceOrder> orders, DateTime now, CancellationToken cancellationToken)
    {
        var page = await orders.Select(o => o.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var found = await (from o in db.ServiceOrders
                           where page.Contains(o.Id)
                           join a in db.Assets on o.AssetId equals a.Id
                           join s in db.Sites on a.SiteId equals s.Id
                           join v in db.Vehicles on a.Id equals v.Id into vs
                           from v in vs.DefaultIfEmpty()
                           select new { o, a.Code, a.Name, Vin = v == null ? null : v.Vin, Site = s.Code }).ToListAsync(cancellationToken).ConfigureAwait(false);
        var position = page.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        found.Sort((x, y) => position[x.o.Id].CompareTo(position[y.o.Id]));
        var assigned = (await (from a in db.Assignments
                               where page.Contains(a.ServiceOrderId) && a.ReleasedAt == null
                               join m in db.Mechanics on a.MechanicId equals m.Id
                               orderby a.Role, m.Name
                               select new { a.ServiceOrderId, m.Name }).ToListAsync(cancellationToken).ConfigureAwait(false)).ToLookup(a => a.ServiceOrderId, a => a.Name);
        return [.. found.Select(f => new BoardRow(
            f.o.Id, f.o.Number, f.o.Status, f.o.Type, f.o.Priority, f.o.Description, f.o.AssetId, f.Code, f.Name, f.Vin, f.Site,
            f.o.ReportedAt, f.o.DueAt, f.o.ScheduledStart, f.o.AssetDown && f.o.DowntimeEnd is null,
            f.o.DueAt < now && f.o.CompletedAt is null && f.o.ClosedAt is null,
            [.. assigned[f.o.Id]]))];
    }

    private Task<T> ReadAsync<T>(Func<OperationsDbContext, Task<T>> read, CancellationToken cancellationToken) => Snapshots.ReadAsync(store, read, cancellationToken);
}

/// <summary>A preventive plan due on an asset, and the order already open for it, if any.</summary>
public sealed record PreventiveDue(long PlanId, string PlanCode, string PlanName, long AssetId, string AssetCode, string AssetName, DateTime? LastDoneAt, DateTime DueAt, bool Overdue, decimal EstimatedHours, long? OpenOrderId, string? OpenOrderNumber);

/// <summary>A part's stock at one location, for issuing it.</summary>
public sealed record PartStock(long PartId, string Sku, string Name, string Unit, long LocationId, string Location, decimal OnHand, decimal Available);

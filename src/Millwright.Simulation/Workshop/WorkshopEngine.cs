using Millwright.Domain;
using Millwright.Operations;
using Millwright.Simulation.Core;

namespace Millwright.Simulation.Workshop;

/// <summary>
/// The workshop at work, through the real use cases: a planner assigns and schedules open orders to mechanics as they
/// come free on their shifts (breakdowns first), mechanics start, diagnose, take parts, pause at the end of a shift
/// and resume at the next, put an order on hold when a part is out of stock, finish and complete; QA sends some work
/// back; billable orders are invoiced and closed. Stock is reordered below its reorder point and received after the
/// supplier's lead time.
/// </summary>
internal sealed class WorkshopEngine(SimContext sim, Rng rng)
{
    public void Add(SiteSim site)
    {
        foreach (var mechanic in site.Mechanics)
        {
            ScheduleShift(mechanic, sim.Loop.Now.Date);
        }

        ScheduleReorder(site, sim.Loop.Now.Date);
    }

    public async Task<Job> OpenAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var order = await sim.Ops.CreateOrderAsync(sim.Scope(request.ReportedBy ?? sim.Planner), new CreateServiceOrder(request.AssetId, request.Type, request.Priority, request.Description)
        {
            AssetDown = request.AssetDown,
            FailureAt = request.FailureAt,
            DowntimeStart = request.AssetDown ? request.FailureAt ?? sim.Loop.Now : null,
            EstimatedHours = (decimal)Math.Round(request.Hours, 1),
            DueAt = sim.Loop.Now.AddDays(request.Priority switch { Priority.Critical => 1, Priority.High => 3, Priority.Medium => 7, _ => 14 }),
            PmPlanId = request.PmPlanId,
            CustomerId = request.CustomerId,
            IsBillable = request.Billable,
        }, cancellationToken).ConfigureAwait(false);
        sim.Counts.ServiceOrders++;
        var job = new Job
        {
            OrderId = order.Id,
            Site = request.Site,
            Type = request.Type,
            Priority = request.Priority,
            ReportedAt = sim.Loop.Now,
            RemainingHours = request.Hours,
            AssetDown = request.AssetDown,
            Billable = request.Billable,
            Failure = request.Failure,
            DiagnosticCode = request.DiagnosticCode,
            Finding = request.Finding,
            Resolution = request.Resolution,
            OnDone = request.OnDone,
        };
        job.Parts.AddRange(request.Parts);
        request.Site.Queue.Add(job);
        DispatchSite(request.Site);
        return job;
    }

    /// <summary>Cancels a job nobody has started (superseded by another order on the same asset).</summary>
    public async Task CancelAsync(Job job, string reason, CancellationToken cancellationToken)
    {
        if (job.Started || job.Assigned || job.State != JobState.Queued)
        {
            return;
        }

        await sim.Ops.CancelAsync(sim.Scope(sim.Planner), job.OrderId, reason, cancellationToken).ConfigureAwait(false);
        job.State = JobState.Done;
        job.Site.Queue.Remove(job);
    }

    public static bool IsOpen(Job? job) => job is { State: not JobState.Done };

    private void ScheduleShift(MechanicSim mechanic, DateTime from)
    {
        var start = mechanic.NextShiftStart(from.AddTicks(-1));
        sim.Loop.At(start, () =>
        {
            ScheduleShift(mechanic, start.AddMinutes(1));
            return DispatchAsync(mechanic, CancellationToken.None);
        });
    }

    private void DispatchSite(SiteSim site)
    {
        foreach (var mechanic in site.Mechanics.Where(m => m.Current is null && m.OnShift(sim.Loop.Now)))
        {
            sim.Loop.After(TimeSpan.Zero, () => DispatchAsync(mechanic, CancellationToken.None));
        }
    }

    /// <summary>Gives a free mechanic on shift the next piece of work: their own paused or unblocked job first, then the queue.</summary>
    private async Task DispatchAsync(MechanicSim mechanic, CancellationToken cancellationToken)
    {
        if (mechanic.Current is not null || !mechanic.OnShift(sim.Loop.Now))
        {
            return;
        }

        var site = mechanic.Site;
        var job = site.Queue.FirstOrDefault(j => j.Lead == mechanic && j.State == JobState.Paused)
            ?? site.Queue.FirstOrDefault(j => j.Lead == mechanic && j.State == JobState.WaitingParts && j.WaitingFor is null)
            ?? site.Queue.FirstOrDefault(j => j.Lead == mechanic && j.State == JobState.Queued)
            ?? site.Queue.Where(j => j.State == JobState.Queued && j.Lead is null)
                .OrderByDescending(j => j.Priority).ThenBy(j => j.ReportedAt).FirstOrDefault();
        if (job is null)
        {
            return;
        }

        mechanic.Current = job;
        job.Lead = mechanic;
        var previous = job.State;
        job.State = JobState.Working;
        if (!job.Assigned)
        {
            await sim.Ops.AssignAsync(sim.Scope(sim.Planner), job.OrderId, mechanic.Id, AssignmentRole.Lead, cancellationToken).ConfigureAwait(false);
            await sim.Ops.ScheduleAsync(sim.Scope(sim.Planner), job.OrderId, sim.Loop.Now, cancellationToken).ConfigureAwait(false);
            job.Assigned = true;
        }

        var travel = TimeSpan.FromMinutes(rng.Uniform(5, 25));
        sim.Loop.After(travel, () => BeginAsync(mechanic, job, previous, cancellationToken));
    }

    private async Task BeginAsync(MechanicSim mechanic, Job job, JobState previous, CancellationToken cancellationToken)
    {
        var type = !job.Started ? WorkEventType.Start : WorkEventType.Resume;
        await WorkEventAsync(mechanic, job, type, previous == JobState.WaitingParts ? "parts arrived" : null, cancellationToken).ConfigureAwait(false);
        job.Started = true;
        Continue(mechanic, job);
    }

    /// <summary>Plans the next step of a job being worked: the diagnosis-and-parts checkpoint, the finish, or the end of the shift.</summary>
    private void Continue(MechanicSim mechanic, Job job)
    {
        var now = sim.Loop.Now;
        var shiftEnd = mechanic.ShiftOn(now)?.End ?? now;
        var untilShiftEnd = Math.Max(0, (shiftEnd - now).TotalHours);
        var needsCheckpoint = !job.Diagnosed || !job.PartsIssued;
        var wanted = needsCheckpoint ? Math.Min(0.4, job.RemainingHours * 0.25) : job.RemainingHours;
        var hours = Math.Min(wanted * mechanic.SpeedFactor, untilShiftEnd);
        var started = now;
        sim.Loop.After(TimeSpan.FromHours(hours), async () =>
        {
            job.RemainingHours = Math.Max(0, job.RemainingHours - ((sim.Loop.Now - started).TotalHours / mechanic.SpeedFactor));
            if (needsCheckpoint && hours < untilShiftEnd)
            {
                await CheckpointAsync(mechanic, job, CancellationToken.None).ConfigureAwait(false);
            }
            else if (job.RemainingHours <= 0.01 && !needsCheckpoint)
            {
                await FinishAsync(mechanic, job, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await WorkEventAsync(mechanic, job, WorkEventType.Pause, "end of shift", CancellationToken.None).ConfigureAwait(false);
                job.State = JobState.Paused;
                mechanic.Current = null;
            }
        });
    }

    private async Task CheckpointAsync(MechanicSim mechanic, Job job, CancellationToken cancellationToken)
    {
        if (!job.Diagnosed)
        {
            if (job.Type is ServiceOrderType.Corrective or ServiceOrderType.Predictive or ServiceOrderType.Warranty || job.Finding is not null)
            {
                await sim.Ops.DiagnoseAsync(sim.Scope(mechanic.Actor), job.OrderId, new AddDiagnosis(job.Finding ?? "Inspected; no fault found")
                {
                    DiagnosticCodeId = job.DiagnosticCode is { } code && sim.DiagnosticCodeIds.TryGetValue(code, out var id) ? id : null,
                    MechanicId = mechanic.Id,
                    RootCause = job.Failure?.Name,
                }, cancellationToken).ConfigureAwait(false);
            }

            job.Diagnosed = true;
        }

        if (!job.PartsIssued)
        {
            var stock = await sim.Ops.AvailableAtAsync(job.Site.LocationId, cancellationToken).ConfigureAwait(false);
            var missing = job.Parts.Where(p => stock.GetValueOrDefault(sim.PartIds[p.Sku]) < p.Quantity).ToList();
            if (missing.Count > 0)
            {
                job.WaitingFor = string.Join(", ", missing.Select(p => p.Sku));
                await sim.Ops.HoldAsync(sim.Scope(mechanic.Actor), job.OrderId, $"waiting for parts: {job.WaitingFor}", cancellationToken).ConfigureAwait(false);
                sim.Counts.WorkEvents++;
                job.State = JobState.WaitingParts;
                mechanic.Current = null;
                foreach (var (sku, quantity) in missing)
                {
                    await ReorderAsync(job.Site, [(sim.PartIds[sku], quantity)], urgent: true, cancellationToken).ConfigureAwait(false);
                }

                sim.Loop.After(TimeSpan.FromMinutes(10), () => DispatchAsync(mechanic, CancellationToken.None));
                return;
            }

            foreach (var (sku, quantity) in job.Parts)
            {
                await sim.Ops.IssuePartAsync(sim.Scope(mechanic.Actor), job.OrderId, sim.PartIds[sku], job.Site.LocationId, quantity, cancellationToken).ConfigureAwait(false);
                sim.Counts.PartsIssued++;
            }

            job.PartsIssued = true;
        }

        Continue(mechanic, job);
    }

    private async Task FinishAsync(MechanicSim mechanic, Job job, CancellationToken cancellationToken)
    {
        await WorkEventAsync(mechanic, job, WorkEventType.Finish, null, cancellationToken).ConfigureAwait(false);
        await sim.Ops.CompleteAsync(sim.Scope(mechanic.Actor), job.OrderId, new CompleteServiceOrder
        {
            ResolutionCode = job.Resolution ?? (job.Type == ServiceOrderType.Preventive ? "PM_DONE" : "NO_FAULT_FOUND"),
            ResolutionNotes = job.Finding,
            DowntimeEnd = job.AssetDown ? sim.Loop.Now : null,
        }, cancellationToken).ConfigureAwait(false);
        mechanic.Current = null;
        if (!job.Reworked && rng.Chance(0.03))
        {
            // QA finds the work unfinished: back to IN_PROGRESS, an hour more for the same mechanic.
            job.Reworked = true;
            sim.Loop.After(TimeSpan.FromMinutes(40), async () =>
            {
                await sim.Ops.QaRejectAsync(sim.Scope(sim.Supervisor), job.OrderId, "QA: torque marks missing on the reinstalled parts", CancellationToken.None).ConfigureAwait(false);
                job.Started = false;
                job.RemainingHours = rng.Uniform(0.4, 1.2);
                job.State = JobState.Queued;
                DispatchSite(job.Site);
            });
        }
        else
        {
            job.State = JobState.Done;
            job.Site.Queue.Remove(job);
            sim.Counts.CompletedOrders++;
            if (job.OnDone is { } done)
            {
                await done(job).ConfigureAwait(false);
            }

            foreach (var alert in job.Alerts)
            {
                await sim.Ops.ClearAlertAsync(sim.Scope(sim.Planner), alert, job.OrderId, cancellationToken).ConfigureAwait(false);
            }

            sim.Loop.After(TimeSpan.FromMinutes(rng.Uniform(20, 90)), () => SettleAsync(job, CancellationToken.None));
        }

        sim.Loop.After(TimeSpan.FromMinutes(5), () => DispatchAsync(mechanic, CancellationToken.None));
    }

    /// <summary>Invoices billable work and closes the order the next morning.</summary>
    private async Task SettleAsync(Job job, CancellationToken cancellationToken)
    {
        if (job.Billable)
        {
            var invoice = await sim.Ops.InvoiceAsync(sim.Scope(sim.Planner), job.OrderId, new CreateInvoice
            {
                TaxRate = 0.23m,
                PartsMarkup = 0.25m,
                Fees = [new InvoiceFee("Workshop consumables and disposal", 12.50m)],
            }, cancellationToken).ConfigureAwait(false);
            await sim.Ops.IssueInvoiceAsync(sim.Scope(sim.Planner), invoice.Id, cancellationToken).ConfigureAwait(false);
            sim.Counts.Invoices++;
        }

        var closeAt = sim.Loop.Now.Date.AddDays(1).AddHours(9).AddMinutes(rng.Uniform(0, 60));
        sim.Loop.At(closeAt, () => sim.Ops.CloseAsync(sim.Scope(sim.Manager), job.OrderId, CancellationToken.None));
    }

    private async Task WorkEventAsync(MechanicSim mechanic, Job job, WorkEventType type, string? note, CancellationToken cancellationToken)
    {
        await sim.Ops.WorkEventAsync(sim.Scope(mechanic.Actor), job.OrderId, new RecordWorkEvent(mechanic.Id, type) { Note = note }, cancellationToken).ConfigureAwait(false);
        sim.Counts.WorkEvents++;
    }

    private void ScheduleReorder(SiteSim site, DateTime from)
    {
        var at = from.Date.AddHours(6).AddMinutes(30);
        if (at < sim.Loop.Now)
        {
            at = at.AddDays(1);
        }

        sim.Loop.At(at, async () =>
        {
            ScheduleReorder(site, at.AddDays(1));
            if (at.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                await ReviewStockAsync(site, CancellationToken.None).ConfigureAwait(false);
            }
        });
    }

    /// <summary>The planner's morning stock review: parts at or below their reorder point are ordered, one purchase order per supplier.</summary>
    private async Task ReviewStockAsync(SiteSim site, CancellationToken cancellationToken)
    {
        var stock = await sim.Ops.AvailableAtAsync(site.LocationId, cancellationToken).ConfigureAwait(false);
        var wanted = new List<(long PartId, decimal Quantity)>();
        foreach (var part in site.Parts)
        {
            var id = sim.PartIds[part.Sku];
            var position = stock.GetValueOrDefault(id) + site.OnOrder.GetValueOrDefault(id);
            if (part.ReorderPoint > 0 && position <= part.ReorderPoint)
            {
                wanted.Add((id, part.ReorderQuantity));
            }
        }

        if (wanted.Count > 0)
        {
            await ReorderAsync(site, wanted, urgent: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Raises, submits and approves purchase orders (one per preferred supplier) and books their receipt after the lead time.</summary>
    public async Task ReorderAsync(SiteSim site, IReadOnlyList<(long PartId, decimal Quantity)> lines, bool urgent, CancellationToken cancellationToken)
    {
        var bySupplier = lines
            .Where(l => !urgent || site.OnOrder.GetValueOrDefault(l.PartId) < l.Quantity)
            .GroupBy(l => Fleet.Catalog.Parts.First(p => sim.PartIds[p.Sku] == l.PartId).Supplier)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in bySupplier)
        {
            var supplier = Fleet.Catalog.Suppliers.First(s => s.Code == group.Key);
            var inputs = group.Select(l => new PurchaseLineInput(l.PartId, l.Quantity)).ToList();
            var po = await sim.Ops.CreatePurchaseOrderAsync(sim.Scope(sim.Planner), sim.SupplierIds[supplier.Code], site.LocationId, inputs, null,
                urgent ? "urgent: a service order is waiting for this" : "stock below reorder point", cancellationToken).ConfigureAwait(false);
            await sim.Ops.SubmitPurchaseOrderAsync(sim.Scope(sim.Planner), po.Id, cancellationToken).ConfigureAwait(false);
            await sim.Ops.ApprovePurchaseOrderAsync(sim.Scope(sim.Manager), po.Id, cancellationToken).ConfigureAwait(false);
            sim.Counts.PurchaseOrders++;
            foreach (var line in inputs)
            {
                site.OnOrder[line.PartId] = site.OnOrder.GetValueOrDefault(line.PartId) + line.Quantity;
            }

            var days = Math.Max(1, supplier.LeadTimeDays + (int)Math.Round(rng.Normal(0, supplier.LeadTimeDays * 0.25)) - (urgent ? 1 : 0));
            var arrival = NextWorkday(sim.Loop.Now.Date.AddDays(days)).AddHours(rng.Uniform(9, 15));
            sim.Loop.At(arrival, () => ReceiveAsync(site, po.Id, inputs, CancellationToken.None));
        }
    }

    private async Task ReceiveAsync(SiteSim site, long purchaseOrderId, IReadOnlyList<PurchaseLineInput> inputs, CancellationToken cancellationToken)
    {
        var lines = await sim.Ops.OutstandingLinesAsync(purchaseOrderId, cancellationToken).ConfigureAwait(false);
        await sim.Ops.ReceivePurchaseOrderAsync(sim.Scope(sim.Planner), purchaseOrderId, lines, cancellationToken).ConfigureAwait(false);

        await sim.Ops.ClosePurchaseOrderAsync(sim.Scope(sim.Manager), purchaseOrderId, cancellationToken).ConfigureAwait(false);
        foreach (var line in inputs)
        {
            site.OnOrder[line.PartId] = Math.Max(0, site.OnOrder.GetValueOrDefault(line.PartId) - line.Quantity);
        }

        var stock = await sim.Ops.AvailableAtAsync(site.LocationId, cancellationToken).ConfigureAwait(false);
        foreach (var job in site.Queue.Where(j => j.State == JobState.WaitingParts && j.WaitingFor is not null))
        {
            if (job.Parts.All(p => stock.GetValueOrDefault(sim.PartIds[p.Sku]) >= p.Quantity))
            {
                job.WaitingFor = null;
            }
        }

        DispatchSite(site);
    }

    private static DateTime NextWorkday(DateTime day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday => day.AddDays(2),
        DayOfWeek.Sunday => day.AddDays(1),
        _ => day,
    };
}

/// <summary>A new service order and the truth behind it (what is really wrong, what it will take).</summary>
internal sealed record JobRequest(SiteSim Site, long AssetId, ServiceOrderType Type, Priority Priority, string Description, double Hours)
{
    public Actor? ReportedBy { get; init; }
    public bool AssetDown { get; init; }
    public DateTime? FailureAt { get; init; }
    public long? PmPlanId { get; init; }
    public long? CustomerId { get; init; }
    public bool Billable { get; init; }
    public Fleet.FailureMode? Failure { get; init; }
    public string? DiagnosticCode { get; init; }
    public string? Finding { get; init; }
    public string? Resolution { get; init; }
    public IReadOnlyList<(string Sku, int Quantity)> Parts { get; init; } = [];
    public Func<Job, Task>? OnDone { get; init; }
}

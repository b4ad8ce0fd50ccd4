using Microsoft.EntityFrameworkCore;
using Millwright.Domain;

namespace Millwright.Operations.Tests;

/// <summary>The workflow against a real database, the same suite on SQLite and on PostgreSQL.</summary>
public abstract class ServiceOrderWorkflowTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_order_goes_from_open_to_closed_with_parts_labor_and_an_invoice_and_every_step_is_recorded()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 5);
        var order = await w.ScheduledOrderAsync(assetDown: true);
        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Assist.Id, AssignmentRole.Assist, Ct);

        var started = await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        Assert.Equal(ServiceOrderStatus.InProgress, started.OrderStatus);
        await w.WorkAsync(order, w.Assist, WorkEventType.Start);
        await w.Inventory.ReserveAsync(Workshop.AsMechanic(w.Lead), order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
        await w.Inventory.IssueAsync(Workshop.AsMechanic(w.Lead), order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Pause);
        await w.WorkAsync(order, w.Lead, WorkEventType.Resume);
        await w.WorkAsync(order, w.Lead, WorkEventType.Finish);
        await w.WorkAsync(order, w.Assist, WorkEventType.Finish);
        await w.Orders.AddDiagnosisAsync(Workshop.AsMechanic(w.Lead), order.Id, new AddDiagnosis("Front pads worn to the backing plate"), Ct);
        var completed = await w.Orders.CompleteAsync(Workshop.AsMechanic(w.Lead), order.Id, null, new CompleteServiceOrder { ResolutionCode = "REPLACED", DowntimeEnd = DateTime.UtcNow }, Ct);
        Assert.Equal(ServiceOrderStatus.Completed, completed.Status);

        var invoice = await w.Billing.CreateAsync(Workshop.Planner, order.Id, new CreateInvoice { TaxRate = 0.23m, PartsMarkup = 0.2m, Fees = [new InvoiceFee("Disposal", 5)] }, Ct);
        await w.Billing.IssueAsync(Workshop.Planner, invoice.Id, null, Ct);
        var closed = await w.Orders.CloseAsync(Workshop.Supervisor, order.Id, null, Ct);
        Assert.Equal(ServiceOrderStatus.Closed, closed.Status);

        await using var db = t.Store.CreateContext();
        var history = await db.StatusHistory.Where(h => h.ServiceOrderId == order.Id).OrderBy(h => h.Sequence).ToListAsync(Ct);
        Assert.Equal(
            [ServiceOrderStatus.Open, ServiceOrderStatus.Scheduled, ServiceOrderStatus.InProgress, ServiceOrderStatus.Completed, ServiceOrderStatus.Closed],
            history.Select(h => h.ToStatus));
        Assert.Equal([1, 2, 3, 4, 5], history.Select(h => h.Sequence));

        var issue = Assert.Single(await db.InventoryMovements.Where(m => m.ServiceOrderId == order.Id).ToListAsync(Ct));
        Assert.Equal(MovementType.IssueToOrder, issue.Type);
        Assert.Equal(2, issue.Quantity);
        var balance = await db.StockBalances.SingleAsync(b => b.PartId == w.Part.Id && b.LocationId == w.StoreRoom.Id, Ct);
        Assert.Equal(3, balance.OnHand);
        Assert.Equal(0, balance.Reserved);

        var labor = await db.LaborEntries.Where(l => l.ServiceOrderId == order.Id).ToListAsync(Ct);
        Assert.Equal(3, labor.Count);
        Assert.All(labor, l => Assert.NotNull(l.EndedAt));

        // Each timer points at the events that started and stopped it, and its audit row records those ids.
        var events = await db.WorkEvents.Where(e => e.ServiceOrderId == order.Id).ToDictionaryAsync(e => e.Id, Ct);
        var audits = await db.AuditLog.Where(a => a.EntityType == "labor_entries" && a.Action == "INSERT").ToListAsync(Ct);
        Assert.All(labor, l =>
        {
            Assert.Equal((l.MechanicId, l.StartedAt), (events[l.StartEventId].MechanicId, events[l.StartEventId].OccurredAt));
            Assert.Contains(events[l.StartEventId].Type, new[] { WorkEventType.Start, WorkEventType.Resume });
            Assert.Equal((l.MechanicId, l.EndedAt), (events[l.EndEventId!.Value].MechanicId, (DateTime?)events[l.EndEventId.Value].OccurredAt));
            Assert.Contains(events[l.EndEventId.Value].Type, new[] { WorkEventType.Pause, WorkEventType.Finish });
            Assert.Contains($"\"start_event_id\":{l.StartEventId}", Assert.Single(audits, a => a.EntityId == l.Id).After, StringComparison.Ordinal);
        });

        var stored = await db.Invoices.SingleAsync(i => i.Id == invoice.Id, Ct);
        var lines = await db.InvoiceLines.Where(l => l.InvoiceId == invoice.Id).ToListAsync(Ct);
        Assert.Equal(InvoiceStatus.Issued, stored.Status);
        Assert.Contains(lines, l => l.Kind == InvoiceLineKind.Parts && l.Quantity == 2 && l.UnitPrice == 51m);
        Assert.Equal(stored.Subtotal + stored.Tax, stored.Total);
        Assert.Equal(lines.Sum(l => l.Amount), stored.Subtotal);

        var audit = await db.AuditLog.Where(a => a.EntityType == "service_orders" && a.EntityId == order.Id).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal("INSERT", audit[0].Action);
        Assert.Contains(audit, a => a.Actor == "sam.supervisor" && a.After!.Contains("\"status\":\"CLOSED\"", StringComparison.Ordinal) && a.Before!.Contains("\"status\":\"COMPLETED\"", StringComparison.Ordinal));
        Assert.True(await db.AuditLog.AnyAsync(a => a.EntityType == "inventory_movements" && a.EntityId == issue.Id, Ct));
        Assert.True(await db.AuditLog.AnyAsync(a => a.EntityType == "service_order_status_history", Ct));
        var asset = await db.Assets.SingleAsync(a => a.Id == w.Vehicle.Id, Ct);
        Assert.Equal(AssetStatus.Active, asset.Status);

        var report = await new Reconciliation(t.Store).RunAsync(Ct);
        Assert.True(report.IsClean, string.Join("; ", report.Stock) + string.Join("; ", report.History));
    }

    [Fact]
    public async Task An_invoice_whose_cents_do_not_add_up_in_binary_floating_point_is_accepted()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync();
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        await w.WorkAsync(order, w.Lead, WorkEventType.Finish);
        await w.Orders.AddDiagnosisAsync(Workshop.AsMechanic(w.Lead), order.Id, new AddDiagnosis("Caliper slide pins dry"), Ct);
        await w.Orders.CompleteAsync(Workshop.AsMechanic(w.Lead), order.Id, null, new CompleteServiceOrder { ResolutionCode = "LUBRICATED" }, Ct);

        // 12.50 + 23 % = 12.50 + 2.88 = 15.38, which 12.5 + 2.88 is not in doubles (SQLite's NUMERIC arithmetic).
        var invoice = await w.Billing.CreateAsync(Workshop.Planner, order.Id, new CreateInvoice { TaxRate = 0.23m, Fees = [new InvoiceFee("Workshop consumables", 12.50m)] }, Ct);

        Assert.Equal((12.50m, 2.88m, 15.38m), (invoice.Subtotal, invoice.Tax, invoice.Total));
        await using var db = t.Store.CreateContext();
        Assert.Equal(15.38m, (await db.Invoices.SingleAsync(i => i.Id == invoice.Id, Ct)).Total);
    }

    [Fact]
    public async Task Scheduling_needs_an_active_assignment()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, "Annual inspection"), Ct);

        var e = await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct));

        Assert.Equal("service_order.schedule_needs_assignment", e.Rule);
    }

    [Fact]
    public async Task Completing_a_corrective_order_needs_no_running_timer_a_resolution_a_diagnosis_and_the_downtime_end()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync(assetDown: true);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        var lead = Workshop.AsMechanic(w.Lead);

        async Task<string> RuleAsync() =>
            (await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.CompleteAsync(lead, order.Id, null, new CompleteServiceOrder(), Ct))).Rule;

        Assert.Equal("service_order.running_timers", await RuleAsync());
        await w.WorkAsync(order, w.Lead, WorkEventType.Finish);
        Assert.Equal("service_order.downtime_end_required", await RuleAsync());
        await w.Orders.UpdateAsync(lead, order.Id, null, new UpdateServiceOrder { DowntimeEnd = DateTime.UtcNow }, Ct);
        Assert.Equal("service_order.resolution_required", await RuleAsync());
        await w.Orders.UpdateAsync(lead, order.Id, null, new UpdateServiceOrder { ResolutionCode = "ADJUSTED" }, Ct);
        Assert.Equal("service_order.diagnosis_required", await RuleAsync());
        await w.Orders.AddDiagnosisAsync(lead, order.Id, new AddDiagnosis("Caliper sticking"), Ct);

        var done = await w.Orders.CompleteAsync(lead, order.Id, null, new CompleteServiceOrder(), Ct);
        Assert.Equal(ServiceOrderStatus.Completed, done.Status);
    }

    [Fact]
    public async Task Hold_needs_a_reason_and_pauses_every_running_timer()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync();
        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Assist.Id, AssignmentRole.Assist, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        await w.WorkAsync(order, w.Assist, WorkEventType.Start);

        var noReason = await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.HoldAsync(Workshop.Planner, order.Id, null, " ", Ct));
        Assert.Equal("service_order.reason_required", noReason.Rule);
        var held = await w.Orders.HoldAsync(Workshop.Planner, order.Id, null, "waiting for a part", Ct);

        Assert.Equal(ServiceOrderStatus.OnHold, held.Status);
        await using var db = t.Store.CreateContext();
        Assert.False(await db.LaborEntries.AnyAsync(l => l.ServiceOrderId == order.Id && l.EndedAt == null, Ct));
        Assert.Equal(2, await db.WorkEvents.CountAsync(e => e.ServiceOrderId == order.Id && e.Type == WorkEventType.Pause, Ct));

        var resumed = await w.WorkAsync(order, w.Lead, WorkEventType.Resume);
        Assert.Equal(ServiceOrderStatus.InProgress, resumed.OrderStatus);
    }

    [Fact]
    public async Task A_mechanic_has_at_most_one_running_timer_anywhere()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var first = await w.ScheduledOrderAsync();
        var second = await w.ScheduledOrderAsync();
        await w.WorkAsync(first, w.Lead, WorkEventType.Start);

        var e = await Assert.ThrowsAsync<DomainRuleException>(() => w.WorkAsync(second, w.Lead, WorkEventType.Start));

        Assert.Equal("work_event.one_running_timer", e.Rule);
        await w.WorkAsync(first, w.Lead, WorkEventType.Pause);
        await w.WorkAsync(second, w.Lead, WorkEventType.Start);
    }

    [Fact]
    public async Task The_database_itself_refuses_a_second_running_timer_for_a_mechanic()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var first = await w.ScheduledOrderAsync();
        var second = await w.ScheduledOrderAsync();
        var started = await w.WorkAsync(first, w.Lead, WorkEventType.Start);

        await using var db = t.Store.CreateContext();
        db.LaborEntries.Add(new LaborEntry { ServiceOrderId = second.Id, MechanicId = w.Lead.Id, StartedAt = DateTime.UtcNow, StartEventId = started.Event.Id });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
    }

    [Fact]
    public async Task Roles_are_enforced_by_the_domain()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync();

        var cancel = await Assert.ThrowsAsync<ForbiddenException>(() => w.Orders.CancelAsync(Workshop.AsMechanic(w.Lead), order.Id, null, "not needed", Ct));
        Assert.Contains("PLANNER", cancel.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ForbiddenException>(() => w.Orders.RecordWorkEventAsync(Workshop.AsMechanic(w.Assist), order.Id, new RecordWorkEvent(w.Lead.Id, WorkEventType.Start), Ct));
        var unassigned = await Assert.ThrowsAsync<DomainRuleException>(() => w.WorkAsync(order, w.Assist, WorkEventType.Start));
        Assert.Equal("work_event.not_assigned", unassigned.Rule);
    }

    [Fact]
    public async Task Cancel_is_refused_once_labor_is_recorded_and_closing_a_billable_order_needs_an_issued_invoice()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Preventive, Priority.Medium, "10,000 km service"), Ct);
        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Lead.Id, AssignmentRole.Lead, Ct);
        await w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        await w.Orders.HoldAsync(Workshop.Planner, order.Id, null, "customer asked to wait", Ct);

        var cancel = await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.CancelAsync(Workshop.Planner, order.Id, null, "customer withdrew", Ct));
        Assert.Equal("service_order.cancel_has_labor", cancel.Rule);

        await w.Orders.ResumeAsync(Workshop.Planner, order.Id, null, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Finish);
        await w.Orders.CompleteAsync(Workshop.AsMechanic(w.Lead), order.Id, null, new CompleteServiceOrder(), Ct);
        var close = await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.CloseAsync(Workshop.Supervisor, order.Id, null, Ct));
        Assert.Equal("service_order.close_needs_invoice", close.Rule);

        var rework = await w.Orders.QaRejectAsync(Workshop.Supervisor, order.Id, null, "torque not checked", Ct);
        Assert.Equal(ServiceOrderStatus.InProgress, rework.Status);
        Assert.Equal(1, rework.ReworkCount);
    }

    [Fact]
    public async Task A_write_based_on_a_stale_version_is_refused()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, "Check"), Ct);
        var read = order.Version;
        await w.Orders.UpdateAsync(Workshop.Planner, order.Id, read, new UpdateServiceOrder { Priority = Priority.High }, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => w.Orders.UpdateAsync(Workshop.Planner, order.Id, read, new UpdateServiceOrder { Priority = Priority.Low }, Ct));
        var part = await w.MasterData.UpdateAsync<Part>(Workshop.Admin, w.Part.Id, w.Part.Version, p => p.Name = "Front brake pads (ceramic)", Ct);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => w.MasterData.UpdateAsync<Part>(Workshop.Admin, w.Part.Id, w.Part.Version, p => p.Name = "x", Ct));
        Assert.Equal(w.Part.Version + 1, part.Version);
    }

    [Fact]
    public async Task Two_concurrent_writers_of_one_row_cannot_both_win()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        await using var a = t.Store.CreateContext();
        await using var b = t.Store.CreateContext();
        var pa = await a.Parts.SingleAsync(p => p.Id == w.Part.Id, Ct);
        var pb = await b.Parts.SingleAsync(p => p.Id == w.Part.Id, Ct);
        pa.Name = "A";
        pb.Name = "B";
        await a.SaveChangesAsync(Ct);

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => b.SaveChangesAsync(Ct));
    }

    [Fact]
    public async Task A_failed_status_change_leaves_no_history_and_no_audit_row()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, "Check"), Ct);
        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Lead.Id, AssignmentRole.Lead, Ct);
        await using (var db = t.Store.CreateContext())
        {
            // The audit write of the status change fails inside the database: nothing of the change may remain.
            await t.ExecuteAsync(db.Provider == Data.OperationsProvider.Sqlite
                ? "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log WHEN NEW.after LIKE '%\"status\":\"SCHEDULED\"%' BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"
                : """
                  CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$;
                  CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.after LIKE '%"status":"SCHEDULED"%') EXECUTE FUNCTION fail_audit();
                  """);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct));

        await using var check = t.Store.CreateContext();
        var stored = await check.ServiceOrders.SingleAsync(o => o.Id == order.Id, Ct);
        Assert.Equal(ServiceOrderStatus.Open, stored.Status);
        Assert.Equal(1, await check.StatusHistory.CountAsync(h => h.ServiceOrderId == order.Id, Ct));
        Assert.False(await check.AuditLog.AnyAsync(a => a.EntityType == "service_order_status_history" && a.After!.Contains("SCHEDULED"), Ct));
    }

    [Fact]
    public async Task A_repeated_work_event_with_the_same_idempotency_key_is_recorded_once()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 0);
        var order = await w.ScheduledOrderAsync();

        var first = await w.WorkAsync(order, w.Lead, WorkEventType.Start, key: "phone-42");
        var again = await w.WorkAsync(order, w.Lead, WorkEventType.Start, key: "phone-42");

        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(first.Event.Id, again.Event.Id);
        await using var db = t.Store.CreateContext();
        Assert.Equal(1, await db.WorkEvents.CountAsync(e => e.ServiceOrderId == order.Id, Ct));
    }

    [Fact]
    public async Task Ledger_rows_are_append_only()
    {
        await using var t = await new TStores().CreateAsync();
        await Workshop.CreateAsync(t.Store, stock: 3);
        await using var db = t.Store.CreateContext();
        var movement = await db.InventoryMovements.FirstAsync(Ct);
        movement.Quantity = 99;

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        Assert.Contains("inventory_movements is append-only", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_change_feed_has_a_row_for_every_write_in_increasing_id_order()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 3);
        var order = await w.ScheduledOrderAsync();

        await using var db = t.Store.CreateContext();
        var feed = await db.ChangeFeed.OrderBy(c => c.Id).ToListAsync(Ct);
        Assert.Contains(feed, c => c.Table == "service_orders" && c.EntityId == order.Id && c.Operation == ChangeOperation.Insert);
        Assert.Contains(feed, c => c.Table == "service_orders" && c.EntityId == order.Id && c.Operation == ChangeOperation.Update);
        Assert.Contains(feed, c => c.Table == "stock_balances");
        Assert.Equal(await db.InventoryMovements.CountAsync(Ct), feed.Count(c => c.Table == "inventory_movements"));
    }

    [Fact]
    public async Task Parts_still_reserved_block_completing_and_parts_issued_block_cancelling_with_the_quantities_named()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 10);
        var lead = Workshop.AsMechanic(w.Lead);

        var worked = await w.ScheduledOrderAsync();
        await w.WorkAsync(worked, w.Lead, WorkEventType.Start);
        await w.Inventory.ReserveAsync(lead, worked.Id, w.Part.Id, w.StoreRoom.Id, 3, Ct);
        await w.Inventory.IssueAsync(lead, worked.Id, w.Part.Id, w.StoreRoom.Id, 1, Ct);
        await w.WorkAsync(worked, w.Lead, WorkEventType.Finish);
        await w.Orders.AddDiagnosisAsync(lead, worked.Id, new AddDiagnosis("Pads worn"), Ct);
        var complete = await Assert.ThrowsAsync<DomainRuleException>(() =>
            w.Orders.CompleteAsync(lead, worked.Id, null, new CompleteServiceOrder { ResolutionCode = "REPLACED" }, Ct));
        Assert.Equal(("service_order.reserved_parts", $"service order {worked.Number} has 2 reserved part unit(s) not issued; issue or release them first"), (complete.Rule, complete.Message));

        var untouched = await w.ScheduledOrderAsync();
        await w.Inventory.ReserveAsync(lead, untouched.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
        await w.Inventory.IssueAsync(lead, untouched.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);
        var cancel = await Assert.ThrowsAsync<DomainRuleException>(() => w.Orders.CancelAsync(Workshop.Planner, untouched.Id, null, "duplicate", Ct));
        Assert.Equal(("service_order.cancel_has_parts", $"service order {untouched.Number} has 2 issued part unit(s); return them before cancelling"), (cancel.Rule, cancel.Message));
    }

    [Fact]
    public async Task Orders_opened_at_once_by_racing_clients_get_distinct_consecutive_numbers()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 1);
        var opened = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, $"Inspection {i}"), Ct))));

        var numbers = opened.Select(o => int.Parse(o.Number["OS-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(numbers[0], 16), numbers);
    }
}

public sealed class SqliteServiceOrderWorkflowTests : ServiceOrderWorkflowTests<SqliteStores>;

public sealed class PostgresServiceOrderWorkflowTests : ServiceOrderWorkflowTests<PostgresStores>;

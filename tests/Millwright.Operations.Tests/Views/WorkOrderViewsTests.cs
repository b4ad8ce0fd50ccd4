using Millwright.Domain;
using Millwright.Operations.Views;

namespace Millwright.Operations.Tests.Views;

/// <summary>The reads behind the web app's screens, on SQLite and PostgreSQL: board filters, an order's page and a mechanic's day.</summary>
public abstract class WorkOrderViewsTests<TStores> where TStores : StoreFactory, new()
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_board_filters_by_status_number_vin_mechanic_and_overdue_and_counts_each_status()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store);
        var scheduled = await w.ScheduledOrderAsync();
        var open = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Inspection, Priority.Low, "Yearly inspection")
        {
            DueAt = DateTime.UtcNow.AddMinutes(1),
        }, Ct);
        var views = new WorkOrderViews(t.Store);

        var all = await views.BoardAsync(new BoardQuery(), Ct);
        Assert.Equal(2, all.Total);
        Assert.Equal(1, all.ByStatus[ServiceOrderStatus.Open]);
        Assert.Equal(1, all.ByStatus[ServiceOrderStatus.Scheduled]);
        Assert.Equal(scheduled.Number, all.Rows[0].Number);
        Assert.Equal(["Rita Lead"], all.Rows[0].Mechanics);
        Assert.Equal(w.Vehicle.Vin, all.Rows[0].Vin);

        Assert.Equal([open.Number], (await views.BoardAsync(new BoardQuery { Statuses = [ServiceOrderStatus.Open] }, Ct)).Rows.Select(r => r.Number));
        Assert.Equal([scheduled.Number], (await views.BoardAsync(new BoardQuery { Search = scheduled.Number[3..].TrimStart('0') }, Ct)).Rows.Select(r => r.Number));
        Assert.Equal(2, (await views.BoardAsync(new BoardQuery { Search = w.Vehicle.Vin[..8].ToLowerInvariant() }, Ct)).Total);
        Assert.Equal([scheduled.Number], (await views.BoardAsync(new BoardQuery { MechanicId = w.Lead.Id }, Ct)).Rows.Select(r => r.Number));
        Assert.Equal([open.Number], (await views.BoardAsync(new BoardQuery { Unassigned = true }, Ct)).Rows.Select(r => r.Number));
        Assert.Empty((await views.BoardAsync(new BoardQuery { OverdueOnly = true }, Ct)).Rows);
        Assert.Equal([open.Number], (await views.BoardAsync(new BoardQuery { PageSize = 1, Page = 2 }, Ct)).Rows.Select(r => r.Number));

        // Most urgent first, on every page, whatever order the engine joins in.
        var critical = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.Critical, "No drive"), Ct);
        var medium = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.Medium, "Squeak"), Ct);
        Assert.Equal([critical.Number, scheduled.Number, medium.Number, open.Number], (await views.BoardAsync(new BoardQuery(), Ct)).Rows.Select(r => r.Number));
        Assert.Equal([medium.Number, open.Number], (await views.BoardAsync(new BoardQuery { PageSize = 2, Page = 2 }, Ct)).Rows.Select(r => r.Number));
    }

    [Fact]
    public async Task An_orders_page_holds_its_whole_history_and_the_actions_with_the_rules_that_refuse_them()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store, stock: 5);
        var order = await w.Orders.CreateAsync(Workshop.Planner, new CreateServiceOrder(w.Vehicle.Id, ServiceOrderType.Corrective, Priority.High, "Pulls to the left"), Ct);
        var views = new WorkOrderViews(t.Store);

        var open = (await views.OrderAsync(order.Id, Workshop.Planner.Actor, Ct))!;
        var schedule = open.Actions.Single(a => a.Action == WorkflowAction.Schedule);
        Assert.Equal("service_order.schedule_needs_assignment", schedule.Refusal?.Rule);
        Assert.True(open.Actions.Single(a => a.Action == WorkflowAction.Cancel).Allowed);
        Assert.True(open.Actions.Single(a => a.Action == WorkflowAction.Close).Refusal is { Forbidden: true });

        await w.Orders.AssignAsync(Workshop.Planner, order.Id, w.Lead.Id, AssignmentRole.Lead, Ct);
        await w.Orders.ScheduleAsync(Workshop.Planner, order.Id, null, null, Ct);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        await w.Inventory.IssueAsync(Workshop.AsMechanic(w.Lead), order.Id, w.Part.Id, w.StoreRoom.Id, 2, Ct);

        var working = (await views.OrderAsync(order.Id, Workshop.AsMechanic(w.Lead).Actor, Ct))!;
        Assert.Equal(ServiceOrderStatus.InProgress, working.Order.Status);
        Assert.True(working.ViewerMayAct);
        Assert.Equal("service_order.running_timers", working.Actions.Single(a => a.Action == WorkflowAction.Complete).Refusal?.Rule);
        var part = Assert.Single(working.Parts);
        Assert.Equal((2m, 3m), (part.Issued, part.OnHand));
        Assert.NotNull(Assert.Single(working.Labor).RunningSince);
        Assert.Equal(
            [TimelineKind.Status, TimelineKind.Assignment, TimelineKind.Status, TimelineKind.Status, TimelineKind.Work, TimelineKind.Part],
            working.Timeline.Select(e => e.Kind).Where(k => k != TimelineKind.Audit));

        var stranger = new Actor("someone", Role.Mechanic, MechanicId: -1);
        var other = (await views.OrderAsync(order.Id, stranger, Ct))!;
        Assert.False(other.ViewerMayAct);
        Assert.Empty(other.Actions);
        Assert.Null(await views.OrderAsync(-5, Workshop.Planner.Actor, Ct));
    }

    [Fact]
    public async Task A_mechanics_day_lists_their_unfinished_orders_with_their_own_timer()
    {
        await using var t = await new TStores().CreateAsync();
        var w = await Workshop.CreateAsync(t.Store);
        var order = await w.ScheduledOrderAsync();
        var views = new WorkOrderViews(t.Store);

        var before = Assert.Single(await views.MechanicDayAsync(w.Lead.Id, Ct));
        Assert.Null(before.LastEvent);
        await w.WorkAsync(order, w.Lead, WorkEventType.Start);
        var running = Assert.Single(await views.MechanicDayAsync(w.Lead.Id, Ct));
        Assert.Equal(WorkEventType.Start, running.LastEvent);
        Assert.NotNull(running.RunningSince);
        Assert.Empty(await views.MechanicDayAsync(w.Assist.Id, Ct));

        var found = await views.FindPartsAsync("pads", w.Site.Id, Ct);
        Assert.Equal((w.Part.Sku, w.StoreRoom.Id, 10m), (Assert.Single(found).Sku, found[0].LocationId, found[0].OnHand));
    }
}

public sealed class SqliteWorkOrderViewsTests : WorkOrderViewsTests<SqliteStores>;

public sealed class PostgresWorkOrderViewsTests : WorkOrderViewsTests<PostgresStores>;

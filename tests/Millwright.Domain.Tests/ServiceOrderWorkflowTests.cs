namespace Millwright.Domain.Tests;

public sealed class ServiceOrderWorkflowTests
{
    private static readonly Actor Planner = new("pat", Role.Planner);
    private static readonly Actor Supervisor = new("sam", Role.Supervisor);
    private static readonly DateTime Now = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);
    private static readonly WorkflowFacts Ready = new() { HasActiveAssignment = true, ActorIsAssigned = true, HasDiagnosis = true, HasIssuedInvoice = true };

    private static ServiceOrder Order(ServiceOrderStatus status, ServiceOrderType type = ServiceOrderType.Preventive) => new()
    {
        Id = 7,
        Number = "OS-000007",
        Description = "Service",
        Status = status,
        Type = type,
        StatusSequence = 3,
    };

    private static readonly (ServiceOrderStatus From, ServiceOrderStatus To)[] Allowed =
    [
        (ServiceOrderStatus.Open, ServiceOrderStatus.Scheduled),
        (ServiceOrderStatus.Scheduled, ServiceOrderStatus.InProgress),
        (ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold),
        (ServiceOrderStatus.OnHold, ServiceOrderStatus.InProgress),
        (ServiceOrderStatus.InProgress, ServiceOrderStatus.Completed),
        (ServiceOrderStatus.Completed, ServiceOrderStatus.Closed),
        (ServiceOrderStatus.Completed, ServiceOrderStatus.InProgress),
        (ServiceOrderStatus.Open, ServiceOrderStatus.Cancelled),
        (ServiceOrderStatus.Scheduled, ServiceOrderStatus.Cancelled),
        (ServiceOrderStatus.OnHold, ServiceOrderStatus.Cancelled),
    ];

    [Fact]
    public void Asking_why_an_action_is_refused_gives_the_same_rule_apply_throws_and_changes_nothing()
    {
        var open = Order(ServiceOrderStatus.Open);
        var notAssigned = new WorkflowFacts();

        var refusal = ServiceOrderWorkflow.Refusal(open, WorkflowAction.Schedule, Planner, Now, notAssigned, reason: null);
        var thrown = Assert.Throws<DomainRuleException>(() => ServiceOrderWorkflow.Apply(Order(ServiceOrderStatus.Open), WorkflowAction.Schedule, Planner, Now, notAssigned));

        Assert.Equal(("service_order.schedule_needs_assignment", false), (refusal?.Rule, refusal!.Forbidden));
        Assert.Equal(thrown.Rule, refusal.Rule);
        Assert.Equal(thrown.Message, refusal.Message);
        Assert.Equal((ServiceOrderStatus.Open, 3), (open.Status, open.StatusSequence));
        Assert.Null(ServiceOrderWorkflow.Refusal(open, WorkflowAction.Schedule, Planner, Now, Ready, reason: null));
        Assert.True(ServiceOrderWorkflow.Refusal(Order(ServiceOrderStatus.Completed), WorkflowAction.Close, Planner, Now, Ready, reason: null) is { Forbidden: true });
        Assert.Equal("service_order.transition", ServiceOrderWorkflow.Refusal(open, WorkflowAction.Close, Supervisor, Now, Ready, reason: null)?.Rule);
        var mechanic = new Actor("mia", Role.Mechanic, 4);
        Assert.Equal("role.mechanic_not_assigned", ServiceOrderWorkflow.Refusal(Order(ServiceOrderStatus.InProgress), WorkflowAction.Hold, mechanic, Now, notAssigned, "waiting for parts")?.Rule);
    }

    [Fact]
    public void The_machine_allows_exactly_the_documented_transitions()
    {
        var allowed = Allowed.ToHashSet();
        foreach (var from in Enum.GetValues<ServiceOrderStatus>())
        {
            foreach (var to in Enum.GetValues<ServiceOrderStatus>())
            {
                Assert.True(allowed.Contains((from, to)) == ServiceOrderWorkflow.IsAllowed(from, to), $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void A_transition_appends_the_next_history_row_and_updates_the_order()
    {
        var order = Order(ServiceOrderStatus.InProgress);

        var row = ServiceOrderWorkflow.Apply(order, WorkflowAction.Hold, Planner, Now, Ready, "waiting for parts");

        Assert.Equal(ServiceOrderStatus.OnHold, order.Status);
        Assert.Equal("waiting for parts", order.HoldReason);
        Assert.Equal((7L, 4, ServiceOrderStatus.InProgress, ServiceOrderStatus.OnHold, "pat", Role.Planner), (row.ServiceOrderId, row.Sequence, row.FromStatus!.Value, row.ToStatus, row.Actor, row.Role));
        Assert.Equal(4, order.StatusSequence);
    }

    [Fact]
    public void A_refused_transition_changes_nothing()
    {
        var order = Order(ServiceOrderStatus.Closed);

        var e = Assert.Throws<DomainRuleException>(() => ServiceOrderWorkflow.Apply(order, WorkflowAction.Cancel, Planner, Now, Ready, "late"));

        Assert.Equal("service_order.transition", e.Rule);
        Assert.Contains("CLOSED", e.Message, StringComparison.Ordinal);
        Assert.Equal((ServiceOrderStatus.Closed, 3), (order.Status, order.StatusSequence));
    }

    [Fact]
    public void Qa_reject_reopens_completed_work_as_rework()
    {
        var order = Order(ServiceOrderStatus.Completed);
        order.CompletedAt = Now;

        ServiceOrderWorkflow.Apply(order, WorkflowAction.QaReject, Supervisor, Now, Ready, "torque not checked");

        Assert.Equal((ServiceOrderStatus.InProgress, 1, (DateTime?)null), (order.Status, order.ReworkCount, order.CompletedAt));
    }

    [Theory]
    [InlineData(Role.Mechanic, WorkflowAction.Cancel)]
    [InlineData(Role.Mechanic, WorkflowAction.Close)]
    [InlineData(Role.Planner, WorkflowAction.Close)]
    [InlineData(Role.Planner, WorkflowAction.QaReject)]
    [InlineData(Role.Manager, WorkflowAction.Complete)]
    public void Roles_without_the_capability_are_refused(Role role, WorkflowAction action)
    {
        var order = Order(ServiceOrderWorkflow.Sources(action)[0]);

        Assert.Throws<ForbiddenException>(() => ServiceOrderWorkflow.Apply(order, action, new Actor("x", role), Now, Ready, "reason"));
    }

    [Fact]
    public void A_mechanic_acts_only_on_orders_they_are_assigned_to()
    {
        var order = Order(ServiceOrderStatus.InProgress);
        var mechanic = new Actor("rita", Role.Mechanic, 3);

        var e = Assert.Throws<ForbiddenException>(() => ServiceOrderWorkflow.Apply(order, WorkflowAction.Hold, mechanic, Now, Ready with { ActorIsAssigned = false }, "lunch"));

        Assert.Equal("role.mechanic_not_assigned", e.Rule);
    }

    [Theory]
    [InlineData(null, WorkEventType.Start, true)]
    [InlineData(WorkEventType.Start, WorkEventType.Pause, true)]
    [InlineData(WorkEventType.Pause, WorkEventType.Resume, true)]
    [InlineData(WorkEventType.Pause, WorkEventType.Finish, true)]
    [InlineData(WorkEventType.Finish, WorkEventType.Start, true)]
    [InlineData(null, WorkEventType.Pause, false)]
    [InlineData(WorkEventType.Start, WorkEventType.Start, false)]
    [InlineData(WorkEventType.Start, WorkEventType.Resume, false)]
    [InlineData(WorkEventType.Finish, WorkEventType.Pause, false)]
    public void Work_events_follow_the_timer_sequence(WorkEventType? last, WorkEventType next, bool ok)
    {
        var check = () => WorkTimer.CheckSequence(last, next, runningElsewhere: false, "M-001", "OS-1");

        if (ok)
        {
            check();
        }
        else
        {
            Assert.Equal("work_event.sequence", Assert.Throws<DomainRuleException>(check).Rule);
        }
    }
}

using Microsoft.Playwright;

namespace Millwright.Web.Tests.Operations.Pages;

/// <summary>Stock and purchasing in chromium: a planner orders, a manager approves, goods come in twice, the stock page shows the ledger's count.</summary>
public sealed class StockAppTests : IAsyncLifetime
{
    private ApiHost _host = null!;
    private HttpClient _admin = null!;
    private SmallWorkshop _workshop = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.StartAsync(postgres: false, Ct);
        _admin = await _host.AsAsync("ada", "ADMIN");
        _workshop = await SmallWorkshop.CreateAsync(_admin, Ct);
        await _host.Accounts.CreateUserAsync("paula", TestAccounts.Password, [Identity.AccountRole.Planner], cancellationToken: Ct);
        await _host.Accounts.CreateUserAsync("manu", TestAccounts.Password, [Identity.AccountRole.Manager], cancellationToken: Ct);
        await _host.Accounts.CreateUserAsync("sofia", TestAccounts.Password, [Identity.AccountRole.Supervisor], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_purchase_order_is_created_submitted_approved_received_in_two_parts_and_closed()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var planner = await browser.SignInAsync("paula", TestAccounts.Password);
        await planner.GotoAsync("/purchase-orders");
        await Browser.WaitInteractiveAsync(planner);
        await Browser.SelectAsync(planner, "po-supplier", "Iberia Brake Parts");
        await Browser.SelectAsync(planner, "po-location", "POR-STOCK");
        await Browser.SelectAsync(planner, "po-part-0", "BRK-PAD-SET");
        await planner.Locator("#po-quantity-0").FillAsync("6");
        await planner.Locator("#po-create").ClickAsync();
        var po = planner.Locator("[id^=po-]").Filter(new() { HasText = "DRAFT" }).First;
        await Assertions.Expect(po).ToContainTextAsync("6 SET");
        var id = (await po.GetAttributeAsync("id"))!["po-".Length..];
        await planner.Locator($"#po-submit-{id}").ClickAsync();
        await Assertions.Expect(planner.Locator($"#po-{id}")).ToContainTextAsync("SUBMITTED");
        await Assertions.Expect(planner.Locator($"#po-approve-{id}")).ToHaveCountAsync(0);

        var manager = await browser.SignInAsync("manu", TestAccounts.Password);
        await manager.GotoAsync("/purchase-orders");
        await Browser.WaitInteractiveAsync(manager);
        await manager.Locator($"#po-approve-{id}").ClickAsync();
        await Assertions.Expect(manager.Locator($"#po-{id}")).ToContainTextAsync("APPROVED");

        // The planner's page shows the approval without a reload, then receives 4 now and 2 later.
        await Assertions.Expect(planner.Locator($"#po-{id}")).ToContainTextAsync("APPROVED");
        var line = planner.Locator($"#po-{id} input[id^=receive-]");

        // More than is outstanding is refused with the reason, not quietly cut down to what is left.
        await line.FillAsync("999");
        await planner.Locator($"#po-receive-{id}").ClickAsync();
        await Assertions.Expect(planner.Locator("#po-error")).ToContainTextAsync("6 outstanding; cannot receive 999");
        await Assertions.Expect(planner.Locator($"#po-{id} .mud-chip")).ToHaveTextAsync("APPROVED");
        await line.FillAsync("4");
        await planner.Locator($"#po-receive-{id}").ClickAsync();
        await Assertions.Expect(planner.Locator($"#po-{id}")).ToContainTextAsync("PARTIALLY_RECEIVED");
        await planner.Locator($"#po-{id} input[id^=receive-]").FillAsync("2");
        await planner.Locator($"#po-receive-{id}").ClickAsync();

        // The status chip's whole text: "PARTIALLY_RECEIVED" contains "RECEIVED", so a substring would pass before the second receipt lands.
        await Assertions.Expect(planner.Locator($"#po-{id} .mud-chip")).ToHaveTextAsync("RECEIVED");
        await Browser.ShotAsync(planner, "purchase-orders");

        // Received is still open work (someone closes it); once closed it leaves the open-only list.
        var number = await planner.Locator($"#po-{id} b").First.InnerTextAsync();
        await planner.Locator($"#po-close-{id}").ClickAsync();
        await Assertions.Expect(planner.Locator($"#po-{id}")).ToHaveCountAsync(0);

        // Found again by its number (as typed, without the zeros) once the list is not open-only.
        await planner.Locator("#purchase-search").FillAsync(number[3..].TrimStart('0'));
        await Assertions.Expect(planner.Locator("#purchase-total")).ToHaveTextAsync("No purchase orders match.");
        await planner.GetByLabel("Open only").UncheckAsync();
        await Assertions.Expect(planner.Locator("#purchase-total")).ToHaveTextAsync("1 purchase order matches");
        await Assertions.Expect(planner.Locator($"#po-{id} .mud-chip")).ToHaveTextAsync("CLOSED");

        var balance = (await _admin.GetJsonAsync($"/api/ops/stock-balances?partId={_workshop.Part}&locationId={_workshop.Room}", Ct))["items"]![0]!;
        Assert.Equal(16m, balance["onHand"]!.GetValue<decimal>());
        await planner.GotoAsync("/stock");
        await Browser.WaitInteractiveAsync(planner);
        await Assertions.Expect(planner.Locator("#balances tr", new() { HasTextString = "BRK-PAD-SET" })).ToContainTextAsync("16 SET");
        await Assertions.Expect(planner.Locator("#balances tr", new() { HasTextString = "BRK-PAD-SET" })).ToContainTextAsync("OK");
    }

    [Fact]
    public async Task An_adjustment_needs_a_reason_and_a_role_that_manages_stock_and_shows_in_the_ledger()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var planner = await browser.SignInAsync("paula", TestAccounts.Password);
        await planner.GotoAsync("/stock");
        await Browser.WaitInteractiveAsync(planner);
        await planner.Locator("#balances a", new() { HasTextString = "BRK-PAD-SET" }).ClickAsync();
        await Assertions.Expect(planner.Locator("#ledger")).ToContainTextAsync("opening stock");
        await Assertions.Expect(planner.Locator("#adjust")).ToHaveCountAsync(0);

        var supervisor = await browser.SignInAsync("sofia", TestAccounts.Password);
        await supervisor.GotoAsync("/stock");
        await Browser.WaitInteractiveAsync(supervisor);
        await supervisor.Locator("#balances a", new() { HasTextString = "BRK-PAD-SET" }).ClickAsync();
        await supervisor.Locator("#adjust-delta").FillAsync("-7");
        await supervisor.Locator("#adjust").ClickAsync();
        await Assertions.Expect(supervisor.Locator("#stock-error")).ToContainTextAsync("reason");
        await supervisor.Locator("#adjust-reason").FillAsync("cycle count: 3 sets found");
        await supervisor.Locator("#adjust").ClickAsync();
        await Assertions.Expect(supervisor.Locator("#ledger")).ToContainTextAsync("cycle count: 3 sets found");
        await Assertions.Expect(supervisor.Locator("#balances tr", new() { HasTextString = "BRK-PAD-SET" })).ToContainTextAsync("REORDER");
        await Browser.ShotAsync(supervisor, "stock");
    }
}

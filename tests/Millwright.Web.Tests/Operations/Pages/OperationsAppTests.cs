using Microsoft.Playwright;

namespace Millwright.Web.Tests.Operations.Pages;

/// <summary>
/// The operations web app in Debian's chromium, each person signed in as their own user in their own browser context:
/// an admin makes the users, a planner opens, assigns and schedules an order, a mechanic on a phone works it, a planner
/// invoices it and a supervisor closes it. What each screen shows is checked against the API's view of the store.
/// </summary>
public sealed class OperationsAppTests : IAsyncLifetime
{
    private const string Password = "a long enough password";
    private ApiHost _host = null!;
    private HttpClient _admin = null!;
    private long _part;
    private long _room;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.StartAsync(postgres: false, Ct);
        _admin = await _host.AsAsync("ada", "ADMIN");
        var workshop = await SmallWorkshop.CreateAsync(_admin, Ct);
        (_part, _room) = (workshop.Part, workshop.Room);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_planner_a_mechanic_on_a_phone_and_a_supervisor_take_an_order_from_open_to_closed()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);

        // The admin makes the three users in the browser.
        var admin = await browser.SignInAsync("ada", TestAccounts.Password);
        await admin.GotoAsync("/admin/users");
        await Browser.WaitInteractiveAsync(admin);
        await AddUserAsync(admin, "paula", "PLANNER", null);
        await AddUserAsync(admin, "miguel", "MECHANIC", "Ines Costa");
        await AddUserAsync(admin, "sofia", "SUPERVISOR", null);
        await AddUserAsync(admin, "rui", "MECHANIC", "Rui Lopes");
        await Browser.ShotAsync(admin, "users");

        // The planner opens an order; scheduling it says why it cannot happen yet, before any click.
        var planner = await browser.SignInAsync("paula", Password);
        await Assertions.Expect(planner).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/orders$"));

        // The board's filters fit a 1,400 px screen: nothing pushes the page sideways.
        await Assertions.Expect(planner.GetByText("Asset down")).ToBeVisibleAsync();
        Assert.True(await planner.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the board is wider than the screen");
        await planner.Locator("#new-order").ClickAsync();
        await Browser.AutocompleteAsync(planner, "new-asset", "VAN", "VAN-0001");
        await planner.Locator("#new-description").FillAsync("Grinding noise when braking");
        await planner.Locator("#create-order").ClickAsync();
        await Assertions.Expect(planner).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/orders/\\d+$"));
        var orderId = long.Parse(planner.Url.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        await Assertions.Expect(planner.Locator("#why-SCHEDULE")).ToContainTextAsync("needs an active assignment");
        await Assertions.Expect(planner.Locator("#action-SCHEDULE")).ToBeDisabledAsync();
        await Browser.ShotAsync(planner, "order-open");

        await Browser.SelectAsync(planner, "assign-mechanic", "Ines Costa");
        await planner.Locator("#assign").ClickAsync();
        await Assertions.Expect(planner.Locator("#assignments")).ToContainTextAsync("Ines Costa");
        await planner.Locator("#action-SCHEDULE").ClickAsync();
        await planner.Locator("#action-confirm").ClickAsync();
        await Assertions.Expect(planner.Locator("#order-status")).ToHaveTextAsync("SCHEDULED");

        // The mechanic works it on a phone: start, diagnose, issue a part, finish, complete.
        var mechanic = await browser.SignInAsync("miguel", Password, phone: true);
        await Assertions.Expect(mechanic).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/my$"));
        var job = mechanic.Locator($"#job-{orderId}");
        await Assertions.Expect(job).ToContainTextAsync("Grinding noise");
        await mechanic.Locator($"#work-{orderId}").ClickAsync();
        await Assertions.Expect(mechanic.Locator($"#work-{orderId}")).ToHaveTextAsync("PAUSE");
        await Assertions.Expect(mechanic.Locator($"#timer-{orderId}")).ToBeVisibleAsync();
        await Browser.ShotAsync(mechanic, "mechanic-running");

        // Someone else's change shows on the planner's open page without a reload.
        await Assertions.Expect(planner.Locator("#order-status")).ToHaveTextAsync("IN_PROGRESS");

        await mechanic.Locator($"#show-diagnosis-{orderId}").ClickAsync();
        await Browser.AutocompleteAsync(mechanic, $"code-{orderId}", "brake", "P0571");
        await mechanic.Locator($"#finding-{orderId}").FillAsync("Front pads worn to the backing plate");
        await mechanic.Locator($"#diagnose-{orderId}").ClickAsync();
        await mechanic.Locator($"#show-part-{orderId}").ClickAsync();
        await Browser.AutocompleteAsync(mechanic, $"part-{orderId}", "BRK", "BRK-PAD-SET");
        await mechanic.Locator($"#quantity-{orderId}").FillAsync("2");
        await mechanic.Locator($"#issue-{orderId}").ClickAsync();
        await Assertions.Expect(mechanic.Locator($"#part-{orderId}")).ToHaveValueAsync("");
        await mechanic.Locator($"#finish-{orderId}").ClickAsync();
        await Assertions.Expect(mechanic.Locator($"#work-{orderId}")).ToHaveTextAsync("START");

        await mechanic.GotoAsync($"/orders/{orderId}");
        await Browser.WaitInteractiveAsync(mechanic);
        await mechanic.Locator("#action-COMPLETE").ClickAsync();
        await mechanic.Locator("#resolution-code").FillAsync("REPLACED");
        await mechanic.Locator("#action-confirm").ClickAsync();
        await Assertions.Expect(mechanic.Locator("#order-status")).ToHaveTextAsync("COMPLETED");
        await Browser.ShotAsync(mechanic, "mechanic-order-completed");

        // The stock the order page shows is the ledger's balance.
        var balance = (await _admin.GetJsonAsync($"/api/ops/stock-balances?partId={_part}&locationId={_room}", Ct))["items"]![0]!;
        Assert.Equal(8m, balance["onHand"]!.GetValue<decimal>());
        await Assertions.Expect(planner.Locator("#parts .onhand")).ToHaveTextAsync("8 SET");

        // The planner invoices; the supervisor closes.
        await planner.Locator("#tax-rate").FillAsync("23");
        await planner.Locator("#create-invoice").ClickAsync();
        await planner.Locator("#issue-invoice").ClickAsync();
        await Assertions.Expect(planner.Locator("#invoices")).ToContainTextAsync("ISSUED");

        // On the invoice list the planner finds it by its order's number; voiding asks first, and "Keep it" keeps it.
        var orderNumber = await planner.Locator("h1").InnerTextAsync();
        await planner.GotoAsync("/invoices");
        await Browser.WaitInteractiveAsync(planner);
        await planner.Locator("#invoice-search").FillAsync(orderNumber.Split(' ')[0].ToLowerInvariant());
        await Assertions.Expect(planner.Locator("#invoice-total")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^1 invoice matches, [0-9,]+\\.[0-9]{2} in all$"));
        await Assertions.Expect(planner.Locator("#invoice-list tbody tr")).ToContainTextAsync("ISSUED");
        await planner.Locator("#invoice-list .void-invoice").ClickAsync();
        await planner.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Assertions.Expect(planner.Locator("#invoice-list tbody tr")).ToContainTextAsync("ISSUED");
        await planner.Locator("#invoice-list .void-invoice").ClickAsync();
        await planner.GetByRole(AriaRole.Button, new() { Name = "Void invoice" }).ClickAsync();
        await Assertions.Expect(planner.Locator("#invoice-total")).ToHaveTextAsync("0 invoices match, 0.00 in all");
        await planner.Locator("#invoice-status-VOID").ClickAsync();
        await Assertions.Expect(planner.Locator("#invoice-list tbody tr")).ToContainTextAsync("VOID");
        await Assertions.Expect(planner.Locator("#invoice-list .void-invoice")).ToHaveCountAsync(0);

        // The order is billed anew, and once it is closed its invoice can no longer be voided from the list.
        await planner.GotoAsync($"/orders/{orderId}");
        await Browser.WaitInteractiveAsync(planner);
        await planner.Locator("#tax-rate").FillAsync("23");
        await planner.Locator("#create-invoice").ClickAsync();
        await planner.Locator("#issue-invoice").ClickAsync();
        await Assertions.Expect(planner.Locator("#invoices")).ToContainTextAsync("ISSUED");

        var supervisor = await browser.SignInAsync("sofia", Password);
        await supervisor.GotoAsync($"/orders/{orderId}");
        await Browser.WaitInteractiveAsync(supervisor);
        await supervisor.Locator("#action-CLOSE").ClickAsync();
        await Assertions.Expect(supervisor.Locator("#order-status")).ToHaveTextAsync("CLOSED");
        await Browser.ShotAsync(supervisor, "order-closed");
        await planner.GotoAsync("/invoices");
        await Browser.WaitInteractiveAsync(planner);
        await planner.Locator("#invoice-search").FillAsync(orderNumber.Split(' ')[0]);
        await Assertions.Expect(planner.Locator("#invoice-list tbody tr")).ToContainTextAsync("ISSUED");
        await Assertions.Expect(planner.Locator("#invoice-list .void-invoice")).ToHaveCountAsync(0);
        await Browser.ShotAsync(planner, "invoices");

        var history = (await _admin.GetJsonAsync($"/api/ops/service-order-status-history?serviceOrderId={orderId}&sort=sequence", Ct))["items"]!.AsArray();
        Assert.Equal(["OPEN", "SCHEDULED", "IN_PROGRESS", "COMPLETED", "CLOSED"], history.Select(h => h!["toStatus"]!.GetValue<string>()));
        Assert.Equal(["paula", "paula", "miguel", "miguel", "sofia"], history.Select(h => h!["actor"]!.GetValue<string>()));
        var events = (await _admin.GetJsonAsync($"/api/ops/work-events?serviceOrderId={orderId}", Ct))["items"]!.AsArray();
        Assert.Equal(["START", "FINISH"], events.Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_mechanic_of_another_site_reads_an_order_but_gets_no_actions()
    {
        await _host.Accounts.CreateUserAsync("rui", Password, [Millwright.Identity.AccountRole.Mechanic], await MechanicIdAsync("Rui Lopes"), Ct);
        var asset = (await _admin.GetJsonAsync("/api/ops/assets?code=VAN-0001", Ct))["items"]![0]!.Id();
        var order = (await _admin.OkAsync("/api/ops/service-orders", new { assetId = asset, type = "CORRECTIVE", priority = "HIGH", description = "Charge port loose" }, Ct)).Id();
        await using var browser = await Browser.OpenAsync(_host.Address);

        var rui = await browser.SignInAsync("rui", Password);
        await rui.GotoAsync($"/orders/{order}");
        await Browser.WaitInteractiveAsync(rui);
        await Assertions.Expect(rui.Locator("h1")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("OS-\\d+"));
        await Assertions.Expect(rui.GetByText("belongs to another site")).ToBeVisibleAsync();
        await Assertions.Expect(rui.Locator("[id^=action-]")).ToHaveCountAsync(0);
    }

    private async Task<long> MechanicIdAsync(string name) =>
        (await _admin.GetJsonAsync("/api/ops/mechanics", Ct))["items"]!.AsArray().First(m => m!["name"]!.GetValue<string>() == name)!.Id();

    private static async Task AddUserAsync(IPage page, string name, string role, string? mechanic)
    {
        await page.Locator("#user-name").FillAsync(name);
        await page.Locator("#user-password").FillAsync(Password);
        await Browser.SelectAsync(page, "user-roles", role);
        if (mechanic is not null)
        {
            await Browser.SelectAsync(page, "user-mechanic", mechanic);
        }

        await page.Locator("#add-user").ClickAsync();
        await Assertions.Expect(page.Locator("#user-message")).ToContainTextAsync($"{name} can sign in now");
        await Assertions.Expect(page.Locator("#users")).ToContainTextAsync(name);
    }
}

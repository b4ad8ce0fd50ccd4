using Microsoft.Playwright;

namespace Millwright.Web.Tests.Operations.Pages;

/// <summary>The planner's screen and the app's accessibility in chromium.</summary>
public sealed class PlannerAppTests : IAsyncLifetime
{
    private ApiHost _host = null!;
    private HttpClient _admin = null!;
    private long _order;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _host = await ApiHost.StartAsync(postgres: false, Ct);
        _admin = await _host.AsAsync("ada", "ADMIN");
        await SmallWorkshop.CreateAsync(_admin, Ct);
        var asset = (await _admin.GetJsonAsync("/api/ops/assets?code=VAN-0001", Ct))["items"]![0]!.Id();
        _order = (await _admin.OkAsync("/api/ops/service-orders", new { assetId = asset, type = "CORRECTIVE", priority = "LOW", description = "Wipers smear" }, Ct)).Id();
        await _host.Accounts.CreateUserAsync("paula", TestAccounts.Password, [Identity.AccountRole.Planner], cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task A_planner_raises_the_priority_assigns_the_mechanic_of_the_site_first_in_the_list_and_schedules()
    {
        await using var browser = await Browser.OpenAsync(_host.Address);
        var planner = await browser.SignInAsync("paula", TestAccounts.Password);
        await planner.GotoAsync("/planner");
        await Browser.WaitInteractiveAsync(planner);
        await Assertions.Expect(planner.Locator("#unassigned")).ToContainTextAsync("Wipers smear");

        await Browser.SelectAsync(planner, $"priority-{_order}", "HIGH");
        await planner.Locator($"#pick-{_order}").Locator("xpath=ancestor::div[contains(@class,'mud-select')][1]").ClickAsync();
        await Assertions.Expect(planner.Locator(".mud-popover-open .mud-list-item").First).ToContainTextAsync("Ines Costa · WS-POR · 0 open");
        await planner.Locator(".mud-popover-open .mud-list-item").First.ClickAsync();
        await Browser.ClosePopoversAsync(planner);
        await planner.Locator($"#assign-{_order}").ClickAsync();
        await Assertions.Expect(planner.Locator("#unscheduled")).ToContainTextAsync("Ines Costa");
        await Assertions.Expect(planner.Locator("#unassigned")).Not.ToContainTextAsync("Wipers smear");
        await Browser.ShotAsync(planner, "planner");
        await planner.Locator($"#schedule-{_order}").ClickAsync();
        await Assertions.Expect(planner.Locator($"#schedule-{_order}")).ToHaveCountAsync(0);
        await Assertions.Expect(planner.Locator("#planner-error")).ToHaveCountAsync(0);

        var order = await _admin.GetJsonAsync($"/api/ops/service-orders/{_order}", Ct);
        Assert.Equal(("SCHEDULED", "HIGH"), (order["status"]!.GetValue<string>(), order["priority"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_planner_opens_an_order_for_one_models_proposal_and_dismisses_another()
    {
        var van = (await _admin.GetJsonAsync("/api/ops/assets?code=VAN-0001", Ct))["items"]![0]!.Id();
        var w = _host.Warehouse;
        await w.ExecuteAsync($"""
            create schema if not exists ml;
            create table ml.predicted_orders (predicted_at timestamp, model varchar, version integer, asset varchar, failure_probability double precision, threshold double precision,
                action varchar, order_id bigint, order_number varchar, reason varchar, run_id varchar, evidence varchar);
            insert into ml.predicted_orders values
              (timestamp '2026-12-07 05:30:00', 'fleet_failure_14d', 3, '{van}', 42.5, 30, 'PROPOSED', null, null, null, 'r1', 'Predicted failure risk 42.5 % (threshold 30 %) by model fleet_failure_14d v3 on 2026-12-07. Strongest signals: pack_trend = 6.1 (raises the risk).'),
              (timestamp '2026-12-07 05:30:00', 'fleet_failure_14d', 3, '999999', 31, 30, 'PROPOSED', null, null, null, 'r1', 'Predicted failure risk 31 % (threshold 30 %) by model fleet_failure_14d v3 on 2026-12-07.')
            """, Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);
        var planner = await browser.SignInAsync("paula", TestAccounts.Password);
        await planner.GotoAsync("/planner");
        await Browser.WaitInteractiveAsync(planner);
        await Assertions.Expect(planner.Locator("#proposals")).ToContainTextAsync("VAN-0001");
        await Assertions.Expect(planner.Locator("#proposals")).ToContainTextAsync("pack_trend = 6.1");
        await Assertions.Expect(planner.Locator("#proposals tbody tr").First).ToContainTextAsync("fleet_failure_14d v3");
        await Browser.ShotAsync(planner, "planner-proposals");

        await planner.Locator("#dismiss-fleet_failure_14d-999999").ClickAsync();
        await Assertions.Expect(planner.Locator("#proposals")).Not.ToContainTextAsync("asset 999999");
        await planner.Locator($"#accept-fleet_failure_14d-{van}").ClickAsync();
        await Assertions.Expect(planner.Locator("#proposals")).ToHaveCountAsync(0);
        await Assertions.Expect(planner.Locator("#unassigned")).ToContainTextAsync("Predicted failure risk 42.5 %");

        var predictive = (await _admin.GetJsonAsync("/api/ops/service-orders?type=PREDICTIVE", Ct))["items"]!.AsArray();
        var order = Assert.Single(predictive)!;
        Assert.Equal(van, order["assetId"]!.GetValue<long>());
        Assert.EndsWith("Proposed by the model; accepted by paula.", order["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2L, Convert.ToInt64(await w.QueryScalarAsync("select count(*) from ml.predicted_orders where action in ('ACCEPTED', 'DISMISSED')", Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Every_input_and_button_on_every_screen_has_a_name_a_screen_reader_can_say_and_the_work_button_answers_the_keyboard()
    {
        await _host.Accounts.CreateUserAsync("miguel", TestAccounts.Password, [Identity.AccountRole.Mechanic], await MechanicAsync("Ines Costa"), Ct);
        var admin = await _host.AsAsync("ada", "ADMIN");
        await admin.OkAsync($"/api/ops/service-orders/{_order}/assignments", new { mechanicId = await MechanicAsync("Ines Costa"), role = "LEAD" }, Ct);
        await admin.OkAsync($"/api/ops/service-orders/{_order}/schedule", new { }, Ct);
        await using var browser = await Browser.OpenAsync(_host.Address);

        var page = await browser.SignInAsync("ada", TestAccounts.Password);
        foreach (var path in new[] { "/orders", $"/orders/{_order}", "/planner", "/stock", "/purchase-orders", "/invoices", "/admin/users", "/settings", "/dashboards", "/runs", "/assets", "/pipelines" })
        {
            await page.GotoAsync(path);
            await Browser.WaitInteractiveAsync(page);
            await page.Locator("h1").WaitForAsync();
            var unnamed = await Browser.UnnamedControlsAsync(page);
            Assert.True(unnamed.Length == 0, $"{path}: controls without a name: {string.Join(", ", unnamed)}");
        }

        var mechanic = await browser.SignInAsync("miguel", TestAccounts.Password, phone: true);
        var unnamedOnPhone = await Browser.UnnamedControlsAsync(mechanic);
        Assert.Empty(unnamedOnPhone);
        await mechanic.Locator($"#work-{_order}").FocusAsync();
        await mechanic.Keyboard.PressAsync("Enter");
        await Assertions.Expect(mechanic.Locator($"#work-{_order}")).ToHaveTextAsync("PAUSE");
    }

    [Fact]
    public async Task A_vehicles_page_names_the_order_an_alert_opened_and_dates_its_battery_health_without_crowding()
    {
        var vehicle = (await _admin.GetJsonAsync("/api/ops/vehicles?vin=VF1VANEE000000001", Ct))["items"]![0]!;
        var alert = (await _admin.OkAsync("/api/ops/vehicle-alerts", new { vehicleId = vehicle.Id(), source = "DRIVER", severity = "WARNING", message = "Wipers smear" }, Ct)).Id();
        await _admin.OkAsync($"/api/ops/vehicle-alerts/{alert}/link", new { serviceOrderId = _order }, Ct);
        var pack = (await _admin.OkAsync("/api/ops/battery-packs", new { serial = "PK-VAN-0001", chemistry = "LFP", nominalKwh = 70m }, Ct)).Id();
        for (var month = 1; month <= 12; month++)
        {
            await _admin.OkAsync("/api/ops/battery-health-snapshots", new { batteryPackId = pack, vehicleId = vehicle.Id(), measuredAt = new DateTime(2026, month, 1, 6, 0, 0, DateTimeKind.Utc), stateOfHealthPct = 99m - (month * 0.4m), capacityKwh = 70m, equivalentFullCycles = month * 10m }, Ct);
        }

        await using var browser = await Browser.OpenAsync(_host.Address);
        var planner = await browser.SignInAsync("paula", TestAccounts.Password);
        await planner.GotoAsync($"/assets/{vehicle.Id()}");
        await Browser.WaitInteractiveAsync(planner);
        var number = (await _admin.GetJsonAsync($"/api/ops/service-orders/{_order}", Ct))["number"]!.GetValue<string>();
        await Assertions.Expect(planner.Locator("#alerts a")).ToHaveTextAsync(number);
        await Assertions.Expect(planner.Locator("#alerts a")).ToHaveCSSAsync("color", "rgb(89, 74, 226)"); // a link reads as one: the theme's primary colour
        await Assertions.Expect(planner.Locator("#past-orders tbody")).ToHaveTextAsync("No past orders.");

        // Twelve monthly readings on a half-width chart: dates as people read them, and no label runs into the next.
        var dates = planner.Locator("#health-chart svg text", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("2026$") });
        await Assertions.Expect(dates.First).ToHaveTextAsync("1 Jan 2026");
        var boxes = await dates.EvaluateAllAsync<double[][]>("ts => ts.map(t => { const b = t.getBoundingClientRect(); return [b.left, b.right]; })");
        Assert.InRange(boxes.Length, 3, 12);
        Assert.All(boxes.Zip(boxes.Skip(1)), pair => Assert.True(pair.First[1] < pair.Second[0], $"x labels overlap: {string.Join(" ", boxes.Select(b => $"[{b[0]:0}-{b[1]:0}]"))}"));
        await Browser.ShotAsync(planner, "vehicle-page");
    }

    private async Task<long> MechanicAsync(string name) =>
        (await _admin.GetJsonAsync("/api/ops/mechanics", Ct))["items"]!.AsArray().First(m => m!["name"]!.GetValue<string>() == name)!.Id();
}

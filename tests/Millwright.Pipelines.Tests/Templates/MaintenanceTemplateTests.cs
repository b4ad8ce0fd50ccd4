using System.Globalization;
using Millwright.Modeling;
using Millwright.Modeling.Execution;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests.Templates;

/// <summary>
/// The maintenance template's KPIs on a hand-built fixture (one site, a machine and a vehicle, seven orders over two
/// months) whose expected figures are worked out by hand in the comments, not by the same SQL.
/// </summary>
public sealed class MaintenanceTemplateTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-maintenance-").FullName;
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Pipelines => Path.Combine(_root, "pipelines");

    private WarehouseOptions WarehouseOptions => WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb"));

    public async ValueTask InitializeAsync()
    {
        PipelineTemplates.Create(Pipelines, "maint", "maintenance");
        _warehouse = Warehouses.Open(WarehouseOptions);
        await _warehouse.ExecuteInTransactionAsync(
        [
            "CREATE SCHEMA raw",
            "CREATE TABLE raw.sites (id BIGINT, code VARCHAR, name VARCHAR, kind VARCHAR)",
            "INSERT INTO raw.sites VALUES (1, 'WS-A', 'Workshop A', 'WORKSHOP')",
            "CREATE TABLE raw.assets (id BIGINT, code VARCHAR, name VARCHAR, kind VARCHAR, site_id BIGINT, status VARCHAR, commissioned_at TIMESTAMP)",
            "INSERT INTO raw.assets VALUES (10, 'A-1', 'Press', 'EQUIPMENT', 1, 'ACTIVE', '2026-01-01'), (11, 'A-2', 'Van', 'VEHICLE', 1, 'ACTIVE', '2026-02-01')",
            """
            CREATE TABLE raw.service_orders (id BIGINT, number VARCHAR, asset_id BIGINT, type VARCHAR, priority VARCHAR, status VARCHAR,
                reported_at TIMESTAMP, failure_at TIMESTAMP, asset_down BOOLEAN, downtime_start TIMESTAMP, downtime_end TIMESTAMP,
                scheduled_start TIMESTAMP, due_at TIMESTAMP, estimated_hours DECIMAL(38, 10), rework_count BIGINT,
                started_at TIMESTAMP, completed_at TIMESTAMP, closed_at TIMESTAMP, resolution_code VARCHAR)
            """,
            """
            INSERT INTO raw.service_orders VALUES
              (100, 'OS-100', 10, 'CORRECTIVE', 'HIGH', 'CLOSED', '2026-01-10', '2026-01-10', true, '2026-01-10 00:00', '2026-01-10 10:00', NULL, NULL, 10, 0, '2026-01-10', '2026-01-10 10:00', '2026-01-11', NULL),
              (101, 'OS-101', 10, 'CORRECTIVE', 'HIGH', 'CLOSED', '2026-01-20', '2026-01-20', true, '2026-01-20 00:00', '2026-01-20 20:00', NULL, NULL, 5, 1, '2026-01-20', '2026-01-20 20:00', '2026-01-21', NULL),
              (102, 'OS-102', 10, 'PREVENTIVE', 'LOW', 'CLOSED', '2026-02-01', NULL, false, NULL, NULL, NULL, '2026-02-10', 3, 0, '2026-02-09', '2026-02-09 12:00', '2026-02-10', NULL),
              (103, 'OS-103', 11, 'PREVENTIVE', 'LOW', 'COMPLETED', '2026-02-05', NULL, false, NULL, NULL, NULL, '2026-02-20', 4, 0, '2026-02-25', '2026-02-25 12:00', NULL, NULL),
              (104, 'OS-104', 11, 'CORRECTIVE', 'CRITICAL', 'IN_PROGRESS', '2026-02-27', '2026-02-27', true, '2026-02-27 00:00', NULL, NULL, NULL, 6, 0, '2026-02-27', NULL, NULL, NULL),
              (105, 'OS-105', 10, 'PREDICTIVE', 'MEDIUM', 'CANCELLED', '2026-01-25', NULL, false, NULL, NULL, NULL, NULL, 8, 0, NULL, NULL, NULL, NULL),
              (106, 'OS-106', 10, 'INSPECTION', 'LOW', 'OPEN', '2026-02-15', NULL, false, NULL, NULL, NULL, NULL, 2, 0, NULL, NULL, NULL, NULL)
            """,
            "CREATE TABLE raw.service_order_status_history (id BIGINT, service_order_id BIGINT, to_status VARCHAR, changed_at TIMESTAMP)",
            "INSERT INTO raw.service_order_status_history VALUES (1, 105, 'OPEN', '2026-01-25'), (2, 105, 'CANCELLED', '2026-02-03')",
            "CREATE TABLE raw.labor_entries (id BIGINT, service_order_id BIGINT, mechanic_id BIGINT, started_at TIMESTAMP, ended_at TIMESTAMP, hours DECIMAL(38, 10), hourly_cost DECIMAL(38, 10))",
            "INSERT INTO raw.labor_entries VALUES (1, 100, 7, '2026-01-10 00:00', '2026-01-10 10:00', 10, 30), (2, 101, 7, '2026-01-20 00:00', '2026-01-20 20:00', 20, 30), (3, 102, 8, '2026-02-09 09:00', '2026-02-09 12:00', 3, 40), (4, 103, 8, '2026-02-25 08:00', '2026-02-25 12:00', 4, 40), (5, 104, 7, '2026-02-27 08:00', NULL, NULL, 30)",
            "CREATE TABLE raw.order_parts (id BIGINT, service_order_id BIGINT, part_id BIGINT, quantity_issued DECIMAL(38, 10), quantity_returned DECIMAL(38, 10), unit_cost DECIMAL(38, 10))",
            "INSERT INTO raw.order_parts VALUES (1, 100, 1, 2, 0, 12.50), (2, 101, 2, 3, 1, 100.005), (3, 103, 3, 1, 0, 7.333)",
            "CREATE TABLE raw.vehicle_models (id BIGINT, code VARCHAR, make VARCHAR, name VARCHAR, chemistry VARCHAR, nominal_kwh DECIMAL(38, 10))",
            "INSERT INTO raw.vehicle_models VALUES (1, 'VAN', 'Make', 'Van', 'LFP', 60)",
            "CREATE TABLE raw.battery_packs (id BIGINT, serial VARCHAR)",
            "INSERT INTO raw.battery_packs VALUES (1, 'P-1'), (2, 'P-OLD')",
            "CREATE TABLE raw.vehicles (id BIGINT, vin VARCHAR, model_id BIGINT, model_year BIGINT, odometer_km DECIMAL(38, 10), current_battery_pack_id BIGINT)",
            "INSERT INTO raw.vehicles VALUES (11, 'VIN00000000000011', 1, 2025, 1300, 1)",
            "CREATE TABLE raw.battery_health_snapshots (id BIGINT, battery_pack_id BIGINT, vehicle_id BIGINT, measured_at TIMESTAMP, state_of_health_pct DECIMAL(38, 10), capacity_kwh DECIMAL(38, 10), equivalent_full_cycles DECIMAL(38, 10))",
            "INSERT INTO raw.battery_health_snapshots VALUES (1, 2, 11, '2026-02-01 05:00', 70, 42, 900), (2, 1, 11, '2026-02-01 06:00', 95.0, 57, 10), (3, 1, 11, '2026-02-15 06:00', 94.86, 56.9, 14)",
            "CREATE TABLE raw.telemetry_readings (id BIGINT, vehicle_id BIGINT, recorded_at TIMESTAMP, odometer_km DECIMAL(38, 10), speed_kph DECIMAL(38, 10), state_of_charge_pct DECIMAL(38, 10), pack_temp_c DECIMAL(38, 10), motor_temp_c DECIMAL(38, 10))",
            "INSERT INTO raw.telemetry_readings VALUES (1, 11, '2026-02-10 08:00', 1000, 0, 90, 20, 20), (2, 11, '2026-02-10 18:00', 1100, 50, 40, 30, 40), (3, 11, '2026-02-11 09:00', 1150, 60, 80, 25, 30), (4, 11, '2026-02-11 17:00', 1250, 70, 30, 31, 45), (5, 11, '2026-02-13 12:00', 1300, 40, 60, 22, 25)",
            "CREATE TABLE raw.charge_sessions (id BIGINT, vehicle_id BIGINT, started_at TIMESTAMP, energy_kwh DECIMAL(38, 10))",
            "INSERT INTO raw.charge_sessions VALUES (1, 11, '2026-02-10 20:00', 30), (2, 11, '2026-02-12 20:00', 24)",
            "CREATE TABLE raw.vehicle_alerts (id BIGINT, vehicle_id BIGINT, raised_at TIMESTAMP, service_order_id BIGINT)",
            "INSERT INTO raw.vehicle_alerts VALUES (1, 11, '2026-02-26 10:00', 104), (2, 11, '2026-02-27 10:00', NULL)",
        ], Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<List<Dictionary<string, object?>>> RowsAsync(string sql)
    {
        var rows = new List<Dictionary<string, object?>>();
        await using var result = await _warehouse.QueryAsync(sql, Ct);
        while (await result.ReadAsync(Ct))
        {
            rows.Add(result.Columns.Select((c, i) => (c.Name, Value: result.GetValue(i))).ToDictionary(c => c.Name, c => c.Value));
        }

        return rows;
    }

    private static decimal? D(object? value) => value is null ? null : Math.Round(Convert.ToDecimal(value, CultureInfo.InvariantCulture), 6);

    [Fact]
    public async Task Workshop_and_reliability_kpis_match_the_figures_worked_out_by_hand()
    {
        var project = Path.Combine(Pipelines, "maint");
        var summary = await DbtRunner.RunAsync(DbtCommand.Build, new DbtOptions
        {
            ProjectDir = project,
            Connection = WorkspaceDbt.ConnectionFor(Pipelines, WarehouseOptions, project),
            Vars = "{as_of: '2026-03-01 00:00:00'}",
        }, Ct);
        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Where(r => r.Status is not (NodeStatus.Success or NodeStatus.Pass)).Select(r => $"{r.Name}: {r.Message}")));

        var workshop = await RowsAsync("select * from marts.kpi_workshop order by month");
        Assert.Equal(2, workshop.Count);
        var (jan, feb) = (workshop[0], workshop[1]);

        // January: orders 100 and 101 completed (101 was reworked once); 30 labor hours at 30/h, none planned;
        // parts 2 x 12.50 + (3 - 1) x 100.005 = 225.01; at Feb 1 order 105 (8 h) is open (cancelled only on Feb 3).
        Assert.Equal(("WS-A", 2L, 0.5, 0.0), (jan["site_code"], Convert.ToInt64(jan["orders_completed"], CultureInfo.InvariantCulture), (double)jan["first_time_fix_rate"]!, (double)jan["planned_maintenance_pct"]!));
        Assert.Equal((30m, 900m, 225.01m, 1125.01m), (D(jan["labor_hours"]), D(jan["labor_cost"]), D(jan["parts_cost"]), D(jan["maintenance_cost"])));
        Assert.Equal((1L, 8m, 0L), (Convert.ToInt64(jan["backlog_orders"], CultureInfo.InvariantCulture), D(jan["backlog_hours"]), Convert.ToInt64(jan["pm_due"], CultureInfo.InvariantCulture)));
        Assert.Null(jan["pm_compliance"]);

        // February: 102 and 103 completed, both planned (7 h at 40/h), parts 7.333 -> 7.33; PM due: 102 on time, 103 late;
        // at Mar 1 the backlog is 104 (6 h) and 106 (2 h), 105 having been cancelled.
        Assert.Equal((2L, 1.0, 1.0, 0.5), (Convert.ToInt64(feb["orders_completed"], CultureInfo.InvariantCulture), (double)feb["first_time_fix_rate"]!, (double)feb["planned_maintenance_pct"]!, (double)feb["pm_compliance"]!));
        Assert.Equal((7m, 280m, 7.33m, 287.33m), (D(feb["labor_hours"]), D(feb["labor_cost"]), D(feb["parts_cost"]), D(feb["maintenance_cost"])));
        Assert.Equal((2L, 8m), (Convert.ToInt64(feb["backlog_orders"], CultureInfo.InvariantCulture), D(feb["backlog_hours"])));

        var reliability = (await RowsAsync("select * from marts.kpi_asset_reliability order by asset_code, month")).ToDictionary(r => $"{r["asset_code"]} {r["month"]:yyyy-MM}");
        Assert.Equal(["A-1 2026-01", "A-1 2026-02", "A-2 2026-02"], reliability.Keys.Order(StringComparer.Ordinal));

        // A-1 in January: 744 h, two failures down 10 h and 20 h -> 714 h operating, MTBF 714 / 2, MTTR (10 + 20) / 2.
        var a1 = reliability["A-1 2026-01"];
        Assert.Equal((2L, 714m, 30m, 357m, 15m), (Convert.ToInt64(a1["failures"], CultureInfo.InvariantCulture), D(a1["operating_hours"]), D(a1["downtime_hours"]), D(a1["mtbf_hours"]), D(a1["mttr_hours"])));
        Assert.Equal(714.0 / 744.0, (double)a1["availability"]!, 9);
        Assert.Equal((2L, 30m), (Convert.ToInt64(a1["repairs"], CultureInfo.InvariantCulture), D(a1["repair_hours"])));

        // A-1 in February: 672 h without a failure: no MTBF (nothing to divide by), fully available.
        var a1feb = reliability["A-1 2026-02"];
        Assert.Equal((0L, 672m, (decimal?)null, 1.0), (Convert.ToInt64(a1feb["failures"], CultureInfo.InvariantCulture), D(a1feb["operating_hours"]), D(a1feb["mtbf_hours"]), (double)a1feb["availability"]!));

        // A-2, commissioned Feb 1 (no January row): fails Feb 27 and is still down at the as-of moment (48 h, censored):
        // 624 h operating, MTBF 624 / 1, no repair finished so no MTTR.
        var a2 = reliability["A-2 2026-02"];
        Assert.Equal((1L, 624m, 48m, 624m, (decimal?)null), (Convert.ToInt64(a2["failures"], CultureInfo.InvariantCulture), D(a2["operating_hours"]), D(a2["downtime_hours"]), D(a2["mtbf_hours"]), D(a2["mttr_hours"])));
        Assert.Equal(624.0 / 672.0, (double)a2["availability"]!, 9);
        Assert.Equal((0L, 0m), (Convert.ToInt64(a2["repairs"], CultureInfo.InvariantCulture), D(a2["repair_hours"])));

        // February over both assets, as the workshop dashboard pools it: A-1's 672 h count although it did not fail, so
        // MTBF is (672 + 624) / 1, not A-2's 624 alone; no repair ended, so no MTTR.
        var pooled = Assert.Single(await RowsAsync("select sum(operating_hours) / nullif(sum(failures), 0) as mtbf, sum(repair_hours) / nullif(sum(repairs), 0) as mttr from marts.kpi_asset_reliability where month = date '2026-02-01'"));
        Assert.Equal((1296m, (decimal?)null), (D(pooled["mtbf"]), D(pooled["mttr"])));

        var fleet = (await RowsAsync("select * from marts.kpi_fleet order by month")).ToDictionary(r => $"{r["month"]:yyyy-MM}");
        Assert.Equal(["2026-01", "2026-02"], fleet.Keys);
        // January: the van was not in service yet: no vehicle, no distance, no alert, no battery measurement.
        Assert.Equal((0L, 0m, 0L, (decimal?)null), (Convert.ToInt64(fleet["2026-01"]["vehicles"], CultureInfo.InvariantCulture), D(fleet["2026-01"]["km"]), Convert.ToInt64(fleet["2026-01"]["alerts"], CultureInfo.InvariantCulture), D(fleet["2026-01"]["avg_soh"])));
        // February: the van, available 624 of 672 h; it drove 100 km on the 10th (its first day: 1000 to 1100),
        // 150 on the 11th (1250 less the 10th's 1100) and 50 on the 13th: 300 km; 30 + 24 kWh charged: 18 kWh per
        // 100 km; two alerts, one that became an order. Its latest state of health 94.86 % (the old pack's 70 % was
        // measured earlier); the current pack lost 0.14 points in 14 days: 0.01 a day, 3.6525 a year.
        var fleetFeb = fleet["2026-02"];
        Assert.Equal((1L, 300m, 54m, 18m), (Convert.ToInt64(fleetFeb["vehicles"], CultureInfo.InvariantCulture), D(fleetFeb["km"]), D(fleetFeb["energy_kwh"]), D(fleetFeb["kwh_per_100km"])));
        Assert.Equal(624.0 / 672.0, (double)fleetFeb["availability"]!, 9);
        Assert.Equal((2L, 0.5, 94.86m, 3.65m), (Convert.ToInt64(fleetFeb["alerts"], CultureInfo.InvariantCulture), (double)fleetFeb["alert_to_order_rate"]!, D(fleetFeb["avg_soh"]), D(fleetFeb["soh_fade_per_year"])));

        // Battery health of the pack the van carries: (94.86 - 80) / 3.6525 a year = 48.8 months to 80 %.
        var battery = Assert.Single(await RowsAsync("select * from marts.kpi_battery_health"));
        Assert.Equal(("P-1", 94.86m, 2L, 3.65m, 48.8m, false), ((string)battery["battery_serial"]!, D(battery["soh_pct"]), Convert.ToInt64(battery["measurements"], CultureInfo.InvariantCulture), D(battery["soh_fade_per_year"]), D(battery["months_to_80_pct"]), (bool)battery["below_80_pct"]!));
    }
}

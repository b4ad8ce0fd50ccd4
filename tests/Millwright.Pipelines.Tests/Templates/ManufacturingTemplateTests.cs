using System.Globalization;
using Millwright.Modeling;
using Millwright.Modeling.Execution;
using Millwright.Warehouse;

namespace Millwright.Pipelines.Tests.Templates;

/// <summary>
/// The manufacturing template's ISO 22400-2 figures on a hand-built fixture (a line of two machines, four finished runs
/// and one still going, their state stretches, two completed orders) whose expected values are worked out by hand in
/// the comments, not by the same SQL.
/// </summary>
public sealed class ManufacturingTemplateTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-manufacturing-").FullName;
    private IWarehouse _warehouse = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Pipelines => Path.Combine(_root, "pipelines");

    private string Project => Path.Combine(Pipelines, "plant");

    private WarehouseOptions WarehouseOptions => WarehouseOptions.DuckDb(Path.Combine(_root, "warehouse.duckdb"));

    public async ValueTask InitializeAsync()
    {
        PipelineTemplates.Create(Pipelines, "plant", "manufacturing");
        _warehouse = Warehouses.Open(WarehouseOptions);
        await _warehouse.ExecuteInTransactionAsync(
        [
            "CREATE SCHEMA raw",
            "CREATE TABLE raw.sites (id BIGINT, code VARCHAR, name VARCHAR, kind VARCHAR)",
            "INSERT INTO raw.sites VALUES (1, 'PL-A', 'Plant A', 'PLANT')",
            "CREATE TABLE raw.assets (id BIGINT, code VARCHAR, name VARCHAR, kind VARCHAR, site_id BIGINT, status VARCHAR, commissioned_at TIMESTAMP)",
            "INSERT INTO raw.assets VALUES (10, 'M-1', 'Press', 'EQUIPMENT', 1, 'ACTIVE', '2026-01-01'), (11, 'M-2', 'Welder', 'EQUIPMENT', 1, 'ACTIVE', '2026-01-01'), (20, 'V-1', 'Van', 'VEHICLE', 1, 'ACTIVE', '2026-01-01')",
            "CREATE TABLE raw.production_lines (id BIGINT, code VARCHAR, name VARCHAR, site_id BIGINT)",
            "INSERT INTO raw.production_lines VALUES (1, 'L1', 'Line one', 1)",
            "CREATE TABLE raw.equipment (id BIGINT, line_id BIGINT, ideal_cycle_time_seconds DECIMAL(38, 10), manufacturer VARCHAR, serial_number VARCHAR)",
            "INSERT INTO raw.equipment VALUES (10, 1, 60, 'Acme', 'S1'), (11, 1, 30, 'Acme', 'S2')",
            """
            CREATE TABLE raw.production_runs (id BIGINT, equipment_id BIGINT, product_code VARCHAR, started_at TIMESTAMP, ended_at TIMESTAMP,
                planned_busy_minutes DECIMAL(38, 10), ideal_cycle_time_seconds DECIMAL(38, 10),
                produced_quantity BIGINT, good_quantity BIGINT, scrap_quantity BIGINT, rework_quantity BIGINT)
            """,
            """
            INSERT INTO raw.production_runs VALUES
              (1, 11, 'P', '2026-02-26 06:00', '2026-02-26 14:00', 450, 30, 0, 0, 0, 0),
              (2, 10, 'P', '2026-03-02 06:00', '2026-03-02 14:00', 450, 60, 300, 285, 10, 5),
              (3, 10, 'P', '2026-03-02 14:00', '2026-03-02 22:00', 450, 60, 360, 360, 0, 0),
              (4, 11, 'P', '2026-03-02 06:00', '2026-03-02 14:00', 450, 30, 600, 570, 30, 0),
              (5, 11, 'P', '2026-03-03 06:00', NULL, 450, 30, 0, 0, 0, 0)
            """,
            "CREATE TABLE raw.equipment_state_events (id BIGINT, equipment_id BIGINT, state VARCHAR, started_at TIMESTAMP, ended_at TIMESTAMP, reason_code VARCHAR)",
            """
            INSERT INTO raw.equipment_state_events VALUES
              (1, 11, 'UNPLANNED_DOWN', '2026-02-26 06:00', '2026-02-26 14:00', 'PWF'),
              (2, 11, 'IDLE', '2026-03-02 05:00', '2026-03-02 06:00', NULL),
              (3, 11, 'PRODUCING', '2026-03-02 06:00', '2026-03-02 08:00', NULL),
              (4, 11, 'IDLE', '2026-03-02 08:00', '2026-03-02 09:00', 'MINOR_STOP'),
              (5, 11, 'PRODUCING', '2026-03-02 09:00', NULL, NULL),
              (6, 10, 'SETUP', '2026-03-02 06:00', '2026-03-02 06:30', 'CHANGEOVER'),
              (7, 10, 'PRODUCING', '2026-03-02 06:30', '2026-03-02 10:00', NULL),
              (8, 10, 'PLANNED_DOWN', '2026-03-02 10:00', '2026-03-02 10:30', 'BREAK'),
              (9, 10, 'UNPLANNED_DOWN', '2026-03-02 10:30', '2026-03-02 11:30', 'OSF'),
              (10, 10, 'PRODUCING', '2026-03-02 11:30', '2026-03-02 15:00', NULL),
              (11, 10, 'PLANNED_DOWN', '2026-03-02 15:00', '2026-03-02 15:30', 'BREAK'),
              (12, 10, 'PRODUCING', '2026-03-02 15:30', '2026-03-02 22:00', NULL)
            """,
            "CREATE TABLE raw.vehicle_models (id BIGINT, code VARCHAR, make VARCHAR, name VARCHAR, body_type VARCHAR, chemistry VARCHAR, nominal_kwh DECIMAL(38, 10), rated_range_km BIGINT)",
            "INSERT INTO raw.vehicle_models VALUES (1, 'VAN-1', 'Make', 'Van', 'VAN', 'LFP', 60, 300)",
            "CREATE TABLE raw.vehicles (id BIGINT, vin VARCHAR, model_id BIGINT, model_year BIGINT, odometer_km DECIMAL(38, 10))",
            "INSERT INTO raw.vehicles VALUES (20, 'VIN00000000000001', 1, 2025, 1000)",
            "CREATE TABLE raw.service_orders (id BIGINT, asset_id BIGINT, completed_at TIMESTAMP)",
            "INSERT INTO raw.service_orders VALUES (100, 10, '2026-03-02 12:00'), (101, 20, '2026-03-05 09:00'), (102, 11, NULL)",
            "CREATE TABLE raw.labor_entries (id BIGINT, service_order_id BIGINT, ended_at TIMESTAMP, hours DECIMAL(38, 10), hourly_cost DECIMAL(38, 10))",
            "INSERT INTO raw.labor_entries VALUES (1, 100, '2026-03-02 12:00', 2, 50), (2, 101, '2026-03-05 09:00', 1, 40), (3, 102, '2026-03-03 09:00', 5, 50), (4, 100, NULL, NULL, 50)",
            "CREATE TABLE raw.order_parts (id BIGINT, service_order_id BIGINT, quantity_issued DECIMAL(38, 10), quantity_returned DECIMAL(38, 10), unit_cost DECIMAL(38, 10))",
            "INSERT INTO raw.order_parts VALUES (1, 100, 3, 1, 10), (2, 102, 4, 0, 99)",
        ], Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _warehouse.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Task<DbtRunSummary> BuildAsync(bool fullRefresh = false) => DbtRunner.RunAsync(DbtCommand.Build, new DbtOptions
    {
        ProjectDir = Project,
        Connection = WorkspaceDbt.ConnectionFor(Pipelines, WarehouseOptions, Project),
        FullRefresh = fullRefresh,
    }, Ct);

    private static void AssertSucceeded(DbtRunSummary summary) =>
        Assert.True(summary.Succeeded, string.Join("\n", summary.Results.Where(r => r.Status is not (NodeStatus.Success or NodeStatus.Pass)).Select(r => $"{r.Name}: {r.Message}")));

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

    private static double? R(object? value) => value is null ? null : Math.Round(Convert.ToDouble(value, CultureInfo.InvariantCulture), 6);

    private static long L(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static (double? A, double? P, double? Q, double? Oee) Ratios(Dictionary<string, object?> row) =>
        (R(row["availability"]), R(row["performance"]), R(row["quality"]), R(row["oee"]));

    [Fact]
    public async Task Oee_and_its_parts_per_machine_line_shift_and_month_match_the_figures_worked_out_by_hand()
    {
        AssertSucceeded(await BuildAsync());

        var machines = (await RowsAsync("select * from marts.kpi_oee")).ToDictionary(r => $"{r["machine_code"]} {r["day"]:yyyy-MM-dd}");
        Assert.Equal(["M-1 2026-03-02", "M-2 2026-02-26", "M-2 2026-03-02"], machines.Keys.Order(StringComparer.Ordinal));

        // M-1 on Mar 2, two shifts. Early: setup 30, producing 06:30-10:00 (210) and 11:30-14:00 (150 of a stretch that
        // runs on to 15:00), break 30, breakdown 60: APT 360 of PBT 450. Late: 14:00-15:00 (60) and 15:30-22:00 (390):
        // APT 450. Day: A = 810 / 900 = 0.9; P = (300 + 360) units x 1 min / 810 = 0.814815; Q = 645 / 660 = 0.977273;
        // OEE = 0.9 x 0.814815 x 0.977273 = 0.716667 (= 645 good minutes / 900 planned).
        var m1 = machines["M-1 2026-03-02"];
        Assert.Equal((0.9, 0.814815, 0.977273, 0.716667), Ratios(m1));
        Assert.Equal((2L, 660L, 645L, 10L, 5L), (L(m1["runs"]), L(m1["produced_quantity"]), L(m1["good_quantity"]), L(m1["scrap_quantity"]), L(m1["rework_quantity"])));
        Assert.Equal((810.0, 60.0, 30.0), (R(m1["actual_production_minutes"]), R(m1["unplanned_down_minutes"]), R(m1["setup_minutes"])));

        // M-2 on Mar 2: producing 06:00-08:00 (120), a minor stop 08:00-09:00, producing from 09:00 with no end yet, cut
        // at the run's end (300); the idle hour before 06:00 is outside every run. A = 420 / 450 = 0.933333;
        // P = 600 x 0.5 min / 420 = 0.714286; Q = 570 / 600 = 0.95; OEE = 0.633333 (= 285 good minutes / 450).
        // The run still going on Mar 3 has no row.
        var m2 = machines["M-2 2026-03-02"];
        Assert.Equal((0.933333, 0.714286, 0.95, 0.633333), Ratios(m2));
        Assert.Equal(60.0, R(m2["minor_stop_minutes"]));

        // M-2 on Feb 26: down for the whole shift, nothing produced: A = 0, P and Q undefined, OEE 0.
        Assert.Equal((0.0, (double?)null, (double?)null, 0.0), Ratios(machines["M-2 2026-02-26"]));

        // Line L1 on Mar 2: early shift = M-1's early run + M-2's run: A = (360 + 420) / 900 = 0.866667;
        // P = (300 + 300) / 780 = 0.769231; Q = (285 + 570) / 900 = 0.95; OEE = 0.633333. Late shift = M-1's late run:
        // A = 1, P = 360 / 450 = 0.8, Q = 1, OEE = 0.8.
        var shifts = (await RowsAsync("select * from marts.kpi_oee_line_shift where day = date '2026-03-02'")).ToDictionary(r => (string)r["shift_code"]!);
        Assert.Equal((0.866667, 0.769231, 0.95, 0.633333), Ratios(shifts["A"]));
        Assert.Equal((1.0, 0.8, 1.0, 0.8), Ratios(shifts["B"]));
        Assert.Equal((2L, 1L), (L(shifts["A"]["machines"]), L(shifts["B"]["machines"])));

        // March: PBT 1350, APT 1230, ideal 960 min, 1260 produced, 1215 good, 40 scrap: A = 0.911111, P = 0.780488,
        // Q = 0.964286, OEE = 0.685714, scrap rate 40 / 1260 = 0.031746. Orders completed: 100 on M-1 (2 h x 50 +
        // (3 - 1) x 10 = 120; its open labor entry counts nothing) and 101 on the van (1 h x 40); 102 is not completed.
        var months = (await RowsAsync("select * from marts.mart_executive_kpis order by month")).ToDictionary(r => $"{r["month"]:yyyy-MM}");
        Assert.Equal(["2026-02", "2026-03"], months.Keys);
        var march = months["2026-03"];
        Assert.Equal((0.911111, 0.780488, 0.964286, 0.685714), Ratios(march));
        Assert.Equal(0.031746, R(march["scrap_rate"]));
        Assert.Equal((2L, 160m, 120m, 40m), (L(march["orders_completed"]), (decimal)march["maintenance_cost"]!, (decimal)march["plant_maintenance_cost"]!, (decimal)march["fleet_maintenance_cost"]!));
        Assert.Equal((0.0, 0.0, 0m), (R(months["2026-02"]["availability"]), R(months["2026-02"]["oee"]), (decimal)months["2026-02"]["maintenance_cost"]!));

        // The star: one fact row per finished run, keyed to days from Feb 26 to Mar 5 (the last completed order).
        Assert.Equal(4L, await _warehouse.QueryScalarAsync("select count(*) from marts.fact_production_metrics", Ct));
        Assert.Equal((8L, 20260226L, 20260305L), (
            (long)(await _warehouse.QueryScalarAsync("select count(*) from marts.dim_date", Ct))!,
            Convert.ToInt64(await _warehouse.QueryScalarAsync("select min(date_key) from marts.dim_date", Ct), CultureInfo.InvariantCulture),
            Convert.ToInt64(await _warehouse.QueryScalarAsync("select max(date_key) from marts.dim_date", Ct), CultureInfo.InvariantCulture)));
        Assert.Equal(3L, await _warehouse.QueryScalarAsync("select count(*) from marts.dim_shift", Ct));
    }

    [Fact]
    public async Task The_fact_is_incremental_a_new_run_is_added_without_reprocessing_older_runs_until_a_full_refresh()
    {
        AssertSucceeded(await BuildAsync());
        await _warehouse.ExecuteInTransactionAsync(
        [
            // A correction to a run older than the one-day window, and a new run on Mar 4.
            "UPDATE raw.production_runs SET planned_busy_minutes = 480 WHERE id = 1",
            "INSERT INTO raw.production_runs VALUES (6, 10, 'P', '2026-03-04 06:00', '2026-03-04 14:00', 450, 60, 400, 400, 0, 0)",
            "INSERT INTO raw.equipment_state_events VALUES (13, 10, 'PLANNED_DOWN', '2026-03-04 06:00', '2026-03-04 06:30', 'BREAK'), (14, 10, 'PRODUCING', '2026-03-04 06:30', '2026-03-04 14:00', NULL)",
        ], Ct);

        AssertSucceeded(await BuildAsync());

        Assert.Equal(5L, await _warehouse.QueryScalarAsync("select count(*) from marts.fact_production_metrics", Ct));
        Assert.Equal((1.0, 0.888889), (R(await _warehouse.QueryScalarAsync("select availability from marts.fact_production_metrics where run_id = 6", Ct)), R(await _warehouse.QueryScalarAsync("select performance from marts.fact_production_metrics where run_id = 6", Ct))));
        Assert.Equal(450m, Convert.ToDecimal(await _warehouse.QueryScalarAsync("select planned_busy_minutes from marts.fact_production_metrics where run_id = 1", Ct), CultureInfo.InvariantCulture));

        AssertSucceeded(await BuildAsync(fullRefresh: true));

        Assert.Equal(480m, Convert.ToDecimal(await _warehouse.QueryScalarAsync("select planned_busy_minutes from marts.fact_production_metrics where run_id = 1", Ct), CultureInfo.InvariantCulture));
    }
}

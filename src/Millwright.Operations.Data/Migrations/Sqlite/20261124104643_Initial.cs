using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Millwright.Operations.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    entity_type = table.Column<string>(type: "TEXT", nullable: false),
                    entity_id = table.Column<long>(type: "INTEGER", nullable: false),
                    action = table.Column<string>(type: "TEXT", nullable: false),
                    before = table.Column<string>(type: "TEXT", nullable: true),
                    after = table.Column<string>(type: "TEXT", nullable: true),
                    correlation_id = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "battery_packs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    serial = table.Column<string>(type: "TEXT", nullable: false),
                    chemistry = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    nominal_kwh = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    manufactured_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_battery_packs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "change_feed",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    table = table.Column<string>(type: "TEXT", nullable: false),
                    entity_id = table.Column<long>(type: "INTEGER", nullable: false),
                    operation = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_feed", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "cost_centers",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_cost_centers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", nullable: true),
                    phone = table.Column<string>(type: "TEXT", nullable: true),
                    is_fleet = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "diagnostic_codes",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    system = table.Column<string>(type: "TEXT", nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_diagnostic_codes", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    key = table.Column<string>(type: "TEXT", nullable: false),
                    scope = table.Column<string>(type: "TEXT", nullable: false),
                    status_code = table.Column<int>(type: "INTEGER", nullable: false),
                    response = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "parts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    sku = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    unit = table.Column<string>(type: "TEXT", nullable: false),
                    category = table.Column<string>(type: "TEXT", nullable: true),
                    standard_cost = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    reorder_point = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    reorder_quantity = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_parts", x => x.id);
                    table.CheckConstraint("ck_parts_costs", "standard_cost >= 0 AND reorder_point >= 0 AND reorder_quantity >= 0");
                });

            migrationBuilder.CreateTable(
                name: "suppliers",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    email = table.Column<string>(type: "TEXT", nullable: true),
                    lead_time_days = table.Column<int>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_suppliers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "vehicle_models",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    make = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    body_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    chemistry = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    nominal_kwh = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    rated_range_km = table.Column<int>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vehicle_models", x => x.id);
                    table.CheckConstraint("ck_vehicle_models_nominal_kwh", "nominal_kwh > 0");
                });

            migrationBuilder.CreateTable(
                name: "sites",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    cost_center_id = table.Column<long>(type: "INTEGER", nullable: true),
                    time_zone = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sites", x => x.id);
                    table.ForeignKey(
                        name: "fk_sites_cost_center_id",
                        column: x => x.cost_center_id,
                        principalTable: "cost_centers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "supplier_parts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    supplier_id = table.Column<long>(type: "INTEGER", nullable: false),
                    part_id = table.Column<long>(type: "INTEGER", nullable: false),
                    supplier_sku = table.Column<string>(type: "TEXT", nullable: true),
                    unit_price = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    lead_time_days = table.Column<int>(type: "INTEGER", nullable: false),
                    is_preferred = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_supplier_parts", x => x.id);
                    table.ForeignKey(
                        name: "fk_supplier_parts_part_id",
                        column: x => x.part_id,
                        principalTable: "parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_supplier_parts_supplier_id",
                        column: x => x.supplier_id,
                        principalTable: "suppliers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "assets",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    site_id = table.Column<long>(type: "INTEGER", nullable: false),
                    cost_center_id = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    commissioned_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assets", x => x.id);
                    table.ForeignKey(
                        name: "fk_assets_cost_center_id",
                        column: x => x.cost_center_id,
                        principalTable: "cost_centers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_assets_site_id",
                        column: x => x.site_id,
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "mechanics",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    employee_number = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    site_id = table.Column<long>(type: "INTEGER", nullable: false),
                    hourly_cost = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    billable_rate = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mechanics", x => x.id);
                    table.ForeignKey(
                        name: "fk_mechanics_site_id",
                        column: x => x.site_id,
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "production_lines",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    site_id = table.Column<long>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_production_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_production_lines_site_id",
                        column: x => x.site_id,
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_locations",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    site_id = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_locations", x => x.id);
                    table.ForeignKey(
                        name: "fk_stock_locations_site_id",
                        column: x => x.site_id,
                        principalTable: "sites",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "pm_plans",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    code = table.Column<string>(type: "TEXT", nullable: false),
                    name = table.Column<string>(type: "TEXT", nullable: false),
                    asset_id = table.Column<long>(type: "INTEGER", nullable: true),
                    vehicle_model_id = table.Column<long>(type: "INTEGER", nullable: true),
                    interval_km = table.Column<int>(type: "INTEGER", nullable: true),
                    interval_days = table.Column<int>(type: "INTEGER", nullable: true),
                    interval_cycles = table.Column<int>(type: "INTEGER", nullable: true),
                    estimated_hours = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    is_active = table.Column<bool>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pm_plans", x => x.id);
                    table.CheckConstraint("ck_pm_plans_interval", "interval_km IS NOT NULL OR interval_days IS NOT NULL OR interval_cycles IS NOT NULL");
                    table.ForeignKey(
                        name: "fk_pm_plans_asset_id",
                        column: x => x.asset_id,
                        principalTable: "assets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_pm_plans_vehicle_model_id",
                        column: x => x.vehicle_model_id,
                        principalTable: "vehicle_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "vehicles",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    vin = table.Column<string>(type: "TEXT", nullable: false),
                    model_id = table.Column<long>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: true),
                    model_year = table.Column<int>(type: "INTEGER", nullable: false),
                    plate = table.Column<string>(type: "TEXT", nullable: true),
                    odometer_km = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    current_battery_pack_id = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vehicles", x => x.id);
                    table.CheckConstraint("ck_vehicles_odometer_km", "odometer_km >= 0");
                    table.CheckConstraint("ck_vehicles_vin", "length(vin) = 17");
                    table.ForeignKey(
                        name: "fk_vehicles_current_battery_pack_id",
                        column: x => x.current_battery_pack_id,
                        principalTable: "battery_packs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vehicles_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vehicles_id",
                        column: x => x.id,
                        principalTable: "assets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vehicles_model_id",
                        column: x => x.model_id,
                        principalTable: "vehicle_models",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "mechanic_skills",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    mechanic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    skill = table.Column<string>(type: "TEXT", nullable: false),
                    level = table.Column<int>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mechanic_skills", x => x.id);
                    table.CheckConstraint("ck_mechanic_skills_level", "level BETWEEN 1 AND 5");
                    table.ForeignKey(
                        name: "fk_mechanic_skills_mechanic_id",
                        column: x => x.mechanic_id,
                        principalTable: "mechanics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "equipment",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false),
                    line_id = table.Column<long>(type: "INTEGER", nullable: false),
                    ideal_cycle_time_seconds = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    manufacturer = table.Column<string>(type: "TEXT", nullable: true),
                    serial_number = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_equipment", x => x.id);
                    table.CheckConstraint("ck_equipment_ideal_cycle_time", "ideal_cycle_time_seconds > 0");
                    table.ForeignKey(
                        name: "fk_equipment_id",
                        column: x => x.id,
                        principalTable: "assets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_equipment_line_id",
                        column: x => x.line_id,
                        principalTable: "production_lines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "purchase_orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    number = table.Column<string>(type: "TEXT", nullable: false),
                    supplier_id = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    receive_location_id = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    submitted_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    approved_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    expected_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    note = table.Column<string>(type: "TEXT", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchase_orders", x => x.id);
                    table.ForeignKey(
                        name: "fk_purchase_orders_receive_location_id",
                        column: x => x.receive_location_id,
                        principalTable: "stock_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_purchase_orders_supplier_id",
                        column: x => x.supplier_id,
                        principalTable: "suppliers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "stock_balances",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    part_id = table.Column<long>(type: "INTEGER", nullable: false),
                    location_id = table.Column<long>(type: "INTEGER", nullable: false),
                    on_hand = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    reserved = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stock_balances", x => x.id);
                    table.CheckConstraint("ck_stock_balances_quantities", "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand");
                    table.ForeignKey(
                        name: "fk_stock_balances_location_id",
                        column: x => x.location_id,
                        principalTable: "stock_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_stock_balances_part_id",
                        column: x => x.part_id,
                        principalTable: "parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    number = table.Column<string>(type: "TEXT", nullable: false),
                    asset_id = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    priority = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    reported_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    failure_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    asset_down = table.Column<bool>(type: "INTEGER", nullable: false),
                    downtime_start = table.Column<DateTime>(type: "TEXT", nullable: true),
                    downtime_end = table.Column<DateTime>(type: "TEXT", nullable: true),
                    scheduled_start = table.Column<DateTime>(type: "TEXT", nullable: true),
                    due_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    estimated_hours = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    resolution_code = table.Column<string>(type: "TEXT", nullable: true),
                    resolution_notes = table.Column<string>(type: "TEXT", nullable: true),
                    parent_order_id = table.Column<long>(type: "INTEGER", nullable: true),
                    pm_plan_id = table.Column<long>(type: "INTEGER", nullable: true),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: true),
                    is_billable = table.Column<bool>(type: "INTEGER", nullable: false),
                    hold_reason = table.Column<string>(type: "TEXT", nullable: true),
                    rework_count = table.Column<int>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    closed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    status_sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_orders", x => x.id);
                    table.CheckConstraint("ck_service_orders_downtime", "downtime_end IS NULL OR (downtime_start IS NOT NULL AND downtime_end >= downtime_start)");
                    table.CheckConstraint("ck_service_orders_estimated_hours", "estimated_hours >= 0");
                    table.ForeignKey(
                        name: "fk_service_orders_asset_id",
                        column: x => x.asset_id,
                        principalTable: "assets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_service_orders_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_service_orders_parent_order_id",
                        column: x => x.parent_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_service_orders_pm_plan_id",
                        column: x => x.pm_plan_id,
                        principalTable: "pm_plans",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "battery_health_snapshots",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    battery_pack_id = table.Column<long>(type: "INTEGER", nullable: false),
                    vehicle_id = table.Column<long>(type: "INTEGER", nullable: true),
                    measured_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    state_of_health_pct = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    capacity_kwh = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    equivalent_full_cycles = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_battery_health_snapshots", x => x.id);
                    table.CheckConstraint("ck_battery_health_snapshots_soh", "state_of_health_pct >= 0 AND state_of_health_pct <= 120");
                    table.ForeignKey(
                        name: "fk_battery_health_snapshots_battery_pack_id",
                        column: x => x.battery_pack_id,
                        principalTable: "battery_packs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_battery_health_snapshots_vehicle_id",
                        column: x => x.vehicle_id,
                        principalTable: "vehicles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "charge_sessions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    vehicle_id = table.Column<long>(type: "INTEGER", nullable: false),
                    charger_type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    energy_kwh = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    start_soc_pct = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    end_soc_pct = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    max_pack_temp_c = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_charge_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_charge_sessions_vehicle_id",
                        column: x => x.vehicle_id,
                        principalTable: "vehicles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "telemetry_readings",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    vehicle_id = table.Column<long>(type: "INTEGER", nullable: false),
                    recorded_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    odometer_km = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    speed_kph = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    state_of_charge_pct = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    pack_voltage = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    pack_current = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    pack_temp_c = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    motor_temp_c = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_telemetry_readings", x => x.id);
                    table.ForeignKey(
                        name: "fk_telemetry_readings_vehicle_id",
                        column: x => x.vehicle_id,
                        principalTable: "vehicles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "equipment_state_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    equipment_id = table.Column<long>(type: "INTEGER", nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    reason_code = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_equipment_state_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_equipment_state_events_equipment_id",
                        column: x => x.equipment_id,
                        principalTable: "equipment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "production_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    equipment_id = table.Column<long>(type: "INTEGER", nullable: false),
                    product_code = table.Column<string>(type: "TEXT", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    planned_busy_minutes = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    ideal_cycle_time_seconds = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    produced_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    good_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    scrap_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    rework_quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_production_runs", x => x.id);
                    table.CheckConstraint("ck_production_runs_quantities", "good_quantity >= 0 AND scrap_quantity >= 0 AND rework_quantity >= 0 AND good_quantity + scrap_quantity + rework_quantity = produced_quantity");
                    table.ForeignKey(
                        name: "fk_production_runs_equipment_id",
                        column: x => x.equipment_id,
                        principalTable: "equipment",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "purchase_order_lines",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    purchase_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    line_number = table.Column<int>(type: "INTEGER", nullable: false),
                    part_id = table.Column<long>(type: "INTEGER", nullable: false),
                    quantity_ordered = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    quantity_received = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    unit_price = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_purchase_order_lines", x => x.id);
                    table.CheckConstraint("ck_purchase_order_lines_quantities", "quantity_ordered > 0 AND quantity_received >= 0 AND quantity_received <= quantity_ordered");
                    table.ForeignKey(
                        name: "fk_purchase_order_lines_part_id",
                        column: x => x.part_id,
                        principalTable: "parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_purchase_order_lines_purchase_order_id",
                        column: x => x.purchase_order_id,
                        principalTable: "purchase_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "assignments",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    mechanic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    assigned_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    released_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    assigned_by = table.Column<string>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assignments", x => x.id);
                    table.ForeignKey(
                        name: "fk_assignments_mechanic_id",
                        column: x => x.mechanic_id,
                        principalTable: "mechanics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_assignments_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "battery_pack_installations",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    battery_pack_id = table.Column<long>(type: "INTEGER", nullable: false),
                    vehicle_id = table.Column<long>(type: "INTEGER", nullable: false),
                    installed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    removed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    odometer_km_at_install = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_battery_pack_installations", x => x.id);
                    table.ForeignKey(
                        name: "fk_battery_pack_installations_battery_pack_id",
                        column: x => x.battery_pack_id,
                        principalTable: "battery_packs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_battery_pack_installations_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_battery_pack_installations_vehicle_id",
                        column: x => x.vehicle_id,
                        principalTable: "vehicles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "diagnoses",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    diagnostic_code_id = table.Column<long>(type: "INTEGER", nullable: true),
                    mechanic_id = table.Column<long>(type: "INTEGER", nullable: true),
                    finding = table.Column<string>(type: "TEXT", nullable: false),
                    root_cause = table.Column<string>(type: "TEXT", nullable: true),
                    diagnosed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_diagnoses", x => x.id);
                    table.ForeignKey(
                        name: "fk_diagnoses_diagnostic_code_id",
                        column: x => x.diagnostic_code_id,
                        principalTable: "diagnostic_codes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_diagnoses_mechanic_id",
                        column: x => x.mechanic_id,
                        principalTable: "mechanics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_diagnoses_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invoices",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    number = table.Column<string>(type: "TEXT", nullable: false),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    issued_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    subtotal = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    tax_rate = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    tax = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    total = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoices", x => x.id);
                    table.CheckConstraint("ck_invoices_total", "total = subtotal + tax");
                    table.ForeignKey(
                        name: "fk_invoices_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_invoices_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "order_parts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    part_id = table.Column<long>(type: "INTEGER", nullable: false),
                    location_id = table.Column<long>(type: "INTEGER", nullable: false),
                    quantity_reserved = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    quantity_issued = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    quantity_returned = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    unit_cost = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_parts", x => x.id);
                    table.CheckConstraint("ck_order_parts_quantities", "quantity_reserved >= 0 AND quantity_issued >= 0 AND quantity_returned >= 0 AND quantity_returned <= quantity_issued");
                    table.ForeignKey(
                        name: "fk_order_parts_location_id",
                        column: x => x.location_id,
                        principalTable: "stock_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_order_parts_part_id",
                        column: x => x.part_id,
                        principalTable: "parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_order_parts_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_order_status_history",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    sequence = table.Column<int>(type: "INTEGER", nullable: false),
                    from_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    to_status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_order_status_history", x => x.id);
                    table.ForeignKey(
                        name: "fk_service_order_status_history_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "vehicle_alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    vehicle_id = table.Column<long>(type: "INTEGER", nullable: false),
                    diagnostic_code_id = table.Column<long>(type: "INTEGER", nullable: true),
                    source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    message = table.Column<string>(type: "TEXT", nullable: false),
                    raised_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    cleared_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vehicle_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_vehicle_alerts_diagnostic_code_id",
                        column: x => x.diagnostic_code_id,
                        principalTable: "diagnostic_codes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vehicle_alerts_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vehicle_alerts_vehicle_id",
                        column: x => x.vehicle_id,
                        principalTable: "vehicles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "work_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    mechanic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_work_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_work_events_mechanic_id",
                        column: x => x.mechanic_id,
                        principalTable: "mechanics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_work_events_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invoice_lines",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    invoice_id = table.Column<long>(type: "INTEGER", nullable: false),
                    line_number = table.Column<int>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    description = table.Column<string>(type: "TEXT", nullable: false),
                    quantity = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    unit_price = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    amount = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invoice_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_invoice_lines_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "inventory_movements",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    part_id = table.Column<long>(type: "INTEGER", nullable: false),
                    from_location_id = table.Column<long>(type: "INTEGER", nullable: false),
                    to_location_id = table.Column<long>(type: "INTEGER", nullable: false),
                    quantity = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    unit_cost = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: true),
                    order_part_id = table.Column<long>(type: "INTEGER", nullable: true),
                    purchase_order_line_id = table.Column<long>(type: "INTEGER", nullable: true),
                    reversal_of_id = table.Column<long>(type: "INTEGER", nullable: true),
                    actor = table.Column<string>(type: "TEXT", nullable: false),
                    note = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inventory_movements", x => x.id);
                    table.CheckConstraint("ck_inventory_movements_issue_order", "type NOT IN ('ISSUE_TO_ORDER', 'RETURN_FROM_ORDER') OR service_order_id IS NOT NULL");
                    table.CheckConstraint("ck_inventory_movements_locations", "from_location_id <> to_location_id");
                    table.CheckConstraint("ck_inventory_movements_quantity", "quantity > 0");
                    table.CheckConstraint("ck_inventory_movements_receipt_line", "type <> 'RECEIPT' OR purchase_order_line_id IS NOT NULL");
                    table.ForeignKey(
                        name: "fk_inventory_movements_from_location_id",
                        column: x => x.from_location_id,
                        principalTable: "stock_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_order_part_id",
                        column: x => x.order_part_id,
                        principalTable: "order_parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_part_id",
                        column: x => x.part_id,
                        principalTable: "parts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_purchase_order_line_id",
                        column: x => x.purchase_order_line_id,
                        principalTable: "purchase_order_lines",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_reversal_of_id",
                        column: x => x.reversal_of_id,
                        principalTable: "inventory_movements",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_inventory_movements_to_location_id",
                        column: x => x.to_location_id,
                        principalTable: "stock_locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "labor_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    service_order_id = table.Column<long>(type: "INTEGER", nullable: false),
                    mechanic_id = table.Column<long>(type: "INTEGER", nullable: false),
                    started_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ended_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    hours = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: true),
                    hourly_cost = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    billable_rate = table.Column<decimal>(type: "NUMERIC", precision: 18, scale: 4, nullable: false),
                    start_event_id = table.Column<long>(type: "INTEGER", nullable: false),
                    end_event_id = table.Column<long>(type: "INTEGER", nullable: true),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_labor_entries", x => x.id);
                    table.CheckConstraint("ck_labor_entries_interval", "ended_at IS NULL OR ended_at >= started_at");
                    table.ForeignKey(
                        name: "fk_labor_entries_end_event_id",
                        column: x => x.end_event_id,
                        principalTable: "work_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_labor_entries_mechanic_id",
                        column: x => x.mechanic_id,
                        principalTable: "mechanics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_labor_entries_service_order_id",
                        column: x => x.service_order_id,
                        principalTable: "service_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_labor_entries_start_event_id",
                        column: x => x.start_event_id,
                        principalTable: "work_events",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_assets_cost_center_id",
                table: "assets",
                column: "cost_center_id");

            migrationBuilder.CreateIndex(
                name: "ix_assets_site_id",
                table: "assets",
                column: "site_id");

            migrationBuilder.CreateIndex(
                name: "ux_assets_code",
                table: "assets",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_assignments_mechanic_id",
                table: "assignments",
                column: "mechanic_id");

            migrationBuilder.CreateIndex(
                name: "ux_assignments_service_order_id_mechanic_id",
                table: "assignments",
                columns: new[] { "service_order_id", "mechanic_id" },
                unique: true,
                filter: "released_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_audit_log_entity_type_entity_id",
                table: "audit_log",
                columns: new[] { "entity_type", "entity_id" });

            migrationBuilder.CreateIndex(
                name: "ix_battery_health_snapshots_battery_pack_id",
                table: "battery_health_snapshots",
                column: "battery_pack_id");

            migrationBuilder.CreateIndex(
                name: "ix_battery_health_snapshots_vehicle_id",
                table: "battery_health_snapshots",
                column: "vehicle_id");

            migrationBuilder.CreateIndex(
                name: "ix_battery_pack_installations_service_order_id",
                table: "battery_pack_installations",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ux_battery_pack_installations_battery_pack_id",
                table: "battery_pack_installations",
                column: "battery_pack_id",
                unique: true,
                filter: "removed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_battery_pack_installations_vehicle_id",
                table: "battery_pack_installations",
                column: "vehicle_id",
                unique: true,
                filter: "removed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_battery_packs_serial",
                table: "battery_packs",
                column: "serial",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_charge_sessions_vehicle_id",
                table: "charge_sessions",
                column: "vehicle_id");

            migrationBuilder.CreateIndex(
                name: "ux_cost_centers_code",
                table: "cost_centers",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_customers_code",
                table: "customers",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_diagnoses_diagnostic_code_id",
                table: "diagnoses",
                column: "diagnostic_code_id");

            migrationBuilder.CreateIndex(
                name: "ix_diagnoses_mechanic_id",
                table: "diagnoses",
                column: "mechanic_id");

            migrationBuilder.CreateIndex(
                name: "ix_diagnoses_service_order_id",
                table: "diagnoses",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ux_diagnostic_codes_code",
                table: "diagnostic_codes",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_equipment_line_id",
                table: "equipment",
                column: "line_id");

            migrationBuilder.CreateIndex(
                name: "ix_equipment_state_events_equipment_id_started_at",
                table: "equipment_state_events",
                columns: new[] { "equipment_id", "started_at" });

            migrationBuilder.CreateIndex(
                name: "ux_idempotency_keys_scope_key",
                table: "idempotency_keys",
                columns: new[] { "scope", "key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_from_location_id",
                table: "inventory_movements",
                column: "from_location_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_occurred_at",
                table: "inventory_movements",
                column: "occurred_at");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_order_part_id",
                table: "inventory_movements",
                column: "order_part_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_part_id",
                table: "inventory_movements",
                column: "part_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_purchase_order_line_id",
                table: "inventory_movements",
                column: "purchase_order_line_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_service_order_id",
                table: "inventory_movements",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_inventory_movements_to_location_id",
                table: "inventory_movements",
                column: "to_location_id");

            migrationBuilder.CreateIndex(
                name: "ux_inventory_movements_reversal_of_id",
                table: "inventory_movements",
                column: "reversal_of_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_invoice_lines_invoice_id_line_number",
                table: "invoice_lines",
                columns: new[] { "invoice_id", "line_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_invoices_customer_id",
                table: "invoices",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_invoices_service_order_id",
                table: "invoices",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ux_invoices_number",
                table: "invoices",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_labor_entries_end_event_id",
                table: "labor_entries",
                column: "end_event_id");

            migrationBuilder.CreateIndex(
                name: "ix_labor_entries_service_order_id",
                table: "labor_entries",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_labor_entries_start_event_id",
                table: "labor_entries",
                column: "start_event_id");

            migrationBuilder.CreateIndex(
                name: "ux_labor_entries_mechanic_id",
                table: "labor_entries",
                column: "mechanic_id",
                unique: true,
                filter: "ended_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_mechanic_skills_mechanic_id_skill",
                table: "mechanic_skills",
                columns: new[] { "mechanic_id", "skill" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_mechanics_site_id",
                table: "mechanics",
                column: "site_id");

            migrationBuilder.CreateIndex(
                name: "ux_mechanics_employee_number",
                table: "mechanics",
                column: "employee_number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_order_parts_location_id",
                table: "order_parts",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_order_parts_part_id",
                table: "order_parts",
                column: "part_id");

            migrationBuilder.CreateIndex(
                name: "ux_order_parts_service_order_id_part_id_location_id",
                table: "order_parts",
                columns: new[] { "service_order_id", "part_id", "location_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_parts_sku",
                table: "parts",
                column: "sku",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pm_plans_asset_id",
                table: "pm_plans",
                column: "asset_id");

            migrationBuilder.CreateIndex(
                name: "ix_pm_plans_vehicle_model_id",
                table: "pm_plans",
                column: "vehicle_model_id");

            migrationBuilder.CreateIndex(
                name: "ux_pm_plans_code",
                table: "pm_plans",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_production_lines_site_id",
                table: "production_lines",
                column: "site_id");

            migrationBuilder.CreateIndex(
                name: "ux_production_lines_code",
                table: "production_lines",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_production_runs_equipment_id",
                table: "production_runs",
                column: "equipment_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_order_lines_part_id",
                table: "purchase_order_lines",
                column: "part_id");

            migrationBuilder.CreateIndex(
                name: "ux_purchase_order_lines_purchase_order_id_line_number",
                table: "purchase_order_lines",
                columns: new[] { "purchase_order_id", "line_number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_receive_location_id",
                table: "purchase_orders",
                column: "receive_location_id");

            migrationBuilder.CreateIndex(
                name: "ix_purchase_orders_supplier_id",
                table: "purchase_orders",
                column: "supplier_id");

            migrationBuilder.CreateIndex(
                name: "ux_purchase_orders_number",
                table: "purchase_orders",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_service_order_status_history_service_order_id_sequence",
                table: "service_order_status_history",
                columns: new[] { "service_order_id", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_service_orders_asset_id",
                table: "service_orders",
                column: "asset_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_orders_customer_id",
                table: "service_orders",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_orders_parent_order_id",
                table: "service_orders",
                column: "parent_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_orders_pm_plan_id",
                table: "service_orders",
                column: "pm_plan_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_orders_status",
                table: "service_orders",
                column: "status");

            migrationBuilder.CreateIndex(
                name: "ux_service_orders_number",
                table: "service_orders",
                column: "number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sites_cost_center_id",
                table: "sites",
                column: "cost_center_id");

            migrationBuilder.CreateIndex(
                name: "ux_sites_code",
                table: "sites",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_balances_location_id",
                table: "stock_balances",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ux_stock_balances_part_id_location_id",
                table: "stock_balances",
                columns: new[] { "part_id", "location_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_stock_locations_site_id",
                table: "stock_locations",
                column: "site_id");

            migrationBuilder.CreateIndex(
                name: "ux_stock_locations_code",
                table: "stock_locations",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_supplier_parts_part_id",
                table: "supplier_parts",
                column: "part_id");

            migrationBuilder.CreateIndex(
                name: "ux_supplier_parts_supplier_id_part_id",
                table: "supplier_parts",
                columns: new[] { "supplier_id", "part_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_suppliers_code",
                table: "suppliers",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_telemetry_readings_vehicle_id_recorded_at",
                table: "telemetry_readings",
                columns: new[] { "vehicle_id", "recorded_at" });

            migrationBuilder.CreateIndex(
                name: "ix_vehicle_alerts_diagnostic_code_id",
                table: "vehicle_alerts",
                column: "diagnostic_code_id");

            migrationBuilder.CreateIndex(
                name: "ix_vehicle_alerts_service_order_id",
                table: "vehicle_alerts",
                column: "service_order_id");

            migrationBuilder.CreateIndex(
                name: "ix_vehicle_alerts_vehicle_id",
                table: "vehicle_alerts",
                column: "vehicle_id");

            migrationBuilder.CreateIndex(
                name: "ux_vehicle_models_code",
                table: "vehicle_models",
                column: "code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_current_battery_pack_id",
                table: "vehicles",
                column: "current_battery_pack_id");

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_customer_id",
                table: "vehicles",
                column: "customer_id");

            migrationBuilder.CreateIndex(
                name: "ix_vehicles_model_id",
                table: "vehicles",
                column: "model_id");

            migrationBuilder.CreateIndex(
                name: "ux_vehicles_vin",
                table: "vehicles",
                column: "vin",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_work_events_mechanic_id",
                table: "work_events",
                column: "mechanic_id");

            migrationBuilder.CreateIndex(
                name: "ix_work_events_service_order_id",
                table: "work_events",
                column: "service_order_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assignments");

            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "battery_health_snapshots");

            migrationBuilder.DropTable(
                name: "battery_pack_installations");

            migrationBuilder.DropTable(
                name: "change_feed");

            migrationBuilder.DropTable(
                name: "charge_sessions");

            migrationBuilder.DropTable(
                name: "diagnoses");

            migrationBuilder.DropTable(
                name: "equipment_state_events");

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "inventory_movements");

            migrationBuilder.DropTable(
                name: "invoice_lines");

            migrationBuilder.DropTable(
                name: "labor_entries");

            migrationBuilder.DropTable(
                name: "mechanic_skills");

            migrationBuilder.DropTable(
                name: "production_runs");

            migrationBuilder.DropTable(
                name: "service_order_status_history");

            migrationBuilder.DropTable(
                name: "stock_balances");

            migrationBuilder.DropTable(
                name: "supplier_parts");

            migrationBuilder.DropTable(
                name: "telemetry_readings");

            migrationBuilder.DropTable(
                name: "vehicle_alerts");

            migrationBuilder.DropTable(
                name: "order_parts");

            migrationBuilder.DropTable(
                name: "purchase_order_lines");

            migrationBuilder.DropTable(
                name: "invoices");

            migrationBuilder.DropTable(
                name: "work_events");

            migrationBuilder.DropTable(
                name: "equipment");

            migrationBuilder.DropTable(
                name: "diagnostic_codes");

            migrationBuilder.DropTable(
                name: "vehicles");

            migrationBuilder.DropTable(
                name: "parts");

            migrationBuilder.DropTable(
                name: "purchase_orders");

            migrationBuilder.DropTable(
                name: "mechanics");

            migrationBuilder.DropTable(
                name: "service_orders");

            migrationBuilder.DropTable(
                name: "production_lines");

            migrationBuilder.DropTable(
                name: "battery_packs");

            migrationBuilder.DropTable(
                name: "stock_locations");

            migrationBuilder.DropTable(
                name: "suppliers");

            migrationBuilder.DropTable(
                name: "customers");

            migrationBuilder.DropTable(
                name: "pm_plans");

            migrationBuilder.DropTable(
                name: "assets");

            migrationBuilder.DropTable(
                name: "vehicle_models");

            migrationBuilder.DropTable(
                name: "sites");

            migrationBuilder.DropTable(
                name: "cost_centers");
        }
    }
}

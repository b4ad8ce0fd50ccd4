using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>
/// The relational shape of the domain: snake_case tables and columns, keys, foreign keys, unique indexes and the
/// check constraints that keep the data right even when a write bypasses the services.
/// </summary>
internal static class OperationsModel
{
    public static readonly IReadOnlyDictionary<Type, string> Tables = new Dictionary<Type, string>
    {
        [typeof(CostCenter)] = "cost_centers",
        [typeof(Site)] = "sites",
        [typeof(StockLocation)] = "stock_locations",
        [typeof(Customer)] = "customers",
        [typeof(Asset)] = "assets",
        [typeof(VehicleModel)] = "vehicle_models",
        [typeof(Vehicle)] = "vehicles",
        [typeof(ProductionLine)] = "production_lines",
        [typeof(Equipment)] = "equipment",
        [typeof(BatteryPack)] = "battery_packs",
        [typeof(BatteryPackInstallation)] = "battery_pack_installations",
        [typeof(Mechanic)] = "mechanics",
        [typeof(MechanicSkill)] = "mechanic_skills",
        [typeof(Supplier)] = "suppliers",
        [typeof(Part)] = "parts",
        [typeof(SupplierPart)] = "supplier_parts",
        [typeof(DiagnosticCode)] = "diagnostic_codes",
        [typeof(PmPlan)] = "pm_plans",
        [typeof(StockBalance)] = "stock_balances",
        [typeof(InventoryMovement)] = "inventory_movements",
        [typeof(PurchaseOrder)] = "purchase_orders",
        [typeof(PurchaseOrderLine)] = "purchase_order_lines",
        [typeof(ServiceOrder)] = "service_orders",
        [typeof(ServiceOrderStatusChange)] = "service_order_status_history",
        [typeof(Assignment)] = "assignments",
        [typeof(WorkEvent)] = "work_events",
        [typeof(LaborEntry)] = "labor_entries",
        [typeof(OrderPart)] = "order_parts",
        [typeof(Diagnosis)] = "diagnoses",
        [typeof(VehicleAlert)] = "vehicle_alerts",
        [typeof(TelemetryReading)] = "telemetry_readings",
        [typeof(ChargeSession)] = "charge_sessions",
        [typeof(BatteryHealthSnapshot)] = "battery_health_snapshots",
        [typeof(ProductionRun)] = "production_runs",
        [typeof(EquipmentStateEvent)] = "equipment_state_events",
        [typeof(Invoice)] = "invoices",
        [typeof(InvoiceLine)] = "invoice_lines",
        [typeof(AuditEntry)] = "audit_log",
        [typeof(ChangeFeedEntry)] = "change_feed",
        [typeof(IdempotencyRecord)] = "idempotency_keys",
        [typeof(NumberSequence)] = "number_sequences",
    };

    public static string Column(string property) => JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    public static void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<decimal>().HavePrecision(18, 4);
        foreach (var type in typeof(Entity).Assembly.GetTypes().Where(t => t.IsEnum && t.IsPublic))
        {
            conventions.Properties(type).HaveConversion(typeof(EnumNameConverter<>).MakeGenericType(type)).HaveMaxLength(32);
        }
    }

    public static void Configure(ModelBuilder model)
    {
        foreach (var (type, table) in Tables)
        {
            var entity = model.Entity(type);
            entity.ToTable(table);
            entity.HasKey(nameof(Entity.Id));
            if (typeof(IVersioned).IsAssignableFrom(type))
            {
                entity.Property(nameof(IVersioned.Version)).IsConcurrencyToken();
            }
        }

        MasterData(model);
        Inventory(model);
        Maintenance(model);
        Observations(model);
        Billing(model);

        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(Column(property.Name));
            }

            foreach (var key in entity.GetKeys())
            {
                key.SetName("pk_" + entity.GetTableName());
            }

            foreach (var fk in entity.GetForeignKeys())
            {
                fk.SetConstraintName($"fk_{entity.GetTableName()}_{string.Join("_", fk.Properties.Select(p => Column(p.Name)))}");
            }

            foreach (var index in entity.GetIndexes())
            {
                index.SetDatabaseName($"{(index.IsUnique ? "ux" : "ix")}_{entity.GetTableName()}_{string.Join("_", index.Properties.Select(p => Column(p.Name)))}");
            }
        }
    }

    private static void MasterData(ModelBuilder model)
    {
        model.Entity<CostCenter>().HasIndex(x => x.Code).IsUnique();
        model.Entity<Site>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            Fk<Site, CostCenter>(b, x => x.CostCenterId);
        });
        model.Entity<StockLocation>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            Fk<StockLocation, Site>(b, x => x.SiteId);
        });
        model.Entity<Customer>().HasIndex(x => x.Code).IsUnique();
        model.Entity<Asset>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            Fk<Asset, Site>(b, x => x.SiteId);
            Fk<Asset, CostCenter>(b, x => x.CostCenterId);
        });
        model.Entity<VehicleModel>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            b.ToTable(t => t.HasCheckConstraint("ck_vehicle_models_nominal_kwh", "nominal_kwh > 0"));
        });
        model.Entity<Vehicle>(b =>
        {
            b.Property(x => x.Id).ValueGeneratedNever();
            b.HasOne<Asset>().WithOne().HasForeignKey<Vehicle>(x => x.Id).OnDelete(DeleteBehavior.Restrict);
            b.HasIndex(x => x.Vin).IsUnique();
            Fk<Vehicle, VehicleModel>(b, x => x.ModelId);
            Fk<Vehicle, Customer>(b, x => x.CustomerId);
            Fk<Vehicle, BatteryPack>(b, x => x.CurrentBatteryPackId);
            b.ToTable(t =>
            {
                t.HasCheckConstraint("ck_vehicles_vin", "length(vin) = 17");
                t.HasCheckConstraint("ck_vehicles_odometer_km", "odometer_km >= 0");
            });
        });
        model.Entity<ProductionLine>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            Fk<ProductionLine, Site>(b, x => x.SiteId);
        });
        model.Entity<Equipment>(b =>
        {
            b.Property(x => x.Id).ValueGeneratedNever();
            b.HasOne<Asset>().WithOne().HasForeignKey<Equipment>(x => x.Id).OnDelete(DeleteBehavior.Restrict);
            Fk<Equipment, ProductionLine>(b, x => x.LineId);
            b.ToTable(t => t.HasCheckConstraint("ck_equipment_ideal_cycle_time", "ideal_cycle_time_seconds > 0"));
        });
        model.Entity<BatteryPack>().HasIndex(x => x.Serial).IsUnique();
        model.Entity<BatteryPackInstallation>(b =>
        {
            Fk<BatteryPackInstallation, BatteryPack>(b, x => x.BatteryPackId);
            Fk<BatteryPackInstallation, Vehicle>(b, x => x.VehicleId);
            Fk<BatteryPackInstallation, ServiceOrder>(b, x => x.ServiceOrderId);

            // A pack is in at most one vehicle, and a vehicle holds at most one pack, at a time.
            b.HasIndex(x => x.BatteryPackId).IsUnique().HasFilter("removed_at IS NULL");
            b.HasIndex(x => x.VehicleId).IsUnique().HasFilter("removed_at IS NULL");
        });
        model.Entity<Mechanic>(b =>
        {
            b.HasIndex(x => x.EmployeeNumber).IsUnique();
            Fk<Mechanic, Site>(b, x => x.SiteId);
        });
        model.Entity<MechanicSkill>(b =>
        {
            b.HasIndex(x => new { x.MechanicId, x.Skill }).IsUnique();
            Fk<MechanicSkill, Mechanic>(b, x => x.MechanicId);
            b.ToTable(t => t.HasCheckConstraint("ck_mechanic_skills_level", "level BETWEEN 1 AND 5"));
        });
        model.Entity<Supplier>().HasIndex(x => x.Code).IsUnique();
        model.Entity<Part>(b =>
        {
            b.HasIndex(x => x.Sku).IsUnique();
            b.ToTable(t => t.HasCheckConstraint("ck_parts_costs", "standard_cost >= 0 AND reorder_point >= 0 AND reorder_quantity >= 0"));
        });
        model.Entity<SupplierPart>(b =>
        {
            b.HasIndex(x => new { x.SupplierId, x.PartId }).IsUnique();
            Fk<SupplierPart, Supplier>(b, x => x.SupplierId);
            Fk<SupplierPart, Part>(b, x => x.PartId);
        });
        model.Entity<DiagnosticCode>().HasIndex(x => x.Code).IsUnique();
        model.Entity<PmPlan>(b =>
        {
            b.HasIndex(x => x.Code).IsUnique();
            Fk<PmPlan, Asset>(b, x => x.AssetId);
            Fk<PmPlan, VehicleModel>(b, x => x.VehicleModelId);
            b.ToTable(t => t.HasCheckConstraint("ck_pm_plans_interval", "interval_km IS NOT NULL OR interval_days IS NOT NULL OR interval_cycles IS NOT NULL"));
        });
    }

    private static void Inventory(ModelBuilder model)
    {
        model.Entity<StockBalance>(b =>
        {
            b.HasIndex(x => new { x.PartId, x.LocationId }).IsUnique();
            Fk<StockBalance, Part>(b, x => x.PartId);
            Fk<StockBalance, StockLocation>(b, x => x.LocationId);
            b.ToTable(t => t.HasCheckConstraint("ck_stock_balances_quantities", "on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand"));
        });
        model.Entity<InventoryMovement>(b =>
        {
            Fk<InventoryMovement, Part>(b, x => x.PartId);
            Fk<InventoryMovement, StockLocation>(b, x => x.FromLocationId);
            Fk<InventoryMovement, StockLocation>(b, x => x.ToLocationId);
            Fk<InventoryMovement, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<InventoryMovement, OrderPart>(b, x => x.OrderPartId);
            Fk<InventoryMovement, PurchaseOrderLine>(b, x => x.PurchaseOrderLineId);
            Fk<InventoryMovement, InventoryMovement>(b, x => x.ReversalOfId);
            b.HasIndex(x => x.ReversalOfId).IsUnique();
            b.HasIndex(x => x.OccurredAt);
            b.ToTable(t =>
            {
                t.HasCheckConstraint("ck_inventory_movements_quantity", "quantity > 0");
                t.HasCheckConstraint("ck_inventory_movements_locations", "from_location_id <> to_location_id");
                t.HasCheckConstraint("ck_inventory_movements_issue_order", "type NOT IN ('ISSUE_TO_ORDER', 'RETURN_FROM_ORDER') OR service_order_id IS NOT NULL");
                t.HasCheckConstraint("ck_inventory_movements_receipt_line", "type <> 'RECEIPT' OR purchase_order_line_id IS NOT NULL");
            });
        });
        model.Entity<PurchaseOrder>(b =>
        {
            b.HasIndex(x => x.Number).IsUnique();
            Fk<PurchaseOrder, Supplier>(b, x => x.SupplierId);
            Fk<PurchaseOrder, StockLocation>(b, x => x.ReceiveLocationId);
        });
        model.Entity<PurchaseOrderLine>(b =>
        {
            b.HasIndex(x => new { x.PurchaseOrderId, x.LineNumber }).IsUnique();
            Fk<PurchaseOrderLine, PurchaseOrder>(b, x => x.PurchaseOrderId);
            Fk<PurchaseOrderLine, Part>(b, x => x.PartId);
            b.ToTable(t => t.HasCheckConstraint("ck_purchase_order_lines_quantities", "quantity_ordered > 0 AND quantity_received >= 0 AND quantity_received <= quantity_ordered"));
        });
    }

    private static void Maintenance(ModelBuilder model)
    {
        model.Entity<ServiceOrder>(b =>
        {
            b.HasIndex(x => x.Number).IsUnique();
            b.HasIndex(x => x.Status);
            Fk<ServiceOrder, Asset>(b, x => x.AssetId);
            Fk<ServiceOrder, ServiceOrder>(b, x => x.ParentOrderId);
            Fk<ServiceOrder, PmPlan>(b, x => x.PmPlanId);
            Fk<ServiceOrder, Customer>(b, x => x.CustomerId);
            b.ToTable(t =>
            {
                t.HasCheckConstraint("ck_service_orders_downtime", "downtime_end IS NULL OR (downtime_start IS NOT NULL AND downtime_end >= downtime_start)");
                t.HasCheckConstraint("ck_service_orders_estimated_hours", "estimated_hours >= 0");
            });
        });
        model.Entity<ServiceOrderStatusChange>(b =>
        {
            b.HasIndex(x => new { x.ServiceOrderId, x.Sequence }).IsUnique();
            Fk<ServiceOrderStatusChange, ServiceOrder>(b, x => x.ServiceOrderId);
        });
        model.Entity<Assignment>(b =>
        {
            Fk<Assignment, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<Assignment, Mechanic>(b, x => x.MechanicId);
            b.HasIndex(x => new { x.ServiceOrderId, x.MechanicId }).IsUnique().HasFilter("released_at IS NULL");
        });
        model.Entity<WorkEvent>(b =>
        {
            Fk<WorkEvent, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<WorkEvent, Mechanic>(b, x => x.MechanicId);
        });
        model.Entity<LaborEntry>(b =>
        {
            Fk<LaborEntry, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<LaborEntry, Mechanic>(b, x => x.MechanicId);
            Fk<LaborEntry, WorkEvent>(b, x => x.StartEventId);
            Fk<LaborEntry, WorkEvent>(b, x => x.EndEventId);

            // A mechanic has at most one running timer anywhere.
            b.HasIndex(x => x.MechanicId).IsUnique().HasFilter("ended_at IS NULL");
            b.ToTable(t => t.HasCheckConstraint("ck_labor_entries_interval", "ended_at IS NULL OR ended_at >= started_at"));
        });
        model.Entity<OrderPart>(b =>
        {
            Fk<OrderPart, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<OrderPart, Part>(b, x => x.PartId);
            Fk<OrderPart, StockLocation>(b, x => x.LocationId);
            b.HasIndex(x => new { x.ServiceOrderId, x.PartId, x.LocationId }).IsUnique();
            b.ToTable(t => t.HasCheckConstraint("ck_order_parts_quantities", "quantity_reserved >= 0 AND quantity_issued >= 0 AND quantity_returned >= 0 AND quantity_returned <= quantity_issued"));
        });
        model.Entity<Diagnosis>(b =>
        {
            Fk<Diagnosis, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<Diagnosis, DiagnosticCode>(b, x => x.DiagnosticCodeId);
            Fk<Diagnosis, Mechanic>(b, x => x.MechanicId);
        });
    }

    private static void Observations(ModelBuilder model)
    {
        model.Entity<VehicleAlert>(b =>
        {
            Fk<VehicleAlert, Vehicle>(b, x => x.VehicleId);
            Fk<VehicleAlert, DiagnosticCode>(b, x => x.DiagnosticCodeId);
            Fk<VehicleAlert, ServiceOrder>(b, x => x.ServiceOrderId);
        });
        model.Entity<TelemetryReading>(b =>
        {
            Fk<TelemetryReading, Vehicle>(b, x => x.VehicleId);
            b.HasIndex(x => new { x.VehicleId, x.RecordedAt });
        });
        model.Entity<ChargeSession>(b => Fk<ChargeSession, Vehicle>(b, x => x.VehicleId));
        model.Entity<BatteryHealthSnapshot>(b =>
        {
            Fk<BatteryHealthSnapshot, BatteryPack>(b, x => x.BatteryPackId);
            Fk<BatteryHealthSnapshot, Vehicle>(b, x => x.VehicleId);
            b.ToTable(t => t.HasCheckConstraint("ck_battery_health_snapshots_soh", "state_of_health_pct >= 0 AND state_of_health_pct <= 120"));
        });
        model.Entity<ProductionRun>(b =>
        {
            Fk<ProductionRun, Equipment>(b, x => x.EquipmentId);
            b.ToTable(t => t.HasCheckConstraint("ck_production_runs_quantities", "good_quantity >= 0 AND scrap_quantity >= 0 AND rework_quantity >= 0 AND good_quantity + scrap_quantity + rework_quantity = produced_quantity"));
        });
        model.Entity<EquipmentStateEvent>(b =>
        {
            Fk<EquipmentStateEvent, Equipment>(b, x => x.EquipmentId);
            b.HasIndex(x => new { x.EquipmentId, x.StartedAt });
        });
    }

    private static void Billing(ModelBuilder model)
    {
        model.Entity<Invoice>(b =>
        {
            b.HasIndex(x => x.Number).IsUnique();
            Fk<Invoice, ServiceOrder>(b, x => x.ServiceOrderId);
            Fk<Invoice, Customer>(b, x => x.CustomerId);
            b.ToTable(t => t.HasCheckConstraint("ck_invoices_total", "abs(total - (subtotal + tax)) < 0.005"));
        });
        model.Entity<InvoiceLine>(b =>
        {
            b.HasIndex(x => new { x.InvoiceId, x.LineNumber }).IsUnique();
            Fk<InvoiceLine, Invoice>(b, x => x.InvoiceId);
        });
        model.Entity<AuditEntry>(b => b.HasIndex(x => new { x.EntityType, x.EntityId }));
        model.Entity<IdempotencyRecord>(b => b.HasIndex(x => new { x.Scope, x.Key }).IsUnique());
        model.Entity<NumberSequence>(b => b.HasIndex(x => x.Name).IsUnique());
    }

    private static void Fk<TDependent, TPrincipal>(EntityTypeBuilder<TDependent> builder, Expression<Func<TDependent, object?>> key)
        where TDependent : class
        where TPrincipal : class =>
        builder.HasOne<TPrincipal>().WithMany().HasForeignKey(key).OnDelete(DeleteBehavior.Restrict);
}

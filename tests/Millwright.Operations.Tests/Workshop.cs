using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations.Tests;

/// <summary>A small workshop built through the real services: a site, a store room, two mechanics, a part in stock and a vehicle.</summary>
public sealed class Workshop
{
    public static readonly OperationScope Admin = OperationScope.For(new Actor("ada.admin", Role.Admin));
    public static readonly OperationScope Planner = OperationScope.For(new Actor("pat.planner", Role.Planner));
    public static readonly OperationScope Supervisor = OperationScope.For(new Actor("sam.supervisor", Role.Supervisor));
    public static readonly OperationScope Manager = OperationScope.For(new Actor("max.manager", Role.Manager));

    public required OperationsStore Store { get; init; }
    public required ServiceOrders Orders { get; init; }
    public required Inventory Inventory { get; init; }
    public required Purchasing Purchasing { get; init; }
    public required Billing Billing { get; init; }
    public required MasterData MasterData { get; init; }
    public required Site Site { get; init; }
    public required StockLocation StoreRoom { get; init; }
    public required Mechanic Lead { get; init; }
    public required Mechanic Assist { get; init; }
    public required Part Part { get; init; }
    public required Vehicle Vehicle { get; init; }
    public required Supplier Supplier { get; init; }

    public static OperationScope AsMechanic(Mechanic mechanic) => OperationScope.For(new Actor(mechanic.Name, Role.Mechanic, mechanic.Id));

    /// <summary>Builds the workshop with <paramref name="stock"/> units of the part received through an approved PO.</summary>
    public static async Task<Workshop> CreateAsync(OperationsStore store, decimal stock = 10)
    {
        var master = new MasterData(store);
        var site = await master.CreateAsync(Admin, new Site { Code = "WS-LIS", Name = "Lisbon workshop", Kind = SiteKind.Workshop });
        var room = await master.CreateAsync(Admin, new StockLocation { Code = "LIS-STOCK", Name = "Lisbon store room", Kind = LocationKind.Stock, SiteId = site.Id });
        var lead = await master.CreateAsync(Admin, new Mechanic { EmployeeNumber = "M-001", Name = "Rita Lead", SiteId = site.Id, HourlyCost = 30, BillableRate = 80 });
        var assist = await master.CreateAsync(Admin, new Mechanic { EmployeeNumber = "M-002", Name = "Tiago Assist", SiteId = site.Id, HourlyCost = 25, BillableRate = 60 });
        var part = await master.CreateAsync(Admin, new Part { Sku = "BRK-PAD-F", Name = "Front brake pads", StandardCost = 42.5m, ReorderPoint = 2, ReorderQuantity = 10 });
        var supplier = await master.CreateAsync(Admin, new Supplier { Code = "SUP-1", Name = "Iberia Parts", LeadTimeDays = 3 });
        var model = await master.CreateAsync(Admin, new VehicleModel { Code = "ZE-50", Make = "Volta", Name = "ZE 50", BodyType = BodyType.Car, Chemistry = BatteryChemistry.Lfp, NominalKwh = 52 });
        var vehicle = await master.RegisterVehicleAsync(Admin, new RegisterVehicle("VEH-0001", site.Id, "WVWZZZ1KZ8W000001", model.Id, 2023) { OdometerKm = 12000 });
        var purchasing = new Purchasing(store);
        var workshop = new Workshop
        {
            Store = store,
            Orders = new ServiceOrders(store),
            Inventory = new Inventory(store),
            Purchasing = purchasing,
            Billing = new Billing(store),
            MasterData = master,
            Site = site,
            StoreRoom = room,
            Lead = lead,
            Assist = assist,
            Part = part,
            Vehicle = vehicle,
            Supplier = supplier,
        };
        if (stock > 0)
        {
            await workshop.ReceiveAsync(stock);
        }

        return workshop;
    }

    public async Task<PurchaseOrder> ReceiveAsync(decimal quantity)
    {
        var po = await Purchasing.CreateAsync(Planner, Supplier.Id, StoreRoom.Id, [new PurchaseLineInput(Part.Id, quantity)]);
        await Purchasing.SubmitAsync(Planner, po.Id, null);
        await Purchasing.ApproveAsync(Manager, po.Id, null);
        await using var db = Store.CreateContext();
        var line = db.PurchaseOrderLines.Single(l => l.PurchaseOrderId == po.Id);
        return await Purchasing.ReceiveAsync(Planner, po.Id, [new ReceiptLineInput(line.Id, quantity)]);
    }

    /// <summary>A corrective order, assigned to the lead and scheduled.</summary>
    public async Task<ServiceOrder> ScheduledOrderAsync(bool assetDown = false)
    {
        var order = await Orders.CreateAsync(Planner, new CreateServiceOrder(Vehicle.Id, ServiceOrderType.Corrective, Priority.High, "Grinding noise when braking")
        {
            AssetDown = assetDown,
            EstimatedHours = 2,
        });
        await Orders.AssignAsync(Planner, order.Id, Lead.Id, AssignmentRole.Lead);
        return await Orders.ScheduleAsync(Planner, order.Id, null, null);
    }

    public Task<WorkEventResult> WorkAsync(ServiceOrder order, Mechanic mechanic, WorkEventType type, string? key = null) =>
        Orders.RecordWorkEventAsync(Workshop.AsMechanic(mechanic), order.Id, new RecordWorkEvent(mechanic.Id, type) { IdempotencyKey = key });
}

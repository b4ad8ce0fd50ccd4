namespace Millwright.Web.Tests.Operations.Pages;

/// <summary>Two workshops made through the API: Porto (a store room with brake pads, a mechanic, a van) and Lisbon (a mechanic).</summary>
internal sealed record SmallWorkshop(long Porto, long Lisbon, long Room, long Part, long Supplier)
{
    public static async Task<SmallWorkshop> CreateAsync(HttpClient admin, CancellationToken ct)
    {
        var porto = (await admin.OkAsync("/api/ops/sites", new { code = "WS-POR", name = "Porto workshop", kind = "WORKSHOP" }, ct)).Id();
        var lisbon = (await admin.OkAsync("/api/ops/sites", new { code = "WS-LIS", name = "Lisbon workshop", kind = "WORKSHOP" }, ct)).Id();
        var room = (await admin.OkAsync("/api/ops/stock-locations", new { code = "POR-STOCK", name = "Porto store room", kind = "STOCK", siteId = porto }, ct)).Id();
        var part = (await admin.OkAsync("/api/ops/parts", new { sku = "BRK-PAD-SET", name = "Brake pad set", standardCost = 80m, unit = "SET", reorderPoint = 4m, reorderQuantity = 10m }, ct)).Id();
        await admin.OkAsync("/api/ops/inventory/adjustments", new { partId = part, locationId = room, delta = 10m, reason = "opening stock" }, ct);
        var supplier = (await admin.OkAsync("/api/ops/suppliers", new { code = "SUP-IBP", name = "Iberia Brake Parts", leadTimeDays = 2 }, ct)).Id();
        await admin.OkAsync("/api/ops/mechanics", new { employeeNumber = "M-100", name = "Ines Costa", siteId = porto, hourlyCost = 28m, billableRate = 75m }, ct);
        await admin.OkAsync("/api/ops/mechanics", new { employeeNumber = "M-200", name = "Rui Lopes", siteId = lisbon, hourlyCost = 28m, billableRate = 75m }, ct);
        var model = (await admin.OkAsync("/api/ops/vehicle-models", new { code = "VAN-E", make = "Volta", name = "Van E", bodyType = "CAR", chemistry = "LFP", nominalKwh = 75m }, ct)).Id();
        await admin.OkAsync("/api/ops/vehicles", new { code = "VAN-0001", siteId = porto, vin = "VF1VANEE000000001", modelId = model, modelYear = 2025 }, ct);
        return new SmallWorkshop(porto, lisbon, room, part, supplier);
    }
}

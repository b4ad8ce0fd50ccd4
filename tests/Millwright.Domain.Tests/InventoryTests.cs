namespace Millwright.Domain.Tests;

public sealed class InventoryTests
{
    private static StockLocation Location(long id, LocationKind kind) => new() { Id = id, Code = kind.Name(), Name = kind.ToString(), Kind = kind, SiteId = 1 };

    private static readonly StockLocation Stock = Location(1, LocationKind.Stock);
    private static readonly StockLocation Van = Location(2, LocationKind.Van);
    private static readonly StockLocation Supplier = Location(3, LocationKind.Supplier);
    private static readonly StockLocation Consumed = Location(4, LocationKind.Consumed);
    private static readonly StockLocation Scrap = Location(5, LocationKind.Scrap);

    [Fact]
    public void Each_movement_type_moves_between_its_own_kinds_of_location()
    {
        MovementRules.Validate(MovementType.Receipt, Supplier, Stock, 1, null, 9, isReversal: false);
        MovementRules.Validate(MovementType.IssueToOrder, Van, Consumed, 1, 9, null, isReversal: false);
        MovementRules.Validate(MovementType.Transfer, Stock, Van, 1, null, null, isReversal: false);
        MovementRules.Validate(MovementType.Scrap, Scrap, Stock, 1, null, null, isReversal: true);

        Assert.Equal("movement.locations", Assert.Throws<DomainRuleException>(() => MovementRules.Validate(MovementType.Scrap, Stock, Consumed, 1, null, null, false)).Rule);
        Assert.Equal("movement.same_location", Assert.Throws<DomainRuleException>(() => MovementRules.Validate(MovementType.Transfer, Stock, Stock, 1, null, null, false)).Rule);
        Assert.Equal("movement.quantity", Assert.Throws<DomainRuleException>(() => MovementRules.Validate(MovementType.Transfer, Stock, Van, 0, null, null, false)).Rule);
    }

    [Fact]
    public void An_issue_needs_a_service_order_and_a_receipt_a_purchase_order_line()
    {
        Assert.Equal("movement.service_order", Assert.Throws<DomainRuleException>(() => MovementRules.Validate(MovementType.IssueToOrder, Stock, Consumed, 1, null, null, false)).Rule);
        Assert.Equal("movement.purchase_order_line", Assert.Throws<DomainRuleException>(() => MovementRules.Validate(MovementType.Receipt, Supplier, Stock, 1, null, null, false)).Rule);
    }

    [Theory]
    [InlineData("WVWZZZ1KZ8W000001", true)]
    [InlineData("WVWZZZ1KZ8W00000", false)]
    [InlineData("WVWZZZ1KZ8W00000O", false)]
    [InlineData("wvwzzz1kz8w000001", false)]
    public void A_vin_is_17_characters_without_i_o_or_q(string vin, bool valid)
    {
        var vehicle = new Vehicle { Vin = vin, ModelYear = 2024 };

        Assert.Equal(valid, !vehicle.Validate().Any());
    }

    [Fact]
    public void An_invoice_total_is_subtotal_plus_rounded_tax()
    {
        var invoice = new Invoice { Number = "INV-1", TaxRate = 0.23m };

        invoice.Recalculate([new InvoiceLine { Description = "a", Amount = 10.05m }, new InvoiceLine { Description = "b", Amount = 0.10m }]);

        Assert.Equal((10.15m, 2.33m, 12.48m), (invoice.Subtotal, invoice.Tax, invoice.Total));
    }

    [Fact]
    public void A_production_run_must_account_for_every_unit_produced()
    {
        var run = new ProductionRun { ProductCode = "P", IdealCycleTimeSeconds = 30, ProducedQuantity = 100, GoodQuantity = 90, ScrapQuantity = 5, ReworkQuantity = 4 };

        Assert.Contains(run.Validate(), e => e.Field == nameof(ProductionRun.ProducedQuantity));
    }
}

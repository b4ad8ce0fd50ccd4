namespace Millwright.Domain;

public sealed class Invoice : Entity, IVersioned
{
    public required string Number { get; set; }
    public long ServiceOrderId { get; set; }
    public long? CustomerId { get; set; }
    public InvoiceStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? IssuedAt { get; set; }
    public decimal Subtotal { get; set; }

    /// <summary>A fraction: 0.2 is 20 %.</summary>
    public decimal TaxRate { get; set; }
    public decimal Tax { get; set; }
    public decimal Total { get; set; }
    public long Version { get; set; }

    /// <summary>Sets subtotal, tax and total from the lines: total = subtotal + tax, tax rounded to cents.</summary>
    public void Recalculate(IEnumerable<InvoiceLine> lines)
    {
        Subtotal = lines.Sum(l => l.Amount);
        Tax = decimal.Round(Subtotal * TaxRate, 2, MidpointRounding.AwayFromZero);
        Total = Subtotal + Tax;
    }
}

public sealed class InvoiceLine : Entity
{
    public long InvoiceId { get; set; }
    public int LineNumber { get; set; }
    public InvoiceLineKind Kind { get; set; }
    public required string Description { get; set; }
    public decimal Quantity { get; set; }
    public decimal UnitPrice { get; set; }
    public decimal Amount { get; set; }
}

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

public sealed record InvoiceFee(string Description, decimal Amount);

public sealed record CreateInvoice
{
    /// <summary>A fraction: 0.2 is 20 %.</summary>
    public decimal TaxRate { get; init; }

    /// <summary>Added to the cost of parts: 0.3 bills parts at cost + 30 %.</summary>
    public decimal PartsMarkup { get; init; }
    public IReadOnlyList<InvoiceFee> Fees { get; init; } = [];
}

/// <summary>Invoices for completed work: labor at each mechanic's billable rate, parts issued net of returns, fees.</summary>
public sealed class Billing(OperationsStore store)
{
    public Task<Invoice> CreateAsync(OperationScope scope, long serviceOrderId, CreateInvoice command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        if (command.TaxRate is < 0 or > 1)
        {
            throw ValidationFailedException.For("taxRate", "is a fraction between 0 and 1");
        }

        if (command.PartsMarkup < 0)
        {
            throw ValidationFailedException.For("partsMarkup", "cannot be negative");
        }

        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.Invoice);
            var order = await ServiceOrders.LoadAsync(db, serviceOrderId, null, cancellationToken).ConfigureAwait(false);
            if (order.Status != ServiceOrderStatus.Completed)
            {
                throw new DomainRuleException("invoice.order_status", $"service order {order.Number} is {order.Status.Name()}; invoices are made for COMPLETED orders");
            }

            if (!order.IsBillable)
            {
                throw new DomainRuleException("invoice.not_billable", $"service order {order.Number} is not billable");
            }

            if (await db.Invoices.AnyAsync(i => i.ServiceOrderId == order.Id && i.Status != InvoiceStatus.Void, cancellationToken).ConfigureAwait(false))
            {
                throw new DomainRuleException("invoice.exists", $"service order {order.Number} already has an invoice; void it first");
            }

            var invoiceNumber = await db.NextNumberAsync("invoices", cancellationToken).ConfigureAwait(false);
            var invoice = new Invoice
            {
                Number = $"INV-{invoiceNumber:D6}",
                ServiceOrderId = order.Id,
                CustomerId = order.CustomerId,
                Status = InvoiceStatus.Draft,
                CreatedAt = db.UtcNow,
                TaxRate = command.TaxRate,
            };
            var lines = new List<InvoiceLine>();
            var labor = await db.LaborEntries.Where(l => l.ServiceOrderId == order.Id && l.EndedAt != null)
                .Join(db.Mechanics, l => l.MechanicId, m => m.Id, (l, m) => new { m.Name, l.Hours, l.BillableRate })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var group in labor.GroupBy(l => (l.Name, l.BillableRate)).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var hours = decimal.Round(group.Sum(l => l.Hours ?? 0), 2);
                lines.Add(Line(InvoiceLineKind.Labor, $"Labor: {group.Key.Name}", hours, group.Key.BillableRate));
            }

            var parts = await db.OrderParts.Where(p => p.ServiceOrderId == order.Id)
                .Join(db.Parts, op => op.PartId, p => p.Id, (op, p) => new { p.Sku, p.Name, op.QuantityIssued, op.QuantityReturned, op.UnitCost })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var part in parts.Where(p => p.QuantityIssued > p.QuantityReturned).OrderBy(p => p.Sku, StringComparer.Ordinal))
            {
                lines.Add(Line(InvoiceLineKind.Parts, $"{part.Sku} {part.Name}", part.QuantityIssued - part.QuantityReturned, decimal.Round(part.UnitCost * (1 + command.PartsMarkup), 2)));
            }

            foreach (var fee in command.Fees)
            {
                if (string.IsNullOrWhiteSpace(fee.Description) || fee.Amount < 0)
                {
                    throw ValidationFailedException.For("fees", "each fee needs a description and a non-negative amount");
                }

                lines.Add(Line(InvoiceLineKind.Fee, fee.Description, 1, fee.Amount));
            }

            invoice.Recalculate(lines);
            db.Invoices.Add(invoice);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            var number = 0;
            foreach (var line in lines)
            {
                line.InvoiceId = invoice.Id;
                line.LineNumber = ++number;
                db.InvoiceLines.Add(line);
            }

            return invoice;
        }, cancellationToken);
    }

    public Task<Invoice> IssueAsync(OperationScope scope, long invoiceId, long? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(scope, invoiceId, expectedVersion, InvoiceStatus.Draft, InvoiceStatus.Issued, cancellationToken);

    public Task<Invoice> VoidAsync(OperationScope scope, long invoiceId, long? expectedVersion, CancellationToken cancellationToken = default) =>
        ChangeAsync(scope, invoiceId, expectedVersion, null, InvoiceStatus.Void, cancellationToken);

    private Task<Invoice> ChangeAsync(OperationScope scope, long invoiceId, long? expectedVersion, InvoiceStatus? from, InvoiceStatus to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.Invoice);
            var invoice = await db.Invoices.GetAsync(invoiceId, "invoice", expectedVersion, cancellationToken).ConfigureAwait(false);

            if ((from is not null && invoice.Status != from) || invoice.Status == InvoiceStatus.Void)
            {
                throw new DomainRuleException("invoice.transition", $"invoice {invoice.Number} is {invoice.Status.Name()} and cannot become {to.Name()}");
            }

            if (to == InvoiceStatus.Void)
            {
                var closed = await db.ServiceOrders.AnyAsync(o => o.Id == invoice.ServiceOrderId && o.Status == ServiceOrderStatus.Closed, cancellationToken).ConfigureAwait(false);
                if (closed)
                {
                    throw new DomainRuleException("invoice.order_closed", $"invoice {invoice.Number} belongs to a closed order and cannot be voided");
                }
            }

            invoice.Status = to;
            if (to == InvoiceStatus.Issued)
            {
                invoice.IssuedAt = db.UtcNow;
            }

            return invoice;
        }, cancellationToken);
    }

    private static InvoiceLine Line(InvoiceLineKind kind, string description, decimal quantity, decimal unitPrice) => new()
    {
        Kind = kind,
        Description = description,
        Quantity = quantity,
        UnitPrice = unitPrice,
        Amount = decimal.Round(quantity * unitPrice, 2, MidpointRounding.AwayFromZero),
    };
}

using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>
/// The only writer of stock: each movement is one ledger row plus set-based balance updates that check availability
/// in the same statement, so concurrent consumers can never drive stock below zero.
/// </summary>
internal static class StockLedger
{
    public sealed record Move(
        MovementType Type,
        long PartId,
        StockLocation From,
        StockLocation To,
        decimal Quantity,
        decimal UnitCost,
        string Actor)
    {
        public long? ServiceOrderId { get; init; }
        public long? OrderPartId { get; init; }
        public long? PurchaseOrderLineId { get; init; }
        public long? ReversalOfId { get; init; }
        public string? Note { get; init; }

        /// <summary>Part of the quantity that was reserved at the source and is now consumed with the move.</summary>
        public decimal ConsumeReserved { get; init; }
    }

    public static async Task<InventoryMovement> MoveAsync(OperationsDbContext db, Move move, CancellationToken cancellationToken)
    {
        MovementRules.Validate(move.Type, move.From, move.To, move.Quantity, move.ServiceOrderId, move.PurchaseOrderLineId, move.ReversalOfId is not null);
        if (!move.From.IsVirtual)
        {
            await TakeAsync(db, move.PartId, move.From, move.Quantity, move.ConsumeReserved, cancellationToken).ConfigureAwait(false);
        }

        if (!move.To.IsVirtual)
        {
            await PutAsync(db, move.PartId, move.To, move.Quantity, cancellationToken).ConfigureAwait(false);
        }

        var movement = new InventoryMovement
        {
            Type = move.Type,
            PartId = move.PartId,
            FromLocationId = move.From.Id,
            ToLocationId = move.To.Id,
            Quantity = move.Quantity,
            UnitCost = move.UnitCost,
            OccurredAt = db.UtcNow,
            ServiceOrderId = move.ServiceOrderId,
            OrderPartId = move.OrderPartId,
            PurchaseOrderLineId = move.PurchaseOrderLineId,
            ReversalOfId = move.ReversalOfId,
            Actor = move.Actor,
            Note = move.Note,
        };
        db.InventoryMovements.Add(movement);
        return movement;
    }

    /// <summary>Reserves stock at a real location: reserved grows only while on hand covers it.</summary>
    public static async Task ReserveAsync(OperationsDbContext db, long partId, StockLocation location, decimal quantity, CancellationToken cancellationToken)
    {
        var balanceId = await BalanceIdAsync(db, partId, location.Id, cancellationToken).ConfigureAwait(false);
        var updated = balanceId is null ? 0 : await db.StockBalances
            .Where(b => b.Id == balanceId && b.OnHand - b.Reserved >= quantity)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Reserved, b => b.Reserved + quantity).SetProperty(b => b.Version, b => b.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            throw await InsufficientAsync(db, partId, location, quantity, "reserve", cancellationToken).ConfigureAwait(false);
        }

        db.RecordChange(typeof(StockBalance), balanceId!.Value, ChangeOperation.Update);
    }

    /// <summary>Gives back reserved stock that will not be issued.</summary>
    public static async Task ReleaseAsync(OperationsDbContext db, long partId, StockLocation location, decimal quantity, CancellationToken cancellationToken)
    {
        var balanceId = await BalanceIdAsync(db, partId, location.Id, cancellationToken).ConfigureAwait(false);
        var updated = balanceId is null ? 0 : await db.StockBalances
            .Where(b => b.Id == balanceId && b.Reserved >= quantity)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.Reserved, b => b.Reserved - quantity).SetProperty(b => b.Version, b => b.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            throw new DomainRuleException("stock.reservation", $"{quantity} units are not reserved at {location.Code}");
        }

        db.RecordChange(typeof(StockBalance), balanceId!.Value, ChangeOperation.Update);
    }

    private static async Task TakeAsync(OperationsDbContext db, long partId, StockLocation location, decimal quantity, decimal consumeReserved, CancellationToken cancellationToken)
    {
        var balanceId = await BalanceIdAsync(db, partId, location.Id, cancellationToken).ConfigureAwait(false);
        var updated = balanceId is null ? 0 : await db.StockBalances
            .Where(b => b.Id == balanceId && b.OnHand - b.Reserved + consumeReserved >= quantity && b.Reserved >= consumeReserved)
            .ExecuteUpdateAsync(
                s => s.SetProperty(b => b.OnHand, b => b.OnHand - quantity)
                    .SetProperty(b => b.Reserved, b => b.Reserved - consumeReserved)
                    .SetProperty(b => b.Version, b => b.Version + 1),
                cancellationToken)
            .ConfigureAwait(false);
        if (updated == 0)
        {
            throw await InsufficientAsync(db, partId, location, quantity - consumeReserved, "take", cancellationToken).ConfigureAwait(false);
        }

        db.RecordChange(typeof(StockBalance), balanceId!.Value, ChangeOperation.Update);
    }

    private static async Task PutAsync(OperationsDbContext db, long partId, StockLocation location, decimal quantity, CancellationToken cancellationToken)
    {
        var balanceId = await BalanceIdAsync(db, partId, location.Id, cancellationToken).ConfigureAwait(false);
        if (balanceId is null)
        {
            // A new balance row; two first receipts racing on it collide on the unique index and the loser retries.
            db.StockBalances.Add(new StockBalance { PartId = partId, LocationId = location.Id, OnHand = quantity });
            return;
        }

        await db.StockBalances
            .Where(b => b.Id == balanceId)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.OnHand, b => b.OnHand + quantity).SetProperty(b => b.Version, b => b.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        db.RecordChange(typeof(StockBalance), balanceId.Value, ChangeOperation.Update);
    }

    private static Task<long?> BalanceIdAsync(OperationsDbContext db, long partId, long locationId, CancellationToken cancellationToken) =>
        db.StockBalances.Where(b => b.PartId == partId && b.LocationId == locationId).Select(b => (long?)b.Id).FirstOrDefaultAsync(cancellationToken);

    private static async Task<DomainRuleException> InsufficientAsync(OperationsDbContext db, long partId, StockLocation location, decimal wanted, string verb, CancellationToken cancellationToken)
    {
        var part = await db.Parts.AsNoTracking().FirstAsync(p => p.Id == partId, cancellationToken).ConfigureAwait(false);
        var available = await db.StockBalances.AsNoTracking()
            .Where(b => b.PartId == partId && b.LocationId == location.Id)
            .Select(b => (decimal?)(b.OnHand - b.Reserved))
            .FirstOrDefaultAsync(cancellationToken)
            .ConfigureAwait(false) ?? 0m;
        return new DomainRuleException(
            "stock.insufficient",
            $"cannot {verb} {wanted:0.####} {part.Unit} of {part.Sku} at {location.Code}: {available:0.####} available");
    }
}

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

/// <summary>
/// Runs one use case as one transaction on a fresh context: everything it writes (rows, history, ledger, audit,
/// change feed) commits together or not at all. A lost race to insert the same row (a first stock balance, an idempotency key) is retried; a stale version
/// becomes <see cref="ConcurrencyConflictException"/>; a broken constraint becomes a domain error naming it.
/// </summary>
internal static class UnitOfWork
{
    private const int Attempts = 5;

    // Unique indexes whose violation means "someone else inserted the same row first": try again.
    private static readonly string[] Retriable =
    [
        "stock_balances.part_id", "ux_stock_balances_part_id_location_id",
        "order_parts.service_order_id", "ux_order_parts_service_order_id_part_id_location_id",
        "idempotency_keys.scope", "ux_idempotency_keys_scope_key",
    ];

    public static async Task<T> RunAsync<T>(OperationsStore store, OperationScope scope, Func<OperationsDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = store.CreateContext(scope);
            var gate = store.WriteGate;
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                return store.BatchTransaction is { } batch
                    ? await InSavepointAsync(db, batch, work, cancellationToken).ConfigureAwait(false)
                    : await InTransactionAsync(db, work, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateConcurrencyException e)
            {
                var entry = e.Entries.Count > 0 ? e.Entries[0] : null;
                var what = entry is null ? "the row" : $"{entry.Metadata.GetTableName()} {entry.Property(nameof(Entity.Id)).CurrentValue}";
                throw new ConcurrencyConflictException($"{what} was changed by someone else since it was read; reload it and try again");
            }
            catch (DbUpdateException e) when (attempt < Attempts && DbErrors.IsUniqueRace(e, Retriable))
            {
                // Another transaction inserted the same number or row first; the next attempt sees it.
            }
            catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException && DbErrors.Classify(e) is { } violation)
            {
                // EF's own writes raise DbUpdateException; bulk inserts (BulkWrites) and deferred checks at commit raise the provider's.
                throw violation.Kind switch
                {
                    ConstraintKind.Unique => new ConcurrencyConflictException(violation.Describe()),
                    ConstraintKind.ForeignKey => new DomainRuleException("reference", violation.Describe()),
                    _ => new DomainRuleException(violation.Constraint, violation.Describe()),
                };
            }
            finally
            {
                gate?.Release();
            }
        }
    }

    private static async Task<T> InTransactionAsync<T>(OperationsDbContext db, Func<OperationsDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await work(db).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>A unit of work inside a write batch (<see cref="OperationsStore.BeginBatchAsync"/>): all or nothing within the batch's transaction.</summary>
    private static async Task<T> InSavepointAsync<T>(OperationsDbContext db, System.Data.Common.DbTransaction batch, Func<OperationsDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        const string savepoint = "unit_of_work";
        await batch.SaveAsync(savepoint, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await work(db).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await batch.ReleaseAsync(savepoint, cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch
        {
            await batch.RollbackAsync(savepoint, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="RunAsync{T}"/>, but a request that repeats an idempotency key (within <paramref name="keyScope"/>)
    /// does nothing and gets the first request's result back. The key is stored in the same transaction as the work.
    /// </summary>
    public static async Task<(T Result, bool Replayed)> RunIdempotentAsync<T>(
        OperationsStore store, OperationScope scope, string keyScope, string? key, Func<OperationsDbContext, Task<T>> work, CancellationToken cancellationToken)
    {
        if (key is null)
        {
            return (await RunAsync(store, scope, work, cancellationToken).ConfigureAwait(false), false);
        }

        if (key.Length is 0 or > 200)
        {
            throw ValidationFailedException.For("Idempotency-Key", "must be 1 to 200 characters");
        }

        return await RunAsync(store, scope, async db =>
        {
            var earlier = await db.IdempotencyKeys.AsNoTracking()
                .FirstOrDefaultAsync(k => k.Scope == keyScope && k.Key == key, cancellationToken).ConfigureAwait(false);
            if (earlier is not null)
            {
                return (JsonSerializer.Deserialize<T>(earlier.Response, ReplayJson)!, true);
            }

            var result = await work(db).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            db.IdempotencyKeys.Add(new IdempotencyRecord
            {
                Scope = keyScope,
                Key = key,
                StatusCode = 200,
                Response = JsonSerializer.Serialize(result, ReplayJson),
                CreatedAt = db.UtcNow,
            });
            return (result, false);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions ReplayJson = new() { IncludeFields = true };

    public static async Task<T> GetAsync<T>(this DbSet<T> set, long id, string entity, CancellationToken cancellationToken) where T : Entity =>
        await ById(set, id, cancellationToken).ConfigureAwait(false) ?? throw new NotFoundException(entity, id);

    private static Task<T?> ById<T>(DbSet<T> set, long id, CancellationToken cancellationToken) where T : Entity
    {
        var db = (OperationsDbContext)set.GetService<ICurrentDbContext>().Context;
        return CompiledById<T>.Query.For(db)(db, id, cancellationToken);
    }

    /// <summary>A row by its key as a compiled query: every use case reads a few, and a LINQ query is re-translated each time.</summary>
    private static class CompiledById<T> where T : Entity
    {
        public static readonly PerProvider<Func<OperationsDbContext, long, CancellationToken, Task<T?>>> Query =
            new(() => EF.CompileAsyncQuery((OperationsDbContext db, long id, CancellationToken _) => db.Set<T>().FirstOrDefault(e => e.Id == id)));
    }

    /// <summary>
    /// The row as the caller expects it: <paramref name="expectedVersion"/> (when given) is the version the client read,
    /// and a row that has moved on since is a conflict, not a silent overwrite.
    /// </summary>
    public static async Task<T> GetAsync<T>(this DbSet<T> set, long id, string entity, long? expectedVersion, CancellationToken cancellationToken) where T : Entity, IVersioned
    {
        var row = await set.GetAsync(id, entity, cancellationToken).ConfigureAwait(false);
        if (expectedVersion is { } v && v != row.Version)
        {
            throw new ConcurrencyConflictException($"{entity} {id} is at version {row.Version}, not {v}; reload it and try again");
        }

        return row;
    }
}

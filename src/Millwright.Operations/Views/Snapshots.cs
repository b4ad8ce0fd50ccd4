using System.Data;
using Microsoft.EntityFrameworkCore;
using Millwright.Operations.Data;

namespace Millwright.Operations.Views;

/// <summary>Reads for screens: untracked, in one transaction, so a page never mixes two moments of the store.</summary>
internal static class Snapshots
{
    public static async Task<T> ReadAsync<T>(OperationsStore store, Func<OperationsDbContext, Task<T>> read, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        return await read(db).ConfigureAwait(false);
    }
}

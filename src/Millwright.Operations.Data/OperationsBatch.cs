using System.Data.Common;

namespace Millwright.Operations.Data;

/// <summary>
/// A write batch opened by <see cref="OperationsStore.BeginBatchAsync"/>: units of work run on <see cref="Store"/> join
/// one transaction, each in a savepoint, and become durable together at <see cref="CommitAsync"/>. Disposing a batch that
/// was not committed rolls all of them back.
/// </summary>
public sealed class OperationsBatch : IAsyncDisposable
{
    private readonly SemaphoreSlim? _gate;
    private bool _ended;

    internal OperationsBatch(OperationsStore parent, DbConnection connection, DbTransaction transaction, SemaphoreSlim? gate, Func<OperationsStore, OperationsBatch, OperationsStore> store)
    {
        Connection = connection;
        Transaction = transaction;
        _gate = gate;
        Store = store(parent, this);
    }

    /// <summary>The store whose units of work write in this batch (reads through it see the batch's writes).</summary>
    public OperationsStore Store { get; }

    internal DbConnection Connection { get; }

    internal DbTransaction Transaction { get; }

    /// <summary>Commits every unit of work of the batch at once; the batch is over after it.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_ended, this);
        await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await EndAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ended)
        {
            return;
        }

        try
        {
            await Transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await EndAsync().ConfigureAwait(false);
        }
    }

    private async Task EndAsync()
    {
        _ended = true;
        await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        _gate?.Release();
    }
}

using System.Diagnostics;
using System.Globalization;
using Millwright.Warehouse;
using Millwright.Warehouse.Export;

namespace Millwright.Web.Explorer;

/// <summary>One column of an explorer answer.</summary>
internal sealed record ExplorerColumn(string Name, string Type, bool Numeric);

/// <summary>An explorer answer: at most the row limit, whether more rows were left, how long it took and what data it read.</summary>
internal sealed record ExplorerResult(IReadOnlyList<ExplorerColumn> Columns, IReadOnlyList<object?[]> Rows, bool Truncated, TimeSpan Elapsed, DateTimeOffset DataAsOf);

/// <summary>A query the explorer refused or the engine failed, with the engine's message (and line and column).</summary>
internal sealed class ExplorerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The SQL explorer's engine: queries run on the warehouse's read-only view (<see cref="IWarehouse.OpenReadOnlyAsync"/>),
/// never on the warehouse itself, with a row limit and a timeout; cancelling stops the engine. The view is taken again
/// when the warehouse has new data (a materialization moves the dashboards' data version) and the view is older than
/// half a minute, or when asked; a view being read is dropped only after its last query.
/// </summary>
internal sealed class SqlExplorer(IWarehouse warehouse, Millwright.Dashboards.DashboardEngine dashboards, Workspace.LoadedSettings loaded, TimeProvider clock) : IAsyncDisposable
{
    /// <summary>Whether queries read a snapshot taken when the view opened (so "data as of" means something), or the live warehouse.</summary>
    public bool ReadsSnapshot => warehouse.Engine.Capabilities().ReadOnlyViewIsSnapshot;

    public const int MaxRows = 100_000;
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Stale = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private View? _view;

    private string WorkFolder => Path.Combine(loaded.Workspace.StateDirectory, "explorer");

    /// <summary>When the data the next query reads was taken, or null before the first query.</summary>
    public DateTimeOffset? DataAsOf => _view?.TakenAt;

    public async Task<ExplorerResult> RunAsync(string sql, int limit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ExplorerException("write a query first");
        }

        limit = Math.Clamp(limit, 1, MaxRows);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout <= TimeSpan.Zero || timeout > MaxTimeout ? MaxTimeout : timeout);
        var view = await LeaseAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var clockStarted = Stopwatch.StartNew();
            await using var result = await view.Warehouse.QueryAsync(sql, bounded.Token).ConfigureAwait(false);
            var columns = result.Columns.Select(c => new ExplorerColumn(c.Name, c.EngineType, IsNumeric(c.Type))).ToList();
            var rows = new List<object?[]>();
            var truncated = false;
            while (await result.ReadAsync(bounded.Token).ConfigureAwait(false))
            {
                if (rows.Count == limit)
                {
                    truncated = true;
                    break;
                }

                var row = new object?[columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = Plain(result.GetValue(i));
                }

                rows.Add(row);
            }

            return new ExplorerResult(columns, rows, truncated, clockStarted.Elapsed, view.TakenAt);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExplorerException($"the query ran longer than its {Describe(timeout)} timeout and was stopped");
        }
        catch (WarehouseException e)
        {
            throw new ExplorerException(e.Message, e);
        }
        finally
        {
            await view.ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes every row of the query (no row limit) as CSV or Parquet.</summary>
    public async Task ExportAsync(string sql, ExportFormat format, Stream output, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout <= TimeSpan.Zero || timeout > MaxTimeout ? MaxTimeout : timeout);
        var view = await LeaseAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var result = await view.Warehouse.QueryAsync(sql, bounded.Token).ConfigureAwait(false);
            await ResultExport.WriteAsync(result, format, output, null, bounded.Token).ConfigureAwait(false);
        }
        catch (WarehouseException e)
        {
            throw new ExplorerException(e.Message, e);
        }
        finally
        {
            await view.ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Schemas with their tables and views, as the read-only view has them.</summary>
    public async Task<IReadOnlyList<RelationInfo>> RelationsAsync(CancellationToken cancellationToken)
    {
        var view = await LeaseAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            return (await view.Warehouse.ListRelationsAsync(null, cancellationToken).ConfigureAwait(false))
                .ToList();
        }
        finally
        {
            await view.ReleaseAsync().ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(RelationName relation, CancellationToken cancellationToken)
    {
        var view = await LeaseAsync(refresh: false, cancellationToken).ConfigureAwait(false);
        try
        {
            return await view.Warehouse.GetColumnsAsync(relation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await view.ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Takes the read-only view again now, whatever its age.</summary>
    public async Task<DateTimeOffset> RefreshAsync(CancellationToken cancellationToken)
    {
        var view = await LeaseAsync(refresh: true, cancellationToken).ConfigureAwait(false);
        await view.ReleaseAsync().ConfigureAwait(false);
        return view.TakenAt;
    }

    private async Task<View> LeaseAsync(bool refresh, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var version = dashboards.DataVersion;
            var now = clock.GetUtcNow();
            if (_view is { } current && !refresh && (current.Version == version || now - current.TakenAt < Stale))
            {
                current.Acquire();
                return current;
            }

            if (_view is null && Directory.Exists(WorkFolder))
            {
                // Snapshots a host killed earlier left behind: only this host reads this folder.
                foreach (var stale in Directory.EnumerateDirectories(WorkFolder, "snapshot-*"))
                {
                    Directory.Delete(stale, recursive: true);
                }
            }

            View next;
            try
            {
                next = new View(await warehouse.OpenReadOnlyAsync(WorkFolder, cancellationToken).ConfigureAwait(false), version, now);
            }
            catch (WarehouseException e)
            {
                throw new ExplorerException($"the warehouse's read-only view could not be opened: {e.Message}", e);
            }

            var previous = _view;
            _view = next;
            next.Acquire();
            if (previous is not null)
            {
                await previous.RetireAsync().ConfigureAwait(false);
            }

            return next;
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_view is { } view)
        {
            _view = null;
            await view.RetireAsync().ConfigureAwait(false);
        }

        _refresh.Dispose();
    }

    private static bool IsNumeric(LogicalType type) => type is LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 or LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal;

    /// <summary>Numbers, booleans and null as they are; everything else as the text the CSV export writes.</summary>
    private static object? Plain(object? value) => value switch
    {
        null or DBNull => null,
        bool or byte or short or int or long or float or double or decimal => value,
        System.Numerics.BigInteger big => (decimal)big,
        _ => ResultExport.FormatText(value),
    };

    private static string Describe(TimeSpan timeout) => timeout.TotalSeconds < 60
        ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMinutes:0.#} min");

    /// <summary>A read-only view and the queries reading it; retired, it goes once the last of them ends.</summary>
    private sealed class View(IWarehouse warehouse, long version, DateTimeOffset takenAt)
    {
        private int _users = 1; // the explorer's own hold, let go when retired
        private int _disposed;

        public IWarehouse Warehouse => warehouse;

        public long Version => version;

        public DateTimeOffset TakenAt => takenAt;

        public void Acquire() => Interlocked.Increment(ref _users);

        public ValueTask ReleaseAsync() => Interlocked.Decrement(ref _users) == 0 ? DisposeOnceAsync() : ValueTask.CompletedTask;

        public ValueTask RetireAsync() => ReleaseAsync();

        private ValueTask DisposeOnceAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? warehouse.DisposeAsync() : ValueTask.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Millwright.Warehouse;

namespace Millwright.Dashboards;

/// <summary>
/// Runs cards on the warehouse with the viewer's filters bound as parameters, and keeps answers by query, parameters
/// and data version: a materialization moves the version (<see cref="Invalidate"/>), so the next view reads again; an
/// unchanged card answers from memory. A card returns at most <see cref="RowLimit"/> rows (and says so).
/// </summary>
public sealed class DashboardEngine(IWarehouse warehouse, TimeProvider clock)
{
    public const int RowLimit = 5000;
    private const int CacheEntries = 1000;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private readonly ConcurrentDictionary<string, (long Version, DateTimeOffset At, CardData Data)> _cache = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>The data version answers are cached under.</summary>
    public long DataVersion => Interlocked.Read(ref _version);

    /// <summary>The warehouse's data changed (a materialization, a load): cached answers are stale.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    public Task<CardData> RunAsync(DashboardDefinition dashboard, CardDefinition card, FilterValues values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(card);
        return RunAsync(CardQuery.Build(card.Sql, dashboard.Filters, values, Today()), cancellationToken);
    }

    /// <summary>The rows behind the point <paramref name="x"/> of a card: its drill query, or its own rows where x equals the point.</summary>
    public Task<CardData> DrillAsync(DashboardDefinition dashboard, CardDefinition card, FilterValues values, string x, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(card);
        var sql = card.DrillSql ?? $"SELECT * FROM ({card.Sql}) AS card WHERE CAST(card.{warehouse.Dialect.QuoteIdentifier(card.X ?? throw new DashboardException($"card {card.Id} has no x to drill into"))} AS VARCHAR) = {{{{point}}}}";
        return RunAsync(CardQuery.Build(sql, dashboard.Filters, values, Today(), x), cancellationToken);
    }

    /// <summary>The values a choice filter offers (its options query's first column).</summary>
    public async Task<IReadOnlyList<string>> OptionsAsync(FilterDefinition filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.OptionsSql is null)
        {
            return [];
        }

        var data = await RunAsync(new CardQuery(filter.OptionsSql, []), cancellationToken).ConfigureAwait(false);
        return [.. data.Rows.Select(r => Warehouse.Export.ResultExport.FormatText(r[0])).Where(v => v.Length > 0)];
    }

    /// <summary>Every row of a card (no row limit) written as CSV, Parquet or JSON.</summary>
    public async Task<long> ExportAsync(DashboardDefinition dashboard, CardDefinition card, FilterValues values, Warehouse.Export.ExportFormat format, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        ArgumentNullException.ThrowIfNull(card);
        var query = CardQuery.Build(card.Sql, dashboard.Filters, values, Today());
        await using var result = await warehouse.QueryAsync(query.Sql, query.Parameters, cancellationToken).ConfigureAwait(false);
        return await Warehouse.Export.ResultExport.WriteAsync(result, format, output, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<CardData> RunAsync(CardQuery query, CancellationToken cancellationToken)
    {
        var version = DataVersion;
        var key = query.Sql + "\u0001" + string.Join("\u0002", query.Parameters.Select(p => p switch
        {
            null => "∅",
            DateOnly d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            _ => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture),
        }));
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var hit) && hit.Version == version && now - hit.At < Lifetime)
        {
            return hit.Data with { Cached = true, Elapsed = TimeSpan.Zero };
        }

        var watch = Stopwatch.StartNew();
        await using var result = await warehouse.QueryAsync(query.Sql, query.Parameters, cancellationToken).ConfigureAwait(false);
        var rows = new List<object?[]>();
        var truncated = false;
        await foreach (var row in result.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (rows.Count == RowLimit)
            {
                truncated = true;
                break;
            }

            rows.Add(row);
        }

        var data = new CardData([.. result.Columns.Select(c => new CardColumn(c.Name, c.Type))], rows, false, watch.Elapsed, truncated);
        if (_cache.Count >= CacheEntries)
        {
            _cache.Clear();
        }

        _cache[key] = (version, now, data);
        return data;
    }

    private DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}

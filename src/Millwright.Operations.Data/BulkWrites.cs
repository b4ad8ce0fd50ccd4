using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>
/// Set-based writes for high-volume rows that carry no audit entry (telemetry, machine states, charge sessions):
/// multi-row INSERTs and prepared UPDATEs in the unit of work's own transaction, with their change-feed rows, so a
/// day of a fleet's readings costs a handful of statements instead of one tracked entity each. Values go through the
/// model's type mappings (enum names, UTC times, decimals), exactly as a tracked save would write them.
/// </summary>
internal static class BulkWrites
{
    private const int MaxParameters = 30_000;

    /// <summary>Inserts <paramref name="rows"/> (ids are assigned by the database) and one change-feed row each.</summary>
    public static async Task InsertAsync<T>(this OperationsDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : Entity
    {
        if (!typeof(INotAudited).IsAssignableFrom(typeof(T)))
        {
            throw new InvalidOperationException($"{typeof(T).Name} is audited: its rows are saved through the change tracker, which writes the audit entries");
        }

        if (rows.Count == 0)
        {
            return;
        }

        foreach (var row in rows)
        {
            if (row is IVersioned versioned)
            {
                versioned.Version = 1;
            }
        }

        var ids = await InsertRowsAsync(db, rows, returnIds: true, cancellationToken).ConfigureAwait(false);
        await FeedAsync(db, typeof(T), ids, ChangeOperation.Insert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Inserts rows that are themselves the record of a change (change feed, audit log): no feed rows of their own.</summary>
    public static async Task InsertWithoutFeedAsync<T>(this OperationsDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : Entity
    {
        if (rows.Count > 0)
        {
            await InsertRowsAsync(db, rows, returnIds: false, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Sets one column of many rows (bumping the version of versioned rows) and records each change in the feed.</summary>
    public static async Task UpdateAsync<T>(this OperationsDbContext db, string propertyName, IReadOnlyList<(long Id, object Value)> changes, CancellationToken cancellationToken) where T : Entity
    {
        if (changes.Count == 0)
        {
            return;
        }

        var (entityType, table, store) = Table(db, typeof(T));
        var property = entityType.FindProperty(propertyName) ?? throw new ArgumentException($"{typeof(T).Name} has no property {propertyName}", nameof(propertyName));
        var versioned = typeof(IVersioned).IsAssignableFrom(typeof(T));
        await using var command = NewCommand(db);
        command.CommandText = $"UPDATE {Quote(table)} SET {Quote(property.GetColumnName(store)!)} = @value{(versioned ? ", version = version + 1" : "")} WHERE id = @id";
        var mapping = (RelationalTypeMapping)property.GetTypeMapping();
        var value = mapping.CreateParameter(command, "@value", changes[0].Value);
        var id = Parameter(entityType, nameof(Entity.Id), command, "@id", 0L);
        command.Parameters.Add(value);
        command.Parameters.Add(id);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        foreach (var change in changes)
        {
            value.Value = mapping.Converter is { } converter ? converter.ConvertToProvider(change.Value) : change.Value;
            id.Value = change.Id;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await FeedAsync(db, typeof(T), [.. changes.Select(c => c.Id)], ChangeOperation.Update, cancellationToken).ConfigureAwait(false);
    }

    private static async Task FeedAsync(OperationsDbContext db, Type entityType, List<long> ids, ChangeOperation operation, CancellationToken cancellationToken)
    {
        if (db.Provider == OperationsProvider.Postgres)
        {
            // The same ordering lock a tracked save takes: feed ids become visible in id order.
            await using var lockCommand = NewCommand(db);
            lockCommand.CommandText = "SELECT pg_advisory_xact_lock(727274)";
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var now = db.UtcNow;
        var table = OperationsDbContext.TableOf(entityType);
        if (operation == ChangeOperation.Insert && ids.Count > 1 && ids.Max() - ids.Min() + 1 == ids.Count)
        {
            // The rows just inserted hold one contiguous id range: their feed rows come from one INSERT ... SELECT.
            var (feedType, feedTable, store) = Table(db, typeof(ChangeFeedEntry));
            string Column(string property) => Quote(feedType.FindProperty(property)!.GetColumnName(store)!);
            await using var command = NewCommand(db);
            command.CommandText = $"INSERT INTO {Quote(feedTable)} ({Column(nameof(ChangeFeedEntry.OccurredAt))}, {Column(nameof(ChangeFeedEntry.Table))}, "
                + $"{Column(nameof(ChangeFeedEntry.EntityId))}, {Column(nameof(ChangeFeedEntry.Operation))}) "
                + $"SELECT @at, @table, id, @operation FROM {Quote(table)} WHERE id BETWEEN @first AND @last ORDER BY id";
            command.Parameters.Add(Parameter(feedType, nameof(ChangeFeedEntry.OccurredAt), command, "@at", now));
            command.Parameters.Add(Parameter(feedType, nameof(ChangeFeedEntry.Table), command, "@table", table));
            command.Parameters.Add(Parameter(feedType, nameof(ChangeFeedEntry.Operation), command, "@operation", operation));
            command.Parameters.Add(Parameter(feedType, nameof(ChangeFeedEntry.EntityId), command, "@first", ids.Min()));
            command.Parameters.Add(Parameter(feedType, nameof(ChangeFeedEntry.EntityId), command, "@last", ids.Max()));
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var feed = ids.Select(id => new ChangeFeedEntry { OccurredAt = now, Table = table, EntityId = id, Operation = operation }).ToList();
        await InsertRowsAsync(db, feed, returnIds: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// SQLite: one prepared single-row INSERT executed per row (in-process, a statement costs microseconds; wider
    /// statements measured slower, as named parameters are looked up one by one). PostgreSQL: multi-row INSERTs, so a
    /// round trip carries up to a thousand rows.
    /// </summary>
    private static async Task<List<long>> InsertRowsAsync<T>(OperationsDbContext db, IReadOnlyList<T> rows, bool returnIds, CancellationToken cancellationToken)
    {
        var (entityType, table, store) = Table(db, typeof(T));
        var properties = entityType.GetProperties().Where(p => !p.IsPrimaryKey()).ToList();
        var mappings = properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToList();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(store)!)));
        var perStatement = db.Provider == OperationsProvider.Sqlite ? 1 : Math.Max(1, Math.Min(1000, MaxParameters / properties.Count));
        var ids = new List<long>(returnIds ? rows.Count : 0);
        DbCommand? prepared = null;
        try
        {
            for (var offset = 0; offset < rows.Count; offset += perStatement)
            {
                var count = Math.Min(perStatement, rows.Count - offset);
                DbCommand command;
                if (prepared is not null && count == perStatement)
                {
                    command = prepared;
                    for (var r = 0; r < count; r++)
                    {
                        for (var c = 0; c < properties.Count; c++)
                        {
                            var value = properties[c].GetGetter().GetClrValue(rows[offset + r]!);
                            command.Parameters[(r * properties.Count) + c].Value = value is null ? DBNull.Value : mappings[c].Converter is { } converter ? converter.ConvertToProvider(value) : value;
                        }
                    }
                }
                else
                {
                    command = NewCommand(db);
                    var sql = new StringBuilder("INSERT INTO ").Append(Quote(table)).Append(" (").Append(columns).Append(") VALUES ");
                    var n = 0;
                    for (var r = 0; r < count; r++)
                    {
                        sql.Append(r == 0 ? "(" : ", (");
                        for (var c = 0; c < properties.Count; c++)
                        {
                            var name = $"@p{n++}";
                            sql.Append(c == 0 ? name : ", " + name);
                            var value = properties[c].GetGetter().GetClrValue(rows[offset + r]!);
                            command.Parameters.Add(mappings[c].CreateParameter(command, name, value, properties[c].IsNullable));
                        }

                        sql.Append(')');
                    }

                    command.CommandText = sql.Append(returnIds ? " RETURNING id" : "").ToString();
                    if (db.Provider == OperationsProvider.Sqlite && count == perStatement)
                    {
                        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                        prepared = command;
                    }
                }

                try
                {
                    if (!returnIds)
                    {
                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        ids.Add(reader.GetInt64(0));
                    }
                }
                finally
                {
                    if (command != prepared)
                    {
                        await command.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            if (prepared is not null)
            {
                await prepared.DisposeAsync().ConfigureAwait(false);
            }
        }

        return ids;
    }

    private static DbParameter Parameter(IEntityType entityType, string property, DbCommand command, string name, object value) =>
        ((RelationalTypeMapping)entityType.FindProperty(property)!.GetTypeMapping()).CreateParameter(command, name, value, nullable: false);

    private static (IEntityType EntityType, string Table, StoreObjectIdentifier Store) Table(OperationsDbContext db, Type type)
    {
        var entityType = db.Model.FindEntityType(type) ?? throw new ArgumentException($"{type.Name} is not in the operational model", nameof(type));
        var table = entityType.GetTableName()!;
        return (entityType, table, StoreObjectIdentifier.Table(table, entityType.GetSchema()));
    }

    private static DbCommand NewCommand(OperationsDbContext db)
    {
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("bulk writes run inside a unit of work's transaction");
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        return command;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

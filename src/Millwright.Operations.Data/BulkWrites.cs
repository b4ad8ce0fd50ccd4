using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>
/// Writes that skip the change tracker, in the unit of work's own transaction: the audit and change-feed rows of
/// every save, and high-volume rows that carry no audit entry (telemetry, machine states, charge sessions) with their
/// change-feed rows, so a day of a fleet's readings costs a few statements instead of one tracked entity each. Values
/// go through the model's type mappings (enum names, UTC times, decimals), exactly as a tracked save would write them.
/// </summary>
internal static class BulkWrites
{
    private const int MaxParameters = 30_000;

    /// <summary>Inserts <paramref name="rows"/> (each gets the id the database assigned) and one change-feed row each.</summary>
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
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Id = ids[i];
        }

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

    private static async Task<long> LastRowIdAsync(OperationsDbContext db, CancellationToken cancellationToken)
    {
        await using var command = NewCommand(db);
        command.CommandText = "SELECT last_insert_rowid()";
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task FeedAsync(OperationsDbContext db, Type entityType, List<long> ids, ChangeOperation operation, CancellationToken cancellationToken)
    {
        await db.LockFeedAsync(cancellationToken).ConfigureAwait(false);
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
    /// Inserts rows in the unit of work's transaction and returns their new ids in row order. SQLite: one prepared
    /// single-row INSERT, rebound and executed per row (in-process, a statement costs microseconds; wider statements
    /// measured slower, as named parameters are looked up one by one). PostgreSQL: multi-row INSERTs of up to a
    /// thousand rows, whose RETURNING gives the ids in VALUES order.
    /// </summary>
    private static async Task<List<long>> InsertRowsAsync<T>(OperationsDbContext db, IReadOnlyList<T> rows, bool returnIds, CancellationToken cancellationToken)
    {
        var (entityType, table, store) = Table(db, typeof(T));
        var properties = entityType.GetProperties().Where(p => !p.IsPrimaryKey()).ToList();
        var mappings = properties.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToList();
        var columns = string.Join(", ", properties.Select(p => Quote(p.GetColumnName(store)!)));
        var ids = new List<long>(returnIds ? rows.Count : 0);

        DbCommand Build(int offset, int count, bool returning)
        {
            var command = NewCommand(db);
            var sql = new StringBuilder("INSERT INTO ").Append(Quote(table)).Append(" (").Append(columns).Append(") VALUES ");
            for (var r = 0; r < count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < properties.Count; c++)
                {
                    var name = $"@p{(r * properties.Count) + c}";
                    sql.Append(c == 0 ? name : ", " + name);
                    command.Parameters.Add(mappings[c].CreateParameter(command, name, properties[c].GetGetter().GetClrValue(rows[offset + r]!), properties[c].IsNullable));
                }

                sql.Append(')');
            }

            command.CommandText = sql.Append(returning ? " RETURNING id" : "").ToString();
            return command;
        }

        async Task ExecuteAsync(DbCommand command)
        {
            if (!returnIds)
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                return;
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        if (db.Provider == OperationsProvider.Sqlite)
        {
            // No RETURNING (a result set per row): inside the unit of work's transaction this connection is the only
            // writer, so the rows take consecutive rowids, read once after the first row and once after the last.
            await using var command = Build(0, 1, returning: false);
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            long first = 0;
            for (var r = 0; r < rows.Count; r++)
            {
                if (r > 0)
                {
                    for (var c = 0; c < properties.Count; c++)
                    {
                        var value = properties[c].GetGetter().GetClrValue(rows[r]!);
                        command.Parameters[c].Value = value is null ? DBNull.Value : mappings[c].Converter is { } converter ? converter.ConvertToProvider(value) : value;
                    }
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (r == 0 && returnIds)
                {
                    first = await LastRowIdAsync(db, cancellationToken).ConfigureAwait(false);
                }
            }

            if (returnIds)
            {
                var last = rows.Count == 1 ? first : await LastRowIdAsync(db, cancellationToken).ConfigureAwait(false);
                if (last - first + 1 != rows.Count)
                {
                    throw new InvalidOperationException($"{table}: {rows.Count} rows took ids {first} to {last}, not one consecutive range");
                }

                for (var id = first; id <= last; id++)
                {
                    ids.Add(id);
                }
            }

            return ids;
        }

        var perStatement = Math.Max(1, Math.Min(1000, MaxParameters / properties.Count));
        for (var offset = 0; offset < rows.Count; offset += perStatement)
        {
            await using var command = Build(offset, Math.Min(perStatement, rows.Count - offset), returnIds);
            await ExecuteAsync(command).ConfigureAwait(false);
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

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Millwright.Domain;
using Npgsql;

namespace Millwright.Operations.Data;

/// <summary>Where the operational database lives and how to open it: a SQLite file (default) or PostgreSQL.</summary>
public sealed class OperationsStore : IAsyncDisposable
{
    private readonly PooledDbContextFactory<SqliteOperationsDbContext>? _sqlite;
    private readonly PooledDbContextFactory<PostgresOperationsDbContext>? _postgres;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly string? _sqliteConnectionString;

    // A batch's store: contexts on the batch's connection, inside its transaction (see BeginBatchAsync).
    private readonly OperationsBatch? _batch;
    private readonly DbContextOptions? _batchOptions;

    private OperationsStore(string target, DbContextOptions<SqliteOperationsDbContext> sqlite, string connectionString)
    {
        Target = target;
        Provider = OperationsProvider.Sqlite;
        _sqlite = new PooledDbContextFactory<SqliteOperationsDbContext>(sqlite);
        _sqliteConnectionString = connectionString;
        WriteGate = new SemaphoreSlim(1, 1);
    }

    private OperationsStore(OperationsStore parent, OperationsBatch batch)
    {
        Target = parent.Target;
        Provider = parent.Provider;
        Clock = parent.Clock;
        _batch = batch;
        _batchOptions = Provider == OperationsProvider.Sqlite
            ? new DbContextOptionsBuilder<SqliteOperationsDbContext>().UseSqlite(batch.Connection, o => o.MigrationsHistoryTable("__ef_migrations_history")).Options
            : new DbContextOptionsBuilder<PostgresOperationsDbContext>().UseNpgsql(batch.Connection, o => o.MigrationsHistoryTable("__ef_migrations_history")).Options;
    }

    private OperationsStore(string target, NpgsqlDataSource dataSource)
    {
        Target = target;
        Provider = OperationsProvider.Postgres;
        _dataSource = dataSource;
        _postgres = new PooledDbContextFactory<PostgresOperationsDbContext>(new DbContextOptionsBuilder<PostgresOperationsDbContext>()
            .UseNpgsql(dataSource, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .Options);
    }

    public OperationsProvider Provider { get; }

    /// <summary>
    /// SQLite has one writer at a time. Writers of this store queue here, in order, instead of in SQLite's busy
    /// handler, which sleeps and retries and turns contention into second-long tails. Null for PostgreSQL.
    /// </summary>
    internal SemaphoreSlim? WriteGate { get; }

    /// <summary>The transaction of the batch this store writes in (each unit of work a savepoint of it); null outside a batch.</summary>
    internal System.Data.Common.DbTransaction? BatchTransaction => _batch?.Transaction;

    /// <summary>The file or server (password masked by the caller's settings), for messages.</summary>
    public string Target { get; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A SQLite file; its folder is created when missing. <paramref name="clock"/> stamps every write (default: the system clock).</summary>
    public static OperationsStore Sqlite(string path, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Pooling = true,
            DefaultTimeout = 30,
            ForeignKeys = true,
        }.ToString();
        var options = new DbContextOptionsBuilder<SqliteOperationsDbContext>()
            .UseSqlite(connection, o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .AddInterceptors(SqliteCheckpointing.Instance)
            .Options;
        return new OperationsStore(full, options, connection) { Clock = clock ?? TimeProvider.System };
    }

    public static OperationsStore Postgres(string connectionString, string? displayTarget = null, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return new OperationsStore(displayTarget ?? "PostgreSQL", NpgsqlDataSource.Create(WithPoolDefaults(connectionString))) { Clock = clock ?? TimeProvider.System };
    }

    /// <summary>
    /// Unless the connection string says otherwise, a pooled connection is not reset with DISCARD ALL when it goes
    /// back to the pool (a round trip after every unit of work; nothing here leaves session state behind), and a
    /// statement run often is prepared once per connection, so PostgreSQL stops parsing and planning it each time.
    /// </summary>
    public static string WithPoolDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);

        // Keywords as the user wrote them ("No Reset On Close" or "NoResetOnClose"): a value they set is kept.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!given.Contains("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!given.Contains("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 100;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// Opens a write batch: one connection and one transaction, which every unit of work run on the batch's
    /// <see cref="OperationsBatch.Store"/> joins inside a savepoint of its own (one that fails rolls back alone and
    /// raises its error as usual), all made durable together by <see cref="OperationsBatch.CommitAsync"/>: one commit,
    /// and on SQLite one sync to disk, instead of one per unit of work. For a single writer producing many small units
    /// of work in a row, such as the simulator writing a day of history. Nothing is visible to other connections
    /// before the commit; on SQLite the batch holds the store's write gate until it ends, so other writers of this
    /// store wait for it.
    /// </summary>
    public async Task<OperationsBatch> BeginBatchAsync(CancellationToken cancellationToken = default)
    {
        if (_batch is not null)
        {
            throw new InvalidOperationException("a batch's store cannot open another batch");
        }

        if (WriteGate is not null)
        {
            await WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        System.Data.Common.DbConnection? connection = null;
        try
        {
            if (Provider == OperationsProvider.Sqlite)
            {
                connection = new SqliteConnection(_sqliteConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                SqliteCheckpointing.Apply(connection);
            }
            else
            {
                connection = await _dataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            }

            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            return new OperationsBatch(this, connection, transaction, WriteGate, (parent, batch) => new OperationsStore(parent, batch));
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            WriteGate?.Release();
            throw;
        }
    }

    /// <summary>A context for one unit of work, saving as <paramref name="scope"/>. Dispose it after the work.</summary>
    public OperationsDbContext CreateContext(OperationScope? scope = null)
    {
        // Contexts come from a pool (a rented one is reset, so nothing of its last unit of work remains but what is set
        // here); a batch's are made on its connection and enlisted in its transaction.
        OperationsDbContext context = _batch is not null
            ? (Provider == OperationsProvider.Sqlite ? new SqliteOperationsDbContext((DbContextOptions<SqliteOperationsDbContext>)_batchOptions!) : new PostgresOperationsDbContext((DbContextOptions<PostgresOperationsDbContext>)_batchOptions!))
            : Provider == OperationsProvider.Sqlite ? _sqlite!.CreateDbContext() : _postgres!.CreateDbContext();
        if (_batch is not null)
        {
            context.Database.UseTransaction(_batch.Transaction);
        }

        context.Rent();
        context.Clock = Clock;
        context.Scope = scope ?? OperationScope.For(Actor.System);
        context.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.TrackAll;

        // A unit of work is one transaction that commits whole or rolls back whole: a savepoint around each save
        // inside it (EF's default) would only add two statements a save.
        context.Database.AutoSavepointsEnabled = false;

        return context;
    }

    /// <summary>
    /// The CLR type behind every column of the store, keyed <c>table.column</c> (after value conversions: an enum
    /// stored by name is a string). What a reader of the raw tables cannot tell from SQLite's declared types.
    /// </summary>
    public IReadOnlyDictionary<string, Type> ColumnTypes()
    {
        using var db = CreateContext();
        var types = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is not { } table)
            {
                continue;
            }

            var store = Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                if (property.GetColumnName(store) is { } column)
                {
                    var clr = property.GetValueConverter()?.ProviderClrType ?? property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
                    types[$"{table}.{column}"] = Nullable.GetUnderlyingType(clr) ?? clr;
                }
            }
        }

        return types;
    }

    /// <summary>Applies every pending migration; returns the names of those applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (Provider == OperationsProvider.Sqlite)
        {
            // Readers never block the writer and the writer never blocks readers; the setting stays with the file.
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        }

        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return pending;
    }

    /// <summary>Migrations that the code has and the database lacks.</summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        return [.. await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)];
    }

    /// <summary>Connects and compares the schema with the code: "schema current" or the number of pending migrations.</summary>
    public async Task<string> CheckAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        if (!await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"cannot connect to the operational store at {Target}");
        }

        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).Count();
        return pending == 0
            ? $"schema current ({(await context.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).Count()} migrations)"
            : throw new InvalidOperationException($"{pending} migration(s) pending: run `millwright ops migrate`");
    }

    public async ValueTask DisposeAsync()
    {
        if (_batch is not null)
        {
            return;
        }

        WriteGate?.Dispose();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// SQLite copies its write-ahead log back into the database file (a checkpoint, with an fsync of the file) inside the
/// commit that pushes the log past wal_autocheckpoint pages: 1,000 by default, so every few hundred small
/// transactions one of them pays for a checkpoint. A larger threshold checkpoints less often and copies a page that
/// many transactions changed once; every commit is still synced as before (synchronous is not touched).
/// </summary>
internal sealed class SqliteCheckpointing : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public const int Pages = 16_000;

    public static SqliteCheckpointing Instance { get; } = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
        Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    public static void Apply(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_autocheckpoint={Pages}";
        command.ExecuteNonQuery();
    }
}

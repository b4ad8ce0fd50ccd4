using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage;
using Millwright.Domain;

namespace Millwright.Operations.Data;

/// <summary>
/// The operational database. Every save is one transaction that also writes an audit row per changed row (actor,
/// before/after JSON, correlation id) and a change-feed row per changed row; append-only tables refuse updates and
/// deletes; versioned rows get their version bumped and a stale version fails the save.
/// </summary>
public abstract class OperationsDbContext : DbContext
{
    private static readonly JsonSerializerOptions AuditJson = new() { WriteIndented = false };

    protected OperationsDbContext(DbContextOptions options) : base(options)
    {
    }

    /// <summary>Who is saving: stamped on audit rows.</summary>
    public OperationScope Scope { get; set; } = OperationScope.For(Actor.System);

    public TimeProvider Clock { get; set; } = TimeProvider.System;

    // The transaction that already holds the change feed's lock (PostgreSQL): a second save in it need not ask again.
    private Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? _feedLockedBy;

    /// <summary>Forgets what the last unit of work on this pooled context held.</summary>
    internal void Rent() => _feedLockedBy = null;

    /// <summary>
    /// PostgreSQL: change-feed ids must become visible in id order, or an incremental reader could skip a row whose
    /// transaction commits late. Whatever writes feed rows takes this lock first; it is held until commit, so one
    /// transaction at a time appends to the feed. Asked once per transaction (SQLite has one writer anyway).
    /// </summary>
    internal async Task LockFeedAsync(CancellationToken cancellationToken)
    {
        var transaction = Database.CurrentTransaction;
        if (Provider != OperationsProvider.Postgres || (transaction is not null && ReferenceEquals(_feedLockedBy, transaction)))
        {
            return;
        }

        _feedLockedBy = transaction;
        await Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(727274)", cancellationToken).ConfigureAwait(false);
    }

    public abstract OperationsProvider Provider { get; }

    public DateTime UtcNow => Clock.GetUtcNow().UtcDateTime;

    public DbSet<CostCenter> CostCenters => Set<CostCenter>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<StockLocation> StockLocations => Set<StockLocation>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Asset> Assets => Set<Asset>();
    public DbSet<VehicleModel> VehicleModels => Set<VehicleModel>();
    public DbSet<Vehicle> Vehicles => Set<Vehicle>();
    public DbSet<ProductionLine> ProductionLines => Set<ProductionLine>();
    public DbSet<Equipment> Equipment => Set<Equipment>();
    public DbSet<BatteryPack> BatteryPacks => Set<BatteryPack>();
    public DbSet<BatteryPackInstallation> BatteryPackInstallations => Set<BatteryPackInstallation>();
    public DbSet<Mechanic> Mechanics => Set<Mechanic>();
    public DbSet<MechanicSkill> MechanicSkills => Set<MechanicSkill>();
    public DbSet<Supplier> Suppliers => Set<Supplier>();
    public DbSet<Part> Parts => Set<Part>();
    public DbSet<SupplierPart> SupplierParts => Set<SupplierPart>();
    public DbSet<DiagnosticCode> DiagnosticCodes => Set<DiagnosticCode>();
    public DbSet<PmPlan> PmPlans => Set<PmPlan>();
    public DbSet<StockBalance> StockBalances => Set<StockBalance>();
    public DbSet<InventoryMovement> InventoryMovements => Set<InventoryMovement>();
    public DbSet<PurchaseOrder> PurchaseOrders => Set<PurchaseOrder>();
    public DbSet<PurchaseOrderLine> PurchaseOrderLines => Set<PurchaseOrderLine>();
    public DbSet<ServiceOrder> ServiceOrders => Set<ServiceOrder>();
    public DbSet<ServiceOrderStatusChange> StatusHistory => Set<ServiceOrderStatusChange>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<WorkEvent> WorkEvents => Set<WorkEvent>();
    public DbSet<LaborEntry> LaborEntries => Set<LaborEntry>();
    public DbSet<OrderPart> OrderParts => Set<OrderPart>();
    public DbSet<Diagnosis> Diagnoses => Set<Diagnosis>();
    public DbSet<VehicleAlert> VehicleAlerts => Set<VehicleAlert>();
    public DbSet<TelemetryReading> TelemetryReadings => Set<TelemetryReading>();
    public DbSet<ChargeSession> ChargeSessions => Set<ChargeSession>();
    public DbSet<BatteryHealthSnapshot> BatteryHealthSnapshots => Set<BatteryHealthSnapshot>();
    public DbSet<ProductionRun> ProductionRuns => Set<ProductionRun>();
    public DbSet<EquipmentStateEvent> EquipmentStateEvents => Set<EquipmentStateEvent>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<ChangeFeedEntry> ChangeFeed => Set<ChangeFeedEntry>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<NumberSequence> NumberSequences => Set<NumberSequence>();

    /// <summary>
    /// The next number of <paramref name="sequence"/>, allocated in the current transaction: concurrent callers wait
    /// for each other's commit instead of colliding, and a rolled-back transaction gives its number back.
    /// </summary>
    public async Task<long> NextNumberAsync(string sequence, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sequence);
        var transaction = Database.CurrentTransaction ?? throw new InvalidOperationException("numbers are allocated inside a transaction");
        // One statement: the first number of a sequence inserts its row, every later one bumps it.
        await using var next = Command(transaction,
            "INSERT INTO number_sequences (name, last_value) VALUES (@name, 1) ON CONFLICT (name) DO UPDATE SET last_value = number_sequences.last_value + 1 RETURNING last_value",
            sequence);
        return Convert.ToInt64(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private System.Data.Common.DbCommand Command(IDbContextTransaction transaction, string sql, string name)
    {
        var command = Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = sql;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@name";
        parameter.Value = name;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>The table a type is stored in.</summary>
    public static string TableOf(Type entityType) => OperationsModel.Tables[entityType];

    /// <summary>Every table of the operational schema, in no particular order.</summary>
    public static IReadOnlyCollection<string> TableNames => [.. OperationsModel.Tables.Values];

    /// <summary>
    /// Records a change made outside the change tracker (a set-based UPDATE) in the change feed; it is written with
    /// the next save.
    /// </summary>
    public void RecordChange(Type entityType, long id, ChangeOperation operation) =>
        ChangeFeed.Add(new ChangeFeedEntry { OccurredAt = UtcNow, Table = TableOf(entityType), EntityId = id, Operation = operation });

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        OperationsModel.ConfigureConventions(configurationBuilder);

    protected override void OnModelCreating(ModelBuilder modelBuilder) => OperationsModel.Configure(modelBuilder);

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        ChangeTracker.DetectChanges();
        var changes = new List<(EntityEntry Entry, EntityState State, string? Before)>();
        foreach (var entry in ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted))
        {
            if (entry.Entity is IAppendOnly && entry.State != EntityState.Added)
            {
                throw new InvalidOperationException(
                    $"{entry.Metadata.GetTableName()} is append-only: rows are never updated or deleted; record a correction as a new row");
            }

            if (entry.Entity is IVersioned versioned)
            {
                versioned.Version = entry.State == EntityState.Added ? 1 : (long)entry.Property(nameof(IVersioned.Version)).OriginalValue! + 1;
            }

            if (entry.Entity is not (ChangeFeedEntry or AuditEntry or IdempotencyRecord))
            {
                changes.Add((entry, entry.State, entry.State == EntityState.Added || entry.Entity is INotAudited ? null : Snapshot(entry.OriginalValues)));
            }
        }

        var ownTransaction = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false) : null;
        try
        {
            // Taken before this save inserts any feed row (including those recorded for set-based updates).
            if (Provider == OperationsProvider.Postgres && ChangeTracker.Entries().Any(e => e.State != EntityState.Unchanged))
            {
                await LockFeedAsync(cancellationToken).ConfigureAwait(false);
            }

            var written = await base.SaveChangesAsync(acceptAllChangesOnSuccess: true, cancellationToken).ConfigureAwait(false);
            if (changes.Count > 0)
            {
                // Feed and audit rows are written set-based (prepared statements on SQLite, multi-row INSERTs on
                // PostgreSQL) in the same transaction, not tracked one by one: they are half of every save's rows.
                var now = UtcNow;
                var feed = new List<ChangeFeedEntry>(changes.Count);
                var audit = new List<AuditEntry>(changes.Count);
                foreach (var (entry, state, before) in changes)
                {
                    var id = (long)entry.Property(nameof(Entity.Id)).CurrentValue!;
                    var table = entry.Metadata.GetTableName()!;
                    var operation = state switch
                    {
                        EntityState.Added => ChangeOperation.Insert,
                        EntityState.Deleted => ChangeOperation.Delete,
                        _ => ChangeOperation.Update,
                    };
                    feed.Add(new ChangeFeedEntry { OccurredAt = now, Table = table, EntityId = id, Operation = operation });
                    if (entry.Entity is not INotAudited)
                    {
                        audit.Add(new AuditEntry
                        {
                            OccurredAt = now,
                            Actor = Scope.Actor.Name,
                            Role = Scope.Actor.Role,
                            EntityType = table,
                            EntityId = id,
                            Action = operation.Name(),
                            Before = before,
                            After = state == EntityState.Deleted ? null : Snapshot(entry.CurrentValues),
                            CorrelationId = Scope.CorrelationId,
                        });
                    }
                }

                await this.InsertWithoutFeedAsync(feed, cancellationToken).ConfigureAwait(false);
                await this.InsertWithoutFeedAsync(audit, cancellationToken).ConfigureAwait(false);
            }

            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            return written;
        }
        finally
        {
            if (ownTransaction is not null)
            {
                await ownTransaction.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Snapshot(PropertyValues values)
    {
        var row = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in values.Properties)
        {
            row[OperationsModel.Column(property.Name)] = values[property] switch
            {
                Enum e => EnumNames.Policy.ConvertName(e.ToString()),
                DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
                var v => v,
            };
        }

        return JsonSerializer.Serialize(row, AuditJson);
    }
}

public enum OperationsProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The SQLite flavour: its own migration set under Migrations/Sqlite.</summary>
public sealed class SqliteOperationsDbContext(DbContextOptions<SqliteOperationsDbContext> options) : OperationsDbContext(options)
{
    public override OperationsProvider Provider => OperationsProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        OperationsModel.ConfigureConventions(configurationBuilder);

        // SQLite has no decimal type. NUMERIC affinity stores numbers as numbers, so comparisons and the check
        // constraints (on_hand >= 0, reserved <= on_hand) compare values, not text.
        configurationBuilder.Properties<decimal>().HaveColumnType("NUMERIC");
    }
}

/// <summary>The PostgreSQL flavour: its own migration set under Migrations/Postgres.</summary>
public sealed class PostgresOperationsDbContext(DbContextOptions<PostgresOperationsDbContext> options) : OperationsDbContext(options)
{
    public override OperationsProvider Provider => OperationsProvider.Postgres;
}

using System.Diagnostics;
using Polly;
using Millwright.Ingestion.Contracts;
using Millwright.Warehouse;

namespace Millwright.Ingestion.Files;

/// <summary>How file loads run.</summary>
public sealed record IngestionOptions
{
    /// <summary>Root of the Parquet raw layer: {root}/{source}/load_date=YYYY-MM-DD/{load_id}.parquet. None when null.</summary>
    public string? RawLayerPath { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called after each step of a load with its name and how long it took (for --verbose and benchmarks).</summary>
    public Action<string, TimeSpan>? OnStep { get; init; }
}

public enum LoadStatus
{
    Success,
    Failed,
    Skipped,
}

/// <summary>What one load did; also its audit record.</summary>
public sealed record LoadResult(
    string LoadId,
    string Source,
    string File,
    string Checksum,
    int ContractVersion,
    LoadStatus Status,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    TimeSpan Duration,
    DateTimeOffset StartedAt,
    string? Error)
{
    /// <summary>Source header to column, for the columns the file names.</summary>
    public IReadOnlyDictionary<string, string> ColumnMapping { get; init; } = new Dictionary<string, string>();

    public string? ParquetPath { get; init; }

    /// <summary>For a skipped load: the earlier load of the same file.</summary>
    public string? SameAsLoadId { get; init; }
}

/// <summary>A row refused by its contract (or by the reader), kept with the rule, file and line.</summary>
public sealed record QuarantinedRow(string LoadId, string Source, string File, long? Line, string Rule, string? Record);

/// <summary>
/// Loads files into the raw layer through DuckDB's own readers: reads the file once with the contract's types where the
/// reader can give them (refusing lines it cannot parse or type, with their line), checks each row against the
/// contract, quarantines what breaks it with the rule, file and line, and loads the rest in one transaction, unless the
/// rejected fraction passes the contract's threshold, in which case nothing is loaded. A file already loaded (same
/// checksum) is skipped. Every load writes an audit record.
/// </summary>
public sealed class FileIngestor(IWarehouse warehouse, IngestionOptions? options = null)
{
    private readonly IngestionOptions _options = options ?? new IngestionOptions();

    public Task<LoadResult> IngestAsync(string path, DataContract contract, IReadOnlyDictionary<string, string>? constants = null, CancellationToken cancellationToken = default) =>
        IngestCommittingAsync(path, contract, constants, null, cancellationToken);

    /// <summary>
    /// A load whose record also commits <paramref name="alsoCommit"/>'s statements for its load id, in the same
    /// transaction (the stream load's label).
    /// </summary>
    internal async Task<LoadResult> IngestCommittingAsync(string path, DataContract contract, IReadOnlyDictionary<string, string>? constants, Func<string, IReadOnlyList<string>>? alsoCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        contract.Validate();
        foreach (var column in contract.Columns.Where(c => c.Source == ColumnSource.Constant && constants?.ContainsKey(c.Name) != true))
        {
            throw new IngestionException($"contract {contract.Source}: column {column.Name} is a constant given at load, and none was given");
        }

        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var started = _options.TimeProvider.GetUtcNow();
        var loadId = Guid.CreateVersion7().ToString("N");
        var also = alsoCommit?.Invoke(loadId);
        using var file = await SourceFile.OpenAsync(path, contract.Format.Encoding, cancellationToken).ConfigureAwait(false);
        var scanning = file.ScanAsync(text: contract.Format.Kind != FileKind.Parquet, cancellationToken);

        // DuckDB reads and checks the file: the warehouse itself, or (for a PostgreSQL warehouse) a DuckDB of the load's own.
        await using var engine = new Engine(warehouse);

        // An open result keeps the database instance (and so the attached in-memory work database) alive between the
        // load's statements, each of which opens its own connection.
        await using var keepAlive = await engine.Db.QueryAsync("SELECT 1", cancellationToken).ConfigureAwait(false);
        var checksum = "";
        var names = new WorkNames(loadId);
        _options.OnStep?.Invoke("open", clock.Elapsed);
        var step = Stopwatch.StartNew();
        void Step(string name)
        {
            _options.OnStep?.Invoke(name, step.Elapsed);
            step.Restart();
        }

        LoadResult Result(LoadStatus status, long read, long loaded, long rejected, string? error, IReadOnlyDictionary<string, string>? mapping = null, string? parquet = null) =>
            new(loadId, contract.Source, file.Original, checksum, contract.Version, status, read, loaded, rejected, clock.Elapsed, started, error)
            {
                ColumnMapping = mapping ?? new Dictionary<string, string>(),
                ParquetPath = parquet,
            };

        try
        {
            StagedRead staged;
            try
            {
                staged = await FileReader.ReadAsync(engine.Db, file, contract, names, constants ?? new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
                Step("read");
            }
            catch (IngestionException e)
            {
                var scanned = await scanning.ConfigureAwait(false);
                checksum = scanned.Checksum;

                // A NUL byte (UTF-16 read as UTF-8, a binary file) is what made the reader fail: say that, not the reader's confusion.
                var failed = Result(LoadStatus.Failed, 0, 0, 0, scanned.Nul ?? e.Message);
                await IngestionStore.RecordAsync(warehouse, failed, [], cancellationToken, also).ConfigureAwait(false);
                return failed;
            }

            // The checksum was computed while the engine read the file; a file loaded before is skipped now.
            var scan = await scanning.ConfigureAwait(false);
            checksum = scan.Checksum;
            Step("checksum (wait)");
            if (scan.Nul is not null)
            {
                var failed = Result(LoadStatus.Failed, 0, 0, 0, scan.Nul, staged.Mapping);
                await IngestionStore.RecordAsync(warehouse, failed, [], cancellationToken, also).ConfigureAwait(false);
                return failed;
            }

            if (await IngestionStore.FindSuccessAsync(warehouse, contract.Source, checksum, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return Skipped(earlier, loadId, file.Original, clock.Elapsed, started);
            }

            var checks = new ContractChecks(contract, names, staged);
            await checks.MarkRepeatsAsync(engine.Db, cancellationToken).ConfigureAwait(false);
            var (good, broken, refused, first) = await checks.CountAsync(engine.Db, cancellationToken).ConfigureAwait(false);
            Step("check");
            var read = good + broken + refused;
            var rejected = broken + refused;
            var quarantine = QuarantineSelect(contract, names, checks, file.Original);
            if (read == 0)
            {
                var empty = Result(LoadStatus.Failed, 0, 0, 0, $"{file.Original}: no rows to load", staged.Mapping);
                await IngestionStore.RecordAsync(warehouse, empty, [], cancellationToken, also).ConfigureAwait(false);
                return empty;
            }

            if (rejected > contract.MaxRejectedFraction * read)
            {
                var failed = Result(LoadStatus.Failed, read, 0, rejected,
                    $"{file.Original}: {rejected:N0} of {read:N0} rows ({100.0 * rejected / read:0.##}%) broke contract {contract.Source} v{contract.Version}, more than its {100 * contract.MaxRejectedFraction:0.##}% threshold; nothing was loaded (rejected rows are in quarantine){(first is null ? "" : $"; first: {first}")}",
                    staged.Mapping);
                await engine.WriteAsync(failed, null, quarantine, also, cancellationToken).ConfigureAwait(false);
                return failed;
            }

            string? parquet = null;
            if (_options.RawLayerPath is { } root)
            {
                var folder = Path.Combine(Path.GetFullPath(root), contract.Source, $"load_date={started.UtcDateTime:yyyy-MM-dd}");
                Directory.CreateDirectory(folder);
                parquet = Path.Combine(folder, $"{loadId}.parquet");
                await engine.Db.ExecuteAsync($"COPY ({checks.TypedSelect(TargetShape.New, started)}) TO {Literal(parquet)} (FORMAT parquet)", cancellationToken).ConfigureAwait(false);
                Step("parquet raw layer");
            }

            var success = Result(LoadStatus.Success, read, good, rejected, null, staged.Mapping, parquet);
            LoadResult? skipped = null;
            try
            {
                // A load beside this one that writes first makes this one's transaction fail and write nothing (a
                // conflict): the same bytes (this load is then skipped once the other has committed), or the first rows
                // of a new source, whose schema and table this load finds on its next attempt.
                await ConflictRetry.ExecuteAsync(async token =>
                {
                    try
                    {
                        var shape = await TargetShapeAsync(contract, file.Original, token).ConfigureAwait(false);
                        await engine.WriteAsync(success, (contract, shape, checks.TypedSelect(shape, started)), quarantine, also, token).ConfigureAwait(false);
                    }
                    catch (WarehouseException e) when (e.Kind == WarehouseErrorKind.Conflict)
                    {
                        if (await IngestionStore.FindSuccessAsync(warehouse, contract.Source, checksum, token).ConfigureAwait(false) is not { } winner)
                        {
                            throw;
                        }

                        skipped = Skipped(winner, loadId, file.Original, clock.Elapsed, started);
                    }
                }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                DeleteCopy(parquet);
                throw;
            }

            if (skipped is not null)
            {
                DeleteCopy(parquet);
                return skipped;
            }

            Step("load, quarantine and audit (one transaction)");
            return success with { Duration = clock.Elapsed };
        }
        finally
        {
            await engine.Db.ExecuteAsync($"DROP VIEW IF EXISTS {names.Stage}; DROP TABLE IF EXISTS {names.Read}; DROP TABLE IF EXISTS {names.Lines}; DROP TABLE IF EXISTS {names.Steps}; DROP TABLE IF EXISTS {names.Rejects}; DROP TABLE IF EXISTS {names.Repeats};", CancellationToken.None).ConfigureAwait(false);
            Step("clean up");
        }
    }

    /// <summary>
    /// Loads files in order, each as <see cref="IngestAsync"/> does. The source's successful loads are read once, and a
    /// file whose bytes were loaded before is skipped from its checksum alone, before any engine reads it: a folder
    /// holding a year of daily files costs a checksum per old file and a load per new one.
    /// </summary>
    public async Task<IReadOnlyList<LoadResult>> IngestManyAsync(IReadOnlyList<string> paths, DataContract contract, IReadOnlyDictionary<string, string>? constants = null, Action<LoadResult>? onLoad = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(contract);
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        var loaded = await IngestionStore.SuccessesAsync(warehouse, contract.Source, cancellationToken).ConfigureAwait(false);
        var results = new List<LoadResult>(paths.Count);
        foreach (var path in paths)
        {
            var clock = Stopwatch.StartNew();
            var started = _options.TimeProvider.GetUtcNow();
            var full = Path.GetFullPath(path);
            LoadResult result;
            if (new FileInfo(full) is { Exists: true, Length: <= SmallFile } && loaded.TryGetValue(await ChecksumAsync(full, cancellationToken).ConfigureAwait(false), out var earlier))
            {
                result = Skipped(earlier, Guid.CreateVersion7().ToString("N"), full, clock.Elapsed, started);
            }
            else
            {
                result = await IngestAsync(full, contract, constants, cancellationToken).ConfigureAwait(false);
                if (result.Status == LoadStatus.Success)
                {
                    loaded.TryAdd(result.Checksum, result);
                }
            }

            onLoad?.Invoke(result);
            results.Add(result);
        }

        return results;
    }

    /// <summary>
    /// Loads of <paramref name="sources"/> that started before <paramref name="before"/>, never a source's latest
    /// successful load (what the raw table was last refreshed from): what a retention rule may expire.
    /// </summary>
    public async Task<IReadOnlyList<LoadResult>> LoadsBeforeAsync(IReadOnlyCollection<string> sources, DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sources);
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.LoadsBeforeAsync(warehouse, sources, before, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts right what killed loads left (<see cref="LoadRecovery"/>): raw rows without an audit record, and the Parquet
    /// copies and work tables of loads that never committed and started longer than <paramref name="grace"/> ago.
    /// </summary>
    public Task<RecoveryReport> RecoverAsync(IEnumerable<DataContract> contracts, TimeSpan grace, CancellationToken cancellationToken = default) =>
        LoadRecovery.RecoverAsync(warehouse, contracts, _options.RawLayerPath is { } root ? Path.GetFullPath(root) : null, grace, _options.TimeProvider.GetUtcNow(), cancellationToken);

    /// <summary>How long a load may run before what it left without committing counts as abandoned.</summary>
    public static TimeSpan DefaultRecoveryGrace { get; } = TimeSpan.FromMinutes(10);

    /// <summary>How many rows the loads quarantined, and their size in characters.</summary>
    public Task<(long Rows, long Characters)> QuarantineOfAsync(IReadOnlyCollection<string> loadIds, CancellationToken cancellationToken = default) =>
        IngestionStore.QuarantineOfAsync(warehouse, loadIds, cancellationToken);

    /// <summary>Deletes the quarantined rows of the loads; their audit records stay.</summary>
    public Task DeleteQuarantineAsync(IReadOnlyCollection<string> loadIds, CancellationToken cancellationToken = default) =>
        IngestionStore.DeleteQuarantineAsync(warehouse, loadIds, cancellationToken);

    /// <summary>Deletes the raw Parquet copies of the loads and clears their path in the audit log.</summary>
    public async Task DeleteRawCopiesAsync(IReadOnlyList<LoadResult> loads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loads);
        var copies = loads.Where(l => l.ParquetPath is not null).ToList();
        await IngestionStore.ForgetRawCopiesAsync(warehouse, copies.Select(l => l.LoadId).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var load in copies)
        {
            File.Delete(load.ParquetPath!);
        }
    }

    /// <summary>Conflicts with a concurrent load are tried again, a little later each time, up to eight times.</summary>
    private static readonly Polly.ResiliencePipeline ConflictRetry = new Polly.ResiliencePipelineBuilder().AddRetry(new Polly.Retry.RetryStrategyOptions
        {
            ShouldHandle = new Polly.PredicateBuilder().Handle<WarehouseException>(e => e.Kind == WarehouseErrorKind.Conflict),
            MaxRetryAttempts = 8,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = Polly.DelayBackoffType.Exponential,
            UseJitter = true,
        }).Build();

    private static void DeleteCopy(string? parquet)
    {
        if (parquet is not null)
        {
            File.Delete(parquet);
        }
    }

    /// <summary>Files up to this size are hashed before a load to skip one already loaded; larger ones are hashed while the engine reads them.</summary>
    private const long SmallFile = 64L << 20;

    private static LoadResult Skipped(LoadResult earlier, string loadId, string file, TimeSpan duration, DateTimeOffset started) =>
        earlier with { Status = LoadStatus.Skipped, SameAsLoadId = earlier.LoadId, LoadId = loadId, File = file, Duration = duration, StartedAt = started, Error = null };

    private static async Task<string> ChecksumAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The audit log, newest first.</summary>
    public async Task<IReadOnlyList<LoadResult>> GetLoadsAsync(string? source = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.LoadsAsync(warehouse, source, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One load's audit record.</summary>
    public async Task<LoadResult?> GetLoadAsync(string loadId, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.FindAsync(warehouse, LoadKey(loadId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows a load rejected, by line.</summary>
    public async Task<IReadOnlyList<QuarantinedRow>> GetQuarantineAsync(string loadId, int limit = 1000, CancellationToken cancellationToken = default)
    {
        await IngestionStore.EnsureAsync(warehouse, cancellationToken).ConfigureAwait(false);
        return await IngestionStore.QuarantineAsync(warehouse, LoadKey(loadId), limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A load id as the audit log keeps it: 32 hex digits (a raw table shows it as a UUID with dashes; either is accepted).</summary>
    private static string LoadKey(string loadId) => Guid.TryParse(loadId, out var id) ? id.ToString("N") : loadId;

    /// <summary>Creates the raw table from the contract, or adds the columns a newer contract version introduced; says how its lineage columns are typed.</summary>
    private async Task<TargetShape> TargetShapeAsync(DataContract contract, string file, CancellationToken cancellationToken)
    {
        var (schema, name) = contract.TableName;
        var existing = await warehouse.GetColumnsAsync(RelationName.Of(schema, name), cancellationToken).ConfigureAwait(false);
        if (existing.Count == 0)
        {
            return TargetShape.New with
            {
                Ddl =
                [
                    warehouse.Dialect.CreateSchemaIfMissing(schema),
                    warehouse.Dialect.CreateTable(
                        RelationName.Of(schema, name),
                        [
                            .. contract.Columns.Select(c => new ColumnDefinition(c.Name, Logical(c.Type))),
                            new("_load_id", LogicalType.Uuid, Nullable: false), new("_source_line", LogicalType.Int64), new("_loaded_at", LogicalType.Timestamp, Nullable: false),
                        ]),
                ],
            };
        }

        // A table written by an earlier version keeps its text load id and per-row file name.
        return new TargetShape(
            contract.Columns.Where(c => existing.All(e => e.Name != c.Name)).Select(c => $"ALTER TABLE {warehouse.Dialect.Render(RelationName.Of(schema, name))} ADD COLUMN {warehouse.Dialect.QuoteIdentifier(c.Name)} {warehouse.Dialect.ColumnType(new ColumnDefinition(c.Name, Logical(c.Type)))}").ToList(),
            existing.FirstOrDefault(e => e.Name == "_load_id")?.Type != LogicalType.Uuid,
            existing.Any(e => e.Name == "_source_file") ? file : null);
    }

    private static LogicalType Logical(ColumnType type) => type switch
    {
        ColumnType.Integer => LogicalType.Int64,
        ColumnType.Double => LogicalType.Float64,
        ColumnType.Boolean => LogicalType.Boolean,
        ColumnType.Date => LogicalType.Date,
        ColumnType.Timestamp => LogicalType.Timestamp,
        _ => LogicalType.Text,
    };

    private static string Target(DataContract contract) => $"{Q(contract.TableName.Schema)}.{Q(contract.TableName.Name)}";

    /// <summary>The load's rejected rows (rules broken, then lines the reader refused) as quarantine rows.</summary>
    private static string QuarantineSelect(DataContract contract, WorkNames names, ContractChecks checks, string file) =>
        $"SELECT {Literal(names.LoadId)} AS load_id, {Literal(contract.Source)} AS source, {contract.Version} AS contract_version, {Literal(file)} AS file, CAST(line AS BIGINT) AS line, rule, record FROM ({checks.Rejected})";

    internal static string Q(string identifier) => Warehouses.FileReaderDialect.QuoteIdentifier(identifier);

    internal static string Literal(string value) => Warehouses.FileReaderDialect.QuoteLiteral(value);

    /// <summary>
    /// Where a load runs: DuckDB reads and checks the file (the warehouse itself, or a DuckDB file of the load's own when
    /// the warehouse is PostgreSQL), and the load, its quarantine and its audit record reach the warehouse in one
    /// transaction (on PostgreSQL, through work tables filled by binary COPY first).
    /// </summary>
    private sealed class Engine : IAsyncDisposable
    {
        private const string Columns = "load_id, source, contract_version, file, line, rule, record";
        private readonly IWarehouse _target;
        private readonly string? _folder;

        public Engine(IWarehouse target)
        {
            _target = target;
            if (target.Engine.Capabilities().ReadsFiles)
            {
                Db = target;
            }
            else
            {
                SweepOrphans();
                _folder = Directory.CreateTempSubdirectory($"{FolderPrefix}{Environment.ProcessId}-").FullName;
                Db = Warehouses.OpenFileReader(_folder);
            }
        }

        /// <summary>The temporary folder of a load's own DuckDB: <c>millwright-ingest-{process id}-{random}</c>.</summary>
        internal const string FolderPrefix = "millwright-ingest-";

        /// <summary>
        /// Deletes the folders of loads whose process is gone (killed mid-load, so its own clean-up never ran). A folder
        /// whose process still runs is another load's, and stays.
        /// </summary>
        internal static void SweepOrphans()
        {
            foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
            {
                var name = Path.GetFileName(folder)[FolderPrefix.Length..];
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                if (dash <= 0 || !int.TryParse(name[..dash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) || Running(pid))
                {
                    continue;
                }

                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Someone else's, or already going: left as it is.
                }
            }
        }

        private static bool Running(int pid)
        {
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(pid);
                return !process.HasExited;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return false;
            }
        }

        public IWarehouse Db { get; }

        public async Task WriteAsync(LoadResult load, (DataContract Contract, TargetShape Shape, string Select)? rows, string quarantine, IReadOnlyList<string>? also, CancellationToken cancellationToken)
        {
            var statements = new List<string>();
            if (ReferenceEquals(Db, _target))
            {
                if (rows is { } r)
                {
                    // The rows carry their line, so their order in the table need not follow the file's: this lets each
                    // thread fill whole row groups, which the checkpoint then keeps instead of merging and rewriting
                    // (for this connection only; it closes after the load).
                    statements.Add("SET SESSION preserve_insertion_order = false");
                    statements.AddRange(r.Shape.Ddl);
                    statements.Add($"INSERT INTO {Target(r.Contract)} ({RowColumns(r.Contract, r.Shape)}) {r.Select}");
                }

                statements.Add($"INSERT INTO ingest.quarantine ({Columns}) {quarantine}");
                await IngestionStore.RecordAsync(_target, load, statements, cancellationToken, also).ConfigureAwait(false);
                return;
            }

            var work = RelationName.Of("ingest", $"w_{load.LoadId}");
            var rejected = RelationName.Of("ingest", $"q_{load.LoadId}");
            try
            {
                if (rows is { } r)
                {
                    await using (var result = await Db.QueryAsync(r.Select, cancellationToken).ConfigureAwait(false))
                    {
                        var definitions = r.Contract.Columns.Select(c => new ColumnDefinition(c.Name, Logical(c.Type)))
                            .Append(new("_load_id", r.Shape.LoadIdIsText ? LogicalType.Text : LogicalType.Uuid))
                            .Concat(r.Shape.SourceFile is null ? [] : [new("_source_file", LogicalType.Text)])
                            .Concat([new("_source_line", LogicalType.Int64), new("_loaded_at", LogicalType.Timestamp)])
                            .ToList();
                        await _target.BulkLoadAsync(work, result.AsDataReader(), new BulkLoadOptions { Replace = true, Columns = definitions }, cancellationToken).ConfigureAwait(false);
                    }

                    statements.AddRange(r.Shape.Ddl);
                    statements.Add($"INSERT INTO {Target(r.Contract)} ({RowColumns(r.Contract, r.Shape)}) SELECT {RowColumns(r.Contract, r.Shape)} FROM {_target.Dialect.Render(work)}");
                }

                await using (var result = await Db.QueryAsync(quarantine, cancellationToken).ConfigureAwait(false))
                {
                    await _target.BulkLoadAsync(rejected, result.AsDataReader(), new BulkLoadOptions
                    {
                        Replace = true,
                        Columns = [new("load_id", LogicalType.Text), new("source", LogicalType.Text), new("contract_version", LogicalType.Int32), new("file", LogicalType.Text), new("line", LogicalType.Int64), new("rule", LogicalType.Text), new("record", LogicalType.Text)],
                    }, cancellationToken).ConfigureAwait(false);
                }

                statements.Add($"INSERT INTO ingest.quarantine ({Columns}) SELECT {Columns} FROM {_target.Dialect.Render(rejected)}");
                await IngestionStore.RecordAsync(_target, load, statements, cancellationToken, also).ConfigureAwait(false);
            }
            finally
            {
                await _target.DropRelationAsync(work, CancellationToken.None).ConfigureAwait(false);
                await _target.DropRelationAsync(rejected, CancellationToken.None).ConfigureAwait(false);
            }
        }

        private static string RowColumns(DataContract contract, TargetShape shape) =>
            string.Join(", ", contract.Columns.Select(c => Q(c.Name)).Concat(shape.SourceFile is null ? ["_load_id", "_source_line", "_loaded_at"] : ["_load_id", "_source_file", "_source_line", "_loaded_at"]));

        public async ValueTask DisposeAsync()
        {
            if (_folder is not null)
            {
                await Db.DisposeAsync().ConfigureAwait(false);
                Directory.Delete(_folder, recursive: true);
            }
        }
    }
}

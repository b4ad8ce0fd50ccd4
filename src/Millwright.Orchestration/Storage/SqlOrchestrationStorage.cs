using System.Data.Common;
using System.Text.Json;
using Millwright.Orchestration.Definitions;

namespace Millwright.Orchestration.Storage;

/// <summary>The SQL both providers share; each provider supplies connections, its DDL types and its table prefix.</summary>
internal abstract class SqlOrchestrationStorage : IOrchestrationStorage
{
    private const string RunColumns = "run_id, status, assets, partition_key, tags, config, created_at, started_at, ended_at, host, heartbeat_at, parent_run_id, root_run_id, backfill_id, instigator, run_key, priority, error";
    private const string EventColumns = "id, run_id, ts, type, step_key, asset_key, partition_key, check_name, level, message, data";

    public abstract string Describe { get; }

    /// <summary>Table name with the provider's schema prefix.</summary>
    protected abstract string T(string table);

    /// <summary>The column type of an auto-increment primary key.</summary>
    protected abstract string Identity { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    protected virtual IEnumerable<string> PrepareSchema() => [];

    public abstract ValueTask DisposeAsync();

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var statement in PrepareSchema().Concat(Ddl()))
        {
            await ExecuteAsync(connection, tx, statement, [], cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<string> Ddl() =>
    [
        $"""
        CREATE TABLE IF NOT EXISTS {T("runs")} (
          run_id TEXT PRIMARY KEY, status TEXT NOT NULL, assets TEXT NOT NULL, partition_key TEXT, tags TEXT NOT NULL,
          config TEXT, created_at BIGINT NOT NULL, started_at BIGINT, ended_at BIGINT, host TEXT, heartbeat_at BIGINT,
          parent_run_id TEXT, root_run_id TEXT, backfill_id TEXT, instigator TEXT, run_key TEXT, priority BIGINT NOT NULL,
          error TEXT)
        """,
        $"CREATE INDEX IF NOT EXISTS runs_status ON {T("runs")} (status, priority, created_at)",
        $"CREATE INDEX IF NOT EXISTS runs_created ON {T("runs")} (created_at)",
        $"CREATE INDEX IF NOT EXISTS runs_backfill ON {T("runs")} (backfill_id)",
        $"CREATE UNIQUE INDEX IF NOT EXISTS runs_run_key ON {T("runs")} (instigator, run_key) WHERE run_key IS NOT NULL",
        $"""
        CREATE TABLE IF NOT EXISTS {T("events")} (
          id {Identity}, run_id TEXT, ts BIGINT NOT NULL, type TEXT NOT NULL, step_key TEXT, asset_key TEXT,
          partition_key TEXT, check_name TEXT, level TEXT NOT NULL, message TEXT NOT NULL, data TEXT)
        """,
        $"CREATE INDEX IF NOT EXISTS events_run ON {T("events")} (run_id, id)",
        $"CREATE INDEX IF NOT EXISTS events_asset ON {T("events")} (asset_key, id)",
        $"CREATE INDEX IF NOT EXISTS events_type ON {T("events")} (type, id)",
        $"CREATE INDEX IF NOT EXISTS events_ts ON {T("events")} (ts)",
        $"""
        CREATE TABLE IF NOT EXISTS {T("asset_status")} (
          asset_key TEXT NOT NULL, partition_key TEXT NOT NULL, last_materialization_id BIGINT, last_materialization_at BIGINT,
          last_materialization_run TEXT, last_failure_at BIGINT, last_failure_run TEXT, metadata TEXT,
          PRIMARY KEY (asset_key, partition_key))
        """,
        $"""
        CREATE TABLE IF NOT EXISTS {T("check_status")} (
          asset_key TEXT NOT NULL, check_name TEXT NOT NULL, event_id BIGINT NOT NULL, passed BIGINT NOT NULL,
          blocking BIGINT NOT NULL, evaluated_at BIGINT NOT NULL, run_id TEXT, description TEXT NOT NULL,
          PRIMARY KEY (asset_key, check_name))
        """,
        $"CREATE TABLE IF NOT EXISTS {T("instigators")} (name TEXT PRIMARY KEY, kind TEXT NOT NULL, running BIGINT NOT NULL, cursor TEXT, updated_at BIGINT NOT NULL)",
        $"""
        CREATE TABLE IF NOT EXISTS {T("ticks")} (
          id {Identity}, instigator TEXT NOT NULL, tick_at BIGINT NOT NULL, status TEXT NOT NULL, run_ids TEXT NOT NULL,
          cursor TEXT, skip_reason TEXT, error TEXT, created_at BIGINT NOT NULL)
        """,
        $"CREATE UNIQUE INDEX IF NOT EXISTS ticks_unique ON {T("ticks")} (instigator, tick_at)",
        $"CREATE INDEX IF NOT EXISTS ticks_created ON {T("ticks")} (created_at)",
        $"""
        CREATE TABLE IF NOT EXISTS {T("backfills")} (
          id TEXT PRIMARY KEY, status TEXT NOT NULL, assets TEXT NOT NULL, partitions TEXT NOT NULL, submitted BIGINT NOT NULL,
          tags TEXT NOT NULL, created_at BIGINT NOT NULL, ended_at BIGINT, error TEXT)
        """,
        $"CREATE TABLE IF NOT EXISTS {T("dynamic_partitions")} (name TEXT NOT NULL, partition_key TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (name, partition_key))",
        $"CREATE TABLE IF NOT EXISTS {T("leases")} (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL, acquired_at BIGINT NOT NULL)",
    ];

    public async Task<IReadOnlyList<RunRecord>> AddRunsAsync(IReadOnlyList<RunRecord> runs, CancellationToken cancellationToken)
    {
        var stored = new List<RunRecord>(runs.Count);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = $"INSERT INTO {T("runs")} ({RunColumns}) VALUES (@run_id, @status, @assets, @partition_key, @tags, @config, @created_at, @started_at, @ended_at, @host, @heartbeat_at, @parent_run_id, @root_run_id, @backfill_id, @instigator, @run_key, @priority, @error) ON CONFLICT DO NOTHING";
        foreach (var run in runs)
        {
            var count = await ExecuteAsync(connection, tx, sql,
            [
                ("run_id", run.RunId), ("status", run.Status.Name()), ("assets", Json(run.Assets)), ("partition_key", run.PartitionKey),
                ("tags", Json(run.Tags)), ("config", run.Config), ("created_at", Ms(run.CreatedAt)), ("started_at", Ms(run.StartedAt)),
                ("ended_at", Ms(run.EndedAt)), ("host", run.Host), ("heartbeat_at", Ms(run.HeartbeatAt)), ("parent_run_id", run.ParentRunId),
                ("root_run_id", run.RootRunId), ("backfill_id", run.BackfillId), ("instigator", run.Instigator), ("run_key", run.RunKey),
                ("priority", (long)run.Priority), ("error", run.Error),
            ], cancellationToken).ConfigureAwait(false);
            if (count == 1)
            {
                stored.Add(run);
            }
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public async Task<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {RunColumns} FROM {T("runs")} WHERE run_id = @id", [("id", runId)], ReadRun, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    public Task<IReadOnlyList<RunRecord>> GetRunsAsync(RunFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (filter.Statuses is { Count: > 0 } statuses)
        {
            where.Add("status IN (" + string.Join(", ", statuses.Select((s, i) => "@s" + i)) + ")");
            parameters.AddRange(statuses.Select((s, i) => ("s" + i, (object?)s.Name())));
        }

        if (filter.BackfillId is { } backfill)
        {
            where.Add("backfill_id = @backfill");
            parameters.Add(("backfill", backfill));
        }

        if (filter.Instigator is { } instigator)
        {
            where.Add("instigator = @instigator");
            parameters.Add(("instigator", instigator));
        }

        if (filter.Asset is { } asset)
        {
            where.Add("assets LIKE @asset");
            parameters.Add(("asset", "%" + JsonSerializer.Serialize(asset) + "%"));
        }

        if (filter.CreatedBefore is { } before)
        {
            // Keyset paging in the list's own order (created_at DESC, run_id DESC).
            where.Add(filter.BeforeRunId is null ? "created_at < @before" : "(created_at < @before OR (created_at = @before AND run_id < @beforeRun))");
            parameters.Add(("before", Ms(before)));
            if (filter.BeforeRunId is { } beforeRun)
            {
                parameters.Add(("beforeRun", beforeRun));
            }
        }

        var sql = $"SELECT {RunColumns} FROM {T("runs")}" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") + $" ORDER BY created_at DESC, run_id DESC LIMIT {filter.Limit}";
        return QueryAsync(sql, parameters, ReadRun, cancellationToken);
    }

    public Task<IReadOnlyList<RunRecord>> GetQueuedRunsAsync(int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {RunColumns} FROM {T("runs")} WHERE status = 'QUEUED' ORDER BY priority DESC, created_at, run_id LIMIT {limit}", [], ReadRun, cancellationToken);

    public async Task<bool> TransitionRunAsync(string runId, IReadOnlyList<RunStatus> from, RunStatus target, DateTimeOffset now, string? host = null, string? failure = null, CancellationToken cancellationToken = default)
    {
        var sets = new List<string> { "status = @to" };
        var to = target;
        var error = failure;
        if (to == RunStatus.Started)
        {
            sets.Add("started_at = @now");
            sets.Add("heartbeat_at = @now");
        }

        if (to.IsFinished())
        {
            sets.Add("ended_at = @now");
        }

        if (host is not null)
        {
            sets.Add("host = @host");
        }

        if (error is not null)
        {
            sets.Add("error = @error");
        }

        var sql = $"UPDATE {T("runs")} SET {string.Join(", ", sets)} WHERE run_id = @id AND status IN ({string.Join(", ", from.Select((_, i) => "@f" + i))})";
        var parameters = new List<(string, object?)> { ("to", to.Name()), ("now", Ms(now)), ("id", runId) };
        if (host is not null)
        {
            parameters.Add(("host", host));
        }

        if (error is not null)
        {
            parameters.Add(("error", error));
        }

        parameters.AddRange(from.Select((s, i) => ("f" + i, (object?)s.Name())));
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, null, sql, parameters, cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task HeartbeatRunsAsync(IReadOnlyList<string> runIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (runIds.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var parameters = runIds.Select((id, i) => ("r" + i, (object?)id)).Append(("now", Ms(now))).ToList();
        await ExecuteAsync(connection, null, $"UPDATE {T("runs")} SET heartbeat_at = @now WHERE run_id IN ({string.Join(", ", runIds.Select((_, i) => "@r" + i))})", parameters, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EventRecord>> AppendEventsAsync(IReadOnlyList<EventRecord> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var stored = new List<EventRecord>(events.Count);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var insert = $"INSERT INTO {T("events")} (run_id, ts, type, step_key, asset_key, partition_key, check_name, level, message, data) VALUES (@run_id, @ts, @type, @step_key, @asset_key, @partition_key, @check_name, @level, @message, @data) RETURNING id";
        foreach (var e in events)
        {
            var id = Convert.ToInt64(await ScalarAsync(connection, tx, insert,
            [
                ("run_id", e.RunId), ("ts", Ms(e.Timestamp)), ("type", e.Type), ("step_key", e.StepKey), ("asset_key", e.AssetKey),
                ("partition_key", e.PartitionKey), ("check_name", e.CheckName), ("level", e.Level), ("message", e.Message), ("data", e.Data),
            ], cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            var record = e with { Id = id };
            stored.Add(record);
            await UpdateStatusAsync(connection, tx, record, cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private async Task UpdateStatusAsync(DbConnection connection, DbTransaction tx, EventRecord e, CancellationToken cancellationToken)
    {
        if (e.AssetKey is null)
        {
            return;
        }

        var partitions = string.IsNullOrEmpty(e.PartitionKey) ? [""] : new[] { "", e.PartitionKey };
        switch (e.Type)
        {
            case EventTypes.Materialization:
                foreach (var partition in partitions)
                {
                    await ExecuteAsync(connection, tx, $"""
                        INSERT INTO {T("asset_status")} (asset_key, partition_key, last_materialization_id, last_materialization_at, last_materialization_run, metadata)
                        VALUES (@a, @p, @id, @ts, @run, @data)
                        ON CONFLICT (asset_key, partition_key) DO UPDATE SET last_materialization_id = excluded.last_materialization_id,
                          last_materialization_at = excluded.last_materialization_at, last_materialization_run = excluded.last_materialization_run,
                          metadata = excluded.metadata
                        """, [("a", e.AssetKey), ("p", partition), ("id", e.Id), ("ts", Ms(e.Timestamp)), ("run", e.RunId), ("data", e.Data)], cancellationToken).ConfigureAwait(false);
                }

                break;
            case EventTypes.AssetFailed:
                foreach (var partition in partitions)
                {
                    await ExecuteAsync(connection, tx, $"""
                        INSERT INTO {T("asset_status")} (asset_key, partition_key, last_failure_at, last_failure_run) VALUES (@a, @p, @ts, @run)
                        ON CONFLICT (asset_key, partition_key) DO UPDATE SET last_failure_at = excluded.last_failure_at, last_failure_run = excluded.last_failure_run
                        """, [("a", e.AssetKey), ("p", partition), ("ts", Ms(e.Timestamp)), ("run", e.RunId)], cancellationToken).ConfigureAwait(false);
                }

                break;
            case EventTypes.CheckEvaluation when e.CheckName is not null:
                var data = e.Data is null ? default : JsonDocument.Parse(e.Data).RootElement;
                var passed = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("passed", out var p) && p.ValueKind == JsonValueKind.True;
                var blocking = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("blocking", out var b) && b.ValueKind == JsonValueKind.True;
                await ExecuteAsync(connection, tx, $"""
                    INSERT INTO {T("check_status")} (asset_key, check_name, event_id, passed, blocking, evaluated_at, run_id, description)
                    VALUES (@a, @c, @id, @passed, @blocking, @ts, @run, @d)
                    ON CONFLICT (asset_key, check_name) DO UPDATE SET event_id = excluded.event_id, passed = excluded.passed, blocking = excluded.blocking,
                      evaluated_at = excluded.evaluated_at, run_id = excluded.run_id, description = excluded.description
                    """, [("a", e.AssetKey), ("c", e.CheckName), ("id", e.Id), ("passed", passed ? 1L : 0L), ("blocking", blocking ? 1L : 0L), ("ts", Ms(e.Timestamp)), ("run", e.RunId), ("d", e.Message)], cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    public Task<IReadOnlyList<EventRecord>> GetRunEventsAsync(string runId, long afterId, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {EventColumns} FROM {T("events")} WHERE run_id = @run AND id > @after ORDER BY id LIMIT {limit}", [("run", runId), ("after", afterId)], ReadEvent, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetAssetEventsAsync(string assetKey, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {EventColumns} FROM {T("events")} WHERE asset_key = @a AND type IN ('{EventTypes.Materialization}', '{EventTypes.AssetFailed}', '{EventTypes.CheckEvaluation}', '{EventTypes.FreshnessWarning}') ORDER BY id DESC LIMIT {limit}", [("a", assetKey)], ReadEvent, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetEventsOfTypeAsync(string type, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {EventColumns} FROM {T("events")} WHERE type = @t ORDER BY id DESC LIMIT {limit}", [("t", type)], ReadEvent, cancellationToken);

    public Task<IReadOnlyList<AssetStatusRecord>> GetAssetStatusAsync(string? assetKey, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT asset_key, partition_key, last_materialization_id, last_materialization_at, last_materialization_run, last_failure_at, last_failure_run, metadata FROM {T("asset_status")}"
                + (assetKey is null ? " WHERE partition_key = ''" : " WHERE asset_key = @a") + " ORDER BY asset_key, partition_key",
            assetKey is null ? [] : [("a", assetKey)],
            r => new AssetStatusRecord(r.GetString(0), r.GetString(1), NLong(r, 2), Time(r, 3), NString(r, 4), Time(r, 5), NString(r, 6), NString(r, 7)),
            cancellationToken);

    public async Task<EventRecord?> GetLatestMaterializationAsync(AssetKey asset, CancellationToken cancellationToken) =>
        (await QueryAsync(
            $"SELECT {EventColumns} FROM {T("events")} WHERE id = (SELECT last_materialization_id FROM {T("asset_status")} WHERE asset_key = @a AND partition_key = '')",
            [("a", asset.Path)], ReadEvent, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    public Task<IReadOnlyList<CheckStatusRecord>> GetCheckStatusAsync(CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT asset_key, check_name, event_id, passed, blocking, evaluated_at, run_id, description FROM {T("check_status")} ORDER BY asset_key, check_name", [],
            r => new CheckStatusRecord(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3) == 1, r.GetInt64(4) == 1, Time(r, 5)!.Value, NString(r, 6), r.GetString(7)),
            cancellationToken);

    public async Task<InstigatorState?> GetInstigatorAsync(string name, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT name, kind, running, cursor, updated_at FROM {T("instigators")} WHERE name = @n", [("n", name)], ReadInstigator, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    public Task<IReadOnlyList<InstigatorState>> GetInstigatorsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT name, kind, running, cursor, updated_at FROM {T("instigators")} ORDER BY name", [], ReadInstigator, cancellationToken);

    public async Task SetInstigatorAsync(InstigatorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"""
            INSERT INTO {T("instigators")} (name, kind, running, cursor, updated_at) VALUES (@n, @k, @r, @c, @u)
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, running = excluded.running, cursor = excluded.cursor, updated_at = excluded.updated_at
            """, [("n", state.Name), ("k", state.Kind), ("r", state.Running ? 1L : 0L), ("c", state.Cursor), ("u", Ms(state.UpdatedAt))], cancellationToken).ConfigureAwait(false);
    }

    public async Task<TickRecord?> AddTickAsync(TickRecord tick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        var rows = await QueryAsync(
            $"INSERT INTO {T("ticks")} (instigator, tick_at, status, run_ids, cursor, skip_reason, error, created_at) VALUES (@i, @t, @s, @r, @c, @sk, @e, @now) ON CONFLICT DO NOTHING RETURNING id",
            [("i", tick.Instigator), ("t", Ms(tick.TickAt)), ("s", tick.Status.ToString().ToUpperInvariant()), ("r", Json(tick.RunIds)), ("c", tick.Cursor), ("sk", tick.SkipReason), ("e", tick.Error), ("now", Ms(DateTimeOffset.UtcNow))],
            r => r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : tick with { Id = rows[0] };
    }

    public async Task UpdateTickAsync(TickRecord tick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tick);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"UPDATE {T("ticks")} SET status = @s, run_ids = @r, cursor = @c, skip_reason = @sk, error = @e WHERE id = @id",
            [("s", tick.Status.ToString().ToUpperInvariant()), ("r", Json(tick.RunIds)), ("c", tick.Cursor), ("sk", tick.SkipReason), ("e", tick.Error), ("id", tick.Id)], cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<TickRecord>> GetTicksAsync(string instigator, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT id, instigator, tick_at, status, run_ids, cursor, skip_reason, error FROM {T("ticks")} WHERE instigator = @i ORDER BY tick_at DESC, id DESC LIMIT {limit}", [("i", instigator)],
            r => new TickRecord
            {
                Id = r.GetInt64(0),
                Instigator = r.GetString(1),
                TickAt = Time(r, 2)!.Value,
                Status = Enum.Parse<TickStatus>(r.GetString(3), ignoreCase: true),
                RunIds = JsonSerializer.Deserialize<List<string>>(r.GetString(4)) ?? [],
                Cursor = NString(r, 5),
                SkipReason = NString(r, 6),
                Error = NString(r, 7),
            }, cancellationToken);

    public async Task AddBackfillAsync(BackfillRecord backfill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backfill);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"INSERT INTO {T("backfills")} (id, status, assets, partitions, submitted, tags, created_at, ended_at, error) VALUES (@id, @s, @a, @p, @n, @t, @c, @e, @err)",
            [("id", backfill.Id), ("s", backfill.Status.ToString().ToUpperInvariant()), ("a", Json(backfill.Assets)), ("p", Json(backfill.Partitions)), ("n", (long)backfill.Submitted),
             ("t", Json(backfill.Tags)), ("c", Ms(backfill.CreatedAt)), ("e", Ms(backfill.EndedAt)), ("err", backfill.Error)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<BackfillRecord?> GetBackfillAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT id, status, assets, partitions, submitted, tags, created_at, ended_at, error FROM {T("backfills")} WHERE id = @id", [("id", id)], ReadBackfill, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null;

    public Task<IReadOnlyList<BackfillRecord>> GetBackfillsAsync(BackfillStatus? status, int limit, CancellationToken cancellationToken) =>
        QueryAsync(
            $"SELECT id, status, assets, partitions, submitted, tags, created_at, ended_at, error FROM {T("backfills")}" + (status is null ? "" : " WHERE status = @s") + $" ORDER BY created_at DESC, id LIMIT {limit}",
            status is null ? [] : [("s", status.Value.ToString().ToUpperInvariant())], ReadBackfill, cancellationToken);

    public async Task UpdateBackfillAsync(string id, BackfillStatus status, int submitted, DateTimeOffset? endedAt, string? failure, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"UPDATE {T("backfills")} SET status = @s, submitted = @n, ended_at = @e, error = @err WHERE id = @id",
            [("s", status.ToString().ToUpperInvariant()), ("n", (long)submitted), ("e", Ms(endedAt)), ("err", failure), ("id", id)], cancellationToken).ConfigureAwait(false);
    }

    public async Task AddDynamicPartitionsAsync(string name, IReadOnlyList<string> keys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            await ExecuteAsync(connection, tx, $"INSERT INTO {T("dynamic_partitions")} (name, partition_key, created_at) VALUES (@n, @k, @c) ON CONFLICT DO NOTHING", [("n", name), ("k", key), ("c", Ms(now))], cancellationToken).ConfigureAwait(false);
        }

        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> GetDynamicPartitionsAsync(string name, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT partition_key FROM {T("dynamic_partitions")} WHERE name = @n ORDER BY created_at, partition_key", [("n", name)], r => r.GetString(0), cancellationToken);

    public async Task DeleteDynamicPartitionAsync(string name, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"DELETE FROM {T("dynamic_partitions")} WHERE name = @n AND partition_key = @k", [("n", name), ("k", key)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryAcquireLeaseAsync(string name, string holder, TimeSpan ttl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteAsync(connection, null, $"""
            INSERT INTO {T("leases")} (name, holder, expires_at, acquired_at) VALUES (@n, @h, @e, @now)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
              acquired_at = CASE WHEN {T("leases")}.holder = excluded.holder THEN {T("leases")}.acquired_at ELSE excluded.acquired_at END
            WHERE {T("leases")}.holder = excluded.holder OR {T("leases")}.expires_at < excluded.acquired_at
            """, [("n", name), ("h", holder), ("e", Ms(now + ttl)), ("now", Ms(now))], cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"DELETE FROM {T("leases")} WHERE name = @n AND holder = @h", [("n", name), ("h", holder)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<(string Holder, DateTimeOffset ExpiresAt)?> GetLeaseAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT holder, expires_at FROM {T("leases")} WHERE name = @n AND expires_at >= @now", [("n", name), ("now", Ms(now))],
            r => (r.GetString(0), Time(r, 1)!.Value), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<PruneResult> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var cutoff = Ms(before);
        var events = await ExecuteAsync(connection, tx, $"""
            DELETE FROM {T("events")} WHERE ts < @cutoff
              AND id NOT IN (SELECT last_materialization_id FROM {T("asset_status")} WHERE last_materialization_id IS NOT NULL)
              AND id NOT IN (SELECT event_id FROM {T("check_status")})
            """, [("cutoff", cutoff)], cancellationToken).ConfigureAwait(false);
        var runs = await ExecuteAsync(connection, tx, $"""
            DELETE FROM {T("runs")} WHERE ended_at < @cutoff AND status IN ('SUCCESS', 'FAILURE', 'CANCELED')
              AND NOT EXISTS (SELECT 1 FROM {T("events")} e WHERE e.run_id = {T("runs")}.run_id)
              AND run_id NOT IN (SELECT last_materialization_run FROM {T("asset_status")} WHERE last_materialization_run IS NOT NULL)
            """, [("cutoff", cutoff)], cancellationToken).ConfigureAwait(false);
        var ticks = await ExecuteAsync(connection, tx, $"DELETE FROM {T("ticks")} WHERE created_at < @cutoff", [("cutoff", cutoff)], cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PruneResult(events, runs, ticks);
    }

    private static RunRecord ReadRun(DbDataReader r) => new()
    {
        RunId = r.GetString(0),
        Status = RunStatuses.Parse(r.GetString(1)),
        Assets = JsonSerializer.Deserialize<List<string>>(r.GetString(2)) ?? [],
        PartitionKey = NString(r, 3),
        Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4)) ?? [],
        Config = NString(r, 5),
        CreatedAt = Time(r, 6)!.Value,
        StartedAt = Time(r, 7),
        EndedAt = Time(r, 8),
        Host = NString(r, 9),
        HeartbeatAt = Time(r, 10),
        ParentRunId = NString(r, 11),
        RootRunId = NString(r, 12),
        BackfillId = NString(r, 13),
        Instigator = NString(r, 14),
        RunKey = NString(r, 15),
        Priority = (int)r.GetInt64(16),
        Error = NString(r, 17),
    };

    private static EventRecord ReadEvent(DbDataReader r) => new()
    {
        Id = r.GetInt64(0),
        RunId = NString(r, 1),
        Timestamp = Time(r, 2)!.Value,
        Type = r.GetString(3),
        StepKey = NString(r, 4),
        AssetKey = NString(r, 5),
        PartitionKey = NString(r, 6),
        CheckName = NString(r, 7),
        Level = r.GetString(8),
        Message = r.GetString(9),
        Data = NString(r, 10),
    };

    private static InstigatorState ReadInstigator(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2) == 1, NString(r, 3), Time(r, 4)!.Value);

    private static BackfillRecord ReadBackfill(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Status = Enum.Parse<BackfillStatus>(r.GetString(1), ignoreCase: true),
        Assets = JsonSerializer.Deserialize<List<string>>(r.GetString(2)) ?? [],
        Partitions = JsonSerializer.Deserialize<List<string>>(r.GetString(3)) ?? [],
        Submitted = (int)r.GetInt64(4),
        Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5)) ?? [],
        CreatedAt = Time(r, 6)!.Value,
        EndedAt = Time(r, 7),
        Error = NString(r, 8),
    };

    private static string? NString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static long? NLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    private async Task<IReadOnlyList<TRow>> QueryAsync<TRow>(string sql, IReadOnlyList<(string Name, object? Value)> parameters, Func<DbDataReader, TRow> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction tx, string sql, IReadOnlyList<(string Name, object? Value)> parameters, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, IReadOnlyList<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
#pragma warning disable CA2100 // Table names come from the provider; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            // A null goes untyped, so PostgreSQL infers the column's type.
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

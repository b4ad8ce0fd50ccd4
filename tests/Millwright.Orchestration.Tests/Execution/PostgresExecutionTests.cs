using Millwright.Orchestration.Daemon;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Tests.Execution;

/// <summary>Runs, retries, backfills and the daemon lease on a real PostgreSQL, as several hosts would share it.</summary>
public sealed class PostgresExecutionTests : IAsyncLifetime
{
    private readonly string _schema = "orch_exec_" + Guid.NewGuid().ToString("N")[..12];
    private IOrchestrationStorage _storage = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _storage = OrchestrationStores.Postgres(TestPostgres.ConnectionString, _schema);
        await _storage.InitializeAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _storage.DisposeAsync();
        await using var connection = new Npgsql.NpgsqlConnection(TestPostgres.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_run_with_a_retry_and_a_backfill_through_two_daemons_on_postgres()
    {
        var attempts = 0;
        var defs = Orchestration.Definitions.Definitions.Builder()
            .Asset("raw", _ => ++attempts == 1 ? throw new TimeoutException("connection reset") : Task.CompletedTask, a => a.Retry(new RetryPolicy(2, TimeSpan.FromMilliseconds(5))))
            .Asset("daily", _ => Task.CompletedTask, a => a.DependsOn("raw").Partitions(new TimeWindowPartitions(PartitionCadence.Daily, new DateTime(2024, 1, 1))))
            .Build();
        await using var hostA = new Orchestrator(defs, _storage);
        await using var otherStorage = OrchestrationStores.Postgres(TestPostgres.ConnectionString, _schema);
        await using var hostB = new Orchestrator(defs, otherStorage);

        var run = await hostA.MaterializeAsync(new LaunchRequest { Selection = "raw" }, Ct);
        Assert.Equal(RunStatus.Success, run.Status);
        Assert.Single(await Events.AllAsync(_storage, run.RunId), e => e.Type == EventTypes.StepRetry);

        var backfill = await hostA.BackfillAsync("daily", null, "2024-01-01", "2024-01-10", null, Ct);
        var daemons = new[] { new OrchestrationDaemon(hostA), new OrchestrationDaemon(hostB) };
        var passes = await Task.WhenAll(daemons.Select(d => d.PassAsync(Ct)));
        Assert.Single(passes, p => p.Leader);
        Assert.Equal(10, passes.Sum(p => p.BackfillRuns));
        await hostA.WhenIdleAsync();
        await hostB.WhenIdleAsync();
        var leader = daemons[passes[0].Leader ? 0 : 1];
        for (var i = 0; i < 10 && (await _storage.GetBackfillAsync(backfill.Id, Ct))!.Status == BackfillStatus.Requested; i++)
        {
            await leader.PassAsync(Ct);
            await hostA.WhenIdleAsync();
            await hostB.WhenIdleAsync();
        }

        var runs = await _storage.GetRunsAsync(new RunFilter { BackfillId = backfill.Id, Limit = 100 }, Ct);
        Assert.Equal(10, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Success, r.Status));
        Assert.Equal(10, (await hostB.GetPartitionsAsync("daily", Ct)).Count(p => p.Status == "MATERIALIZED"));
    }
}

using Microsoft.Extensions.Time.Testing;
using Millwright.Warehouse;

namespace Millwright.Quality.Tests;

/// <summary>
/// One suite on both warehouses. The fixture is five work orders whose faults are placed by hand, and every expected
/// score below is counted from that table, not computed by the scorer's SQL.
/// </summary>
public abstract class DqScorerTests<TWarehouse> : IAsyncLifetime
    where TWarehouse : WarehouseFixture, new()
{
    private static readonly RelationName Orders = new("raw", "orders");
    private readonly TWarehouse _fixture = new();

    private IWarehouse Warehouse => _fixture.Warehouse;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _fixture.InitializeAsync();

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _fixture.DisposeAsync();
    }

    private async Task SeedAsync()
    {
        await Warehouse.CreateSchemaAsync("raw", Ct);
        await Warehouse.DropRelationAsync(Orders, Ct);
        await Warehouse.DropRelationAsync(new RelationName("raw", "sites"), Ct);
        await Warehouse.ExecuteAsync("CREATE TABLE raw.sites (id BIGINT)", Ct);
        await Warehouse.ExecuteAsync("INSERT INTO raw.sites VALUES (1), (2)", Ct);
        await Warehouse.ExecuteAsync("CREATE TABLE raw.orders (id BIGINT, code VARCHAR(20), status VARCHAR(20), qty BIGINT, started_at TIMESTAMP, ended_at TIMESTAMP, site_id BIGINT, _loaded_at TIMESTAMP)", Ct);
        await Warehouse.ExecuteAsync("""
            INSERT INTO raw.orders VALUES
              (1, 'A-1', 'OPEN', 5,    TIMESTAMP '2026-12-01 08:00:00', TIMESTAMP '2026-12-01 09:00:00', 1,    NULL),
              (2, 'A-2', 'DONE', -1,   TIMESTAMP '2026-12-01 10:00:00', TIMESTAMP '2026-12-01 09:30:00', 2,    NULL),
              (3, 'A-3', 'LOST', 3,    TIMESTAMP '2026-12-02 08:00:00', NULL,                            9,    NULL),
              (4, 'bad', 'OPEN', NULL, TIMESTAMP '2026-12-03 08:00:00', TIMESTAMP '2026-12-03 10:00:00', 1,    NULL),
              (4, 'A-5', NULL,   2,    TIMESTAMP '2026-12-04 08:00:00', TIMESTAMP '2026-12-04 09:00:00', NULL, NULL)
            """, Ct);
    }

    private static TableRules Rules() => new(Orders)
    {
        Required = ["code", "status", "qty"],
        Keys = [["id"]],
        Rules =
        [
            new AcceptedValuesRule(DqDimension.Validity, "status", ["OPEN", "DONE"]),
            new RangeRule(DqDimension.Validity, "qty", 0, null),
            new PatternRule(DqDimension.Validity, "code", "A-[0-9]+"),
            new ExpressionRule(DqDimension.Consistency, "ended_at >= started_at"),
            new ReferenceRule(DqDimension.Consistency, "site_id", new RelationName("raw", "sites"), "id"),
            new ExpressionRule(DqDimension.Accuracy, "code = 'A-' || CAST(id AS VARCHAR(20))"),
        ],
        Timeliness = new FreshnessRule("ended_at", TimeSpan.FromDays(1)),
        Thresholds = new Dictionary<DqDimension, double> { [DqDimension.Validity] = 0.5, [DqDimension.Completeness] = 0.8 },
    };

    [Fact]
    public async Task Scores_each_dimension_as_counted_by_hand()
    {
        await SeedAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.Zero));
        var scores = await new DqScorer(Warehouse, clock).MeasureAsync(Rules(), "run-1", "raw/orders", Ct);

        var by = scores.Scores.ToDictionary(s => s.Dimension);
        Assert.Equal(Enum.GetValues<DqDimension>(), by.Keys.Order());
        Assert.All(scores.Scores, s => Assert.Equal(5, s.RowsChecked));

        // 15 required cells; qty of order 4 and status of the second order 4 are missing.
        Assert.Equal(13.0 / 15, by[DqDimension.Completeness].Score, 6);
        Assert.Equal(2, by[DqDimension.Completeness].FailedRows);

        // id 4 appears twice: one row repeats a key.
        Assert.Equal(0.8, by[DqDimension.Uniqueness].Score, 6);
        Assert.Equal(1, by[DqDimension.Uniqueness].FailedRows);

        // qty -1 (order 2), status LOST (order 3) and code 'bad' (order 4) are invalid; a NULL status or qty is not.
        Assert.Equal(0.4, by[DqDimension.Validity].Score, 6);
        Assert.Equal(3, by[DqDimension.Validity].FailedRows);

        // Order 2 ends before it starts, order 3 names site 9 that does not exist; the open order 3 and the NULL site pass.
        Assert.Equal(0.6, by[DqDimension.Consistency].Score, 6);

        // 'bad' and 'A-5' (id 4) do not match their ids.
        Assert.Equal(0.6, by[DqDimension.Accuracy].Score, 6);

        // The newest end is 2026-12-04 09:00, eleven hours before the clock: within a day.
        Assert.Equal(1.0, by[DqDimension.Timeliness].Score, 6);

        Assert.False(scores.Passed);
        Assert.False(by[DqDimension.Validity].Passed);
        Assert.True(by[DqDimension.Completeness].Passed);
        Assert.Contains("validity 0.400 (below 0.5)", scores.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeliness_decays_with_age_past_the_limit_and_is_zero_without_rows()
    {
        await SeedAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var scorer = new DqScorer(Warehouse, clock);
        var stale = await scorer.MeasureAsync(Rules(), "run-1", "raw/orders", Ct);
        Assert.Equal(1.0 / 3, stale.Scores.Single(s => s.Dimension == DqDimension.Timeliness).Score, 6);

        await Warehouse.ExecuteAsync("DELETE FROM raw.orders", Ct);
        var empty = await scorer.MeasureAsync(Rules(), "run-2", "raw/orders", Ct);
        Assert.Equal(0, empty.Scores.Single(s => s.Dimension == DqDimension.Timeliness).Score);
        Assert.All(empty.Scores.Where(s => s.Dimension != DqDimension.Timeliness), s => Assert.Equal((1.0, 0L), (s.Score, s.RowsChecked)));
    }

    [Fact]
    public async Task Scores_are_kept_with_the_run_and_read_back_as_latest_and_daily_trend()
    {
        await SeedAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 20, 0, 0, TimeSpan.Zero));
        var scorer = new DqScorer(Warehouse, clock);
        await scorer.MeasureAsync(Rules(), "run-1", "raw/orders", Ct);
        await Warehouse.ExecuteAsync("UPDATE raw.orders SET status = 'DONE' WHERE id = 3", Ct);
        clock.Advance(TimeSpan.FromHours(1));
        await scorer.MeasureAsync(Rules(), "run-2", "raw/orders", Ct);

        Assert.Equal(12L, Convert.ToInt64(await Warehouse.QueryScalarAsync("SELECT COUNT(*) FROM quality.dq_scores WHERE table_name = 'raw.orders'", Ct)));
        Assert.Equal(6L, Convert.ToInt64(await Warehouse.QueryScalarAsync("SELECT COUNT(*) FROM quality.dq_scores WHERE run_id = 'run-2'", Ct)));

        // Order 3's status is valid now: validity rises from 0.4 to 0.6, and the latest view shows the change.
        await using (var latest = await Warehouse.QueryAsync("SELECT score, previous_score, run_id, passed FROM quality.dq_latest WHERE table_name = 'raw.orders' AND dimension = 'validity'", Ct))
        {
            Assert.True(await latest.ReadAsync(Ct));
            Assert.Equal(0.6, Convert.ToDouble(latest.GetValue(0)), 6);
            Assert.Equal(0.4, Convert.ToDouble(latest.GetValue(1)), 6);
            Assert.Equal("run-2", latest.GetValue(2));
            Assert.Equal(true, latest.GetValue(3));
            Assert.False(await latest.ReadAsync(Ct));
        }

        await using var daily = await Warehouse.QueryAsync("SELECT measurements, avg_score, min_score, failed_measurements FROM quality.dq_daily WHERE table_name = 'raw.orders' AND dimension = 'validity'", Ct);
        Assert.True(await daily.ReadAsync(Ct));
        Assert.Equal(2L, Convert.ToInt64(daily.GetValue(0)));
        Assert.Equal(0.5, Convert.ToDouble(daily.GetValue(1)), 6);
        Assert.Equal(0.4, Convert.ToDouble(daily.GetValue(2)), 6);
        Assert.Equal(1L, Convert.ToInt64(daily.GetValue(3)));
    }

    [Fact]
    public async Task Completeness_covers_every_column_but_lineage_when_none_is_required()
    {
        await SeedAsync();
        var scores = await new DqScorer(Warehouse).MeasureAsync(new TableRules(Orders), "run-1", "raw/orders", Ct);

        // Seven columns (not _loaded_at) by five rows; missing: qty, status, one ended_at, one site_id.
        var completeness = Assert.Single(scores.Scores);
        Assert.Equal(DqDimension.Completeness, completeness.Dimension);
        Assert.Equal(1 - (4.0 / 35), completeness.Score, 6);
        Assert.True(scores.Passed);
    }

    [Fact]
    public async Task A_rule_on_a_missing_column_names_the_column_and_where_it_was_declared_and_writes_nothing()
    {
        await SeedAsync();
        var rules = new TableRules(Orders) { Rules = [new RangeRule(DqDimension.Validity, "quantity", 0, 10) { Origin = "models/_sources.yml: source raw.orders: data_quality.validity[0]" }] };
        var error = await Assert.ThrowsAsync<QualityException>(() => new DqScorer(Warehouse).MeasureAsync(rules, "run-1", "raw/orders", Ct));
        Assert.Contains("data_quality.validity[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("no column 'quantity'", error.Message, StringComparison.Ordinal);
        Assert.Null(await Warehouse.GetRelationAsync(DqScorer.ScoresTable, Ct));
    }

    [Fact]
    public async Task A_reference_to_a_table_not_loaded_yet_is_left_out_and_said_so()
    {
        await SeedAsync();
        var rules = new TableRules(Orders)
        {
            Rules =
            [
                new ReferenceRule(DqDimension.Consistency, "site_id", new RelationName("raw", "plants"), "id"),
                new ExpressionRule(DqDimension.Consistency, "ended_at >= started_at"),
            ],
        };
        var scores = await new DqScorer(Warehouse).MeasureAsync(rules, "run-1", "raw/orders", Ct);

        // Only order 2 (ending before it starts) breaks the rule that could be measured.
        Assert.Equal(0.8, scores.Scores.Single(s => s.Dimension == DqDimension.Consistency).Score, 6);
        Assert.Contains("not measured: consistency rule on site_id (raw.plants does not exist)", scores.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_expression_names_the_table_and_the_rule()
    {
        await SeedAsync();
        var rules = new TableRules(Orders) { Rules = [new ExpressionRule(DqDimension.Accuracy, "no_such_column > 1") { Origin = "models/_sources.yml: source raw.orders: data_quality.accuracy[0]" }] };
        var error = await Assert.ThrowsAsync<QualityException>(() => new DqScorer(Warehouse).MeasureAsync(rules, "run-1", "raw/orders", Ct));
        Assert.Contains("raw.orders", error.Message, StringComparison.Ordinal);
        Assert.Contains("data_quality.accuracy[0]", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DuckDbDqScorerTests : DqScorerTests<DuckDbFixture>;

public sealed class PostgresDqScorerTests : DqScorerTests<PostgresFixture>;

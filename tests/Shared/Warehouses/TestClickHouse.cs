using Millwright.Warehouse;

namespace Millwright.Testing;

/// <summary>The two throwaway ClickHouse servers that ./test.sh starts as one cluster; their absence fails the test, never skips it.</summary>
internal static class TestClickHouse
{
    public const string Variable = "MILLWRIGHT_TEST_CLICKHOUSE";

    public const string SecondShardVariable = "MILLWRIGHT_TEST_CLICKHOUSE_SHARD2";

    /// <summary>The cluster both servers know, with one shard on each.</summary>
    public const string Cluster = "millwright_two_shards";

    public static string ConnectionString => Read(Variable);

    public static string SecondShardConnectionString => Read(SecondShardVariable);

    public static WarehouseOptions Options => WarehouseOptions.For(ClickHouseEngine, ConnectionString);

    public static WarehouseEngine ClickHouseEngine => WarehouseEngine.ClickHouse;

    private static string Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests with ./test.sh, which starts two throwaway ClickHouse servers");
}

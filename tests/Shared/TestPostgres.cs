namespace Millwright.Testing;

/// <summary>The throwaway PostgreSQL cluster that ./test.sh starts; its absence fails the test, never skips it.</summary>
internal static class TestPostgres
{
    public const string Variable = "MILLWRIGHT_TEST_PG";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{Variable} is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL 15 cluster");
}

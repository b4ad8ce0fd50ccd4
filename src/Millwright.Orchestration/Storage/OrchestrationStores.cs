namespace Millwright.Orchestration.Storage;

/// <summary>Opens orchestration storage.</summary>
public static class OrchestrationStores
{
    /// <summary>A SQLite file (created with its folder when missing).</summary>
    public static IOrchestrationStorage Sqlite(string path) => new SqliteOrchestrationStorage(path);

    /// <summary>A schema (default <c>millwright_orchestration</c>) in a PostgreSQL database.</summary>
    public static IOrchestrationStorage Postgres(string connectionString, string schema = "millwright_orchestration") => new PostgresOrchestrationStorage(connectionString, schema);
}

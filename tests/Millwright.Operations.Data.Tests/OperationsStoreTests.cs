using Npgsql;

namespace Millwright.Operations.Data.Tests;

/// <summary>How a PostgreSQL store's connection string is completed: pool defaults unless the user set them, however spelled.</summary>
public sealed class OperationsStoreTests
{
    [Fact]
    public void Pooled_connections_are_kept_and_statements_prepared_unless_the_connection_string_says_otherwise()
    {
        var defaults = new NpgsqlConnectionStringBuilder(OperationsStore.WithPoolDefaults("Host=db;Username=ops"));
        Assert.Equal((true, 100, "db"), (defaults.NoResetOnClose, defaults.MaxAutoPrepare, defaults.Host));

        foreach (var given in new[] { "Host=db;No Reset On Close=false;Max Auto Prepare=0", "Host=db;NoResetOnClose=false;MaxAutoPrepare=0", "host=db;no reset on close=False;max auto prepare=0" })
        {
            var kept = new NpgsqlConnectionStringBuilder(OperationsStore.WithPoolDefaults(given));
            Assert.Equal((false, 0), (kept.NoResetOnClose, kept.MaxAutoPrepare));
        }
    }
}

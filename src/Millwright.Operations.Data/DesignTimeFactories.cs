using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Millwright.Operations.Data;

// Used only by `dotnet ef migrations add` (see ARCHITECTURE.md); no connection is opened.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOperationsDbContext>
{
    public SqliteOperationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOperationsDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable("__ef_migrations_history")).Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresOperationsDbContext>
{
    public PostgresOperationsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresOperationsDbContext>()
            .UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable("__ef_migrations_history")).Options);
}

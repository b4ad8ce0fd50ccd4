using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Millwright.Identity;

/// <summary>
/// Users, roles and API tokens beside the operational tables (<c>auth_*</c>), with a migration history of their own
/// (<c>__auth_migrations_history</c>), so the two schemas evolve independently in one database.
/// </summary>
internal abstract class AccountsDbContext(DbContextOptions options) : IdentityDbContext<MillwrightUser, IdentityRole<long>, long>(options)
{
    public const string HistoryTable = "__auth_migrations_history";

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<MillwrightUser>().ToTable("auth_users");
        builder.Entity<IdentityRole<long>>().ToTable("auth_roles");
        builder.Entity<IdentityUserRole<long>>().ToTable("auth_user_roles");
        builder.Entity<IdentityUserClaim<long>>().ToTable("auth_user_claims");
        builder.Entity<IdentityUserLogin<long>>().ToTable("auth_user_logins");
        builder.Entity<IdentityUserToken<long>>().ToTable("auth_user_tokens");
        builder.Entity<IdentityRoleClaim<long>>().ToTable("auth_role_claims");
        builder.Entity<ApiToken>(t =>
        {
            t.ToTable("auth_api_tokens");
            t.HasKey(x => x.Id);
            t.Property(x => x.Name).HasMaxLength(100).IsRequired();
            t.Property(x => x.Hash).HasMaxLength(64).IsRequired();
            t.Property(x => x.Prefix).HasMaxLength(16).IsRequired();
            t.Property(x => x.Roles).HasMaxLength(200).IsRequired();
            t.HasIndex(x => x.Hash).IsUnique();
            t.HasIndex(x => x.UserId);
            t.HasOne<MillwrightUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>The SQLite flavour: migrations under Migrations/Sqlite.</summary>
internal sealed class SqliteAccountsDbContext(DbContextOptions<SqliteAccountsDbContext> options) : AccountsDbContext(options);

/// <summary>The PostgreSQL flavour: migrations under Migrations/Postgres.</summary>
internal sealed class PostgresAccountsDbContext(DbContextOptions<PostgresAccountsDbContext> options) : AccountsDbContext(options);

// Used only by `dotnet ef migrations add`; no connection is opened.
internal sealed class SqliteAccountsDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAccountsDbContext>
{
    public SqliteAccountsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAccountsDbContext>().UseSqlite("Data Source=design-time.db", o => o.MigrationsHistoryTable(AccountsDbContext.HistoryTable)).Options);
}

internal sealed class PostgresAccountsDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAccountsDbContext>
{
    public PostgresAccountsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAccountsDbContext>().UseNpgsql("Host=design-time", o => o.MigrationsHistoryTable(AccountsDbContext.HistoryTable)).Options);
}

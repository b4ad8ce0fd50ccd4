using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Millwright.Identity;

/// <summary>Where the account tables live: the operational store's SQLite file or PostgreSQL database.</summary>
public sealed record AccountStoreOptions(AccountStoreProvider Provider, string Connection);

public enum AccountStoreProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Registers ASP.NET Core Identity over the account tables and <see cref="Accounts"/>.</summary>
public static class AccountServices
{
    /// <summary>
    /// Identity's user and role managers on the store, with Millwright's rules: passwords of 12 characters or more (no
    /// composition rules, as NIST SP 800-63B advises), lockout for 5 minutes after 5 failed sign-ins.
    /// </summary>
    public static IdentityBuilder AddMillwrightAccounts(this IServiceCollection services, AccountStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == AccountStoreProvider.Sqlite)
        {
            services.AddDbContextPool<SqliteAccountsDbContext>(o => o.UseSqlite(options.Connection, s => s.MigrationsHistoryTable(AccountsDbContext.HistoryTable)));
            services.AddScoped<AccountsDbContext>(sp => sp.GetRequiredService<SqliteAccountsDbContext>());
        }
        else
        {
            services.AddDbContextPool<PostgresAccountsDbContext>(o => o.UseNpgsql(options.Connection, s => s.MigrationsHistoryTable(AccountsDbContext.HistoryTable)));
            services.AddScoped<AccountsDbContext>(sp => sp.GetRequiredService<PostgresAccountsDbContext>());
        }

        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Accounts>();
        return services.AddIdentityCore<MillwrightUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
                o.Lockout.AllowedForNewUsers = true;
                o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@";
            })
            .AddRoles<IdentityRole<long>>()
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddClaimsPrincipalFactory<MillwrightClaimsFactory>();
    }

    /// <summary>A standalone <see cref="Accounts"/> (for the CLI): dispose the returned provider when done.</summary>
    public static (Accounts Accounts, ServiceProvider Provider) Open(AccountStoreOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders());
        services.AddMillwrightAccounts(options);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<Accounts>(), provider);
    }
}

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Millwright.Identity;

/// <summary>A user as listed: name, roles, linked mechanic and whether they may sign in.</summary>
public sealed record AccountInfo(long Id, string Name, IReadOnlyList<AccountRole> Roles, long? MechanicId, bool Disabled, DateTime CreatedAt);

/// <summary>An API token as listed (never its secret).</summary>
public sealed record ApiTokenInfo(long Id, string User, string Name, string Prefix, IReadOnlyList<AccountRole> Roles, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt)
{
    public bool IsActive(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>A token just created: <see cref="Secret"/> is shown once and kept nowhere.</summary>
public sealed record IssuedToken(ApiTokenInfo Info, string Secret);

/// <summary>How a password sign-in went.</summary>
public enum SignInOutcome
{
    SignedIn,
    Failed,
    LockedOut,
}

/// <summary>
/// Users, roles and API tokens, over ASP.NET Core Identity's user manager (PBKDF2 password hashes, lockout after
/// repeated failures, security stamps) and the <c>auth_api_tokens</c> table.
/// </summary>
public sealed class Accounts(IServiceScopeFactory scopes, TimeProvider clock)
{
    /// <summary>Tokens start with this, so a leaked one is easy to recognise in logs and secret scanners.</summary>
    public const string TokenPrefix = "mw_";

    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);

    /// <summary>Applies pending migrations of the account tables and makes sure every role exists.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<long>>>();
        foreach (var role in Enum.GetValues<AccountRole>())
        {
            if (!await roles.RoleExistsAsync(role.Name()).ConfigureAwait(false))
            {
                Check(await roles.CreateAsync(new IdentityRole<long>(role.Name())).ConfigureAwait(false), $"role {role.Name()}");
            }
        }

        return pending;
    }

    public async Task<AccountInfo> CreateUserAsync(string name, string password, IReadOnlyCollection<AccountRole> roles, long? mechanicId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (roles.Count == 0)
        {
            throw new AccountException($"user {name} needs at least one role ({AccountRoles.All})");
        }

        if (mechanicId is not null && !roles.Contains(AccountRole.Mechanic))
        {
            throw new AccountException("--mechanic-id links a MECHANIC user to their mechanic row; give the user the MECHANIC role too");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        if (await users.FindByNameAsync(name).ConfigureAwait(false) is not null)
        {
            throw new AccountException($"user {name} already exists");
        }

        var user = new MillwrightUser { UserName = name, MechanicId = mechanicId, CreatedAt = clock.GetUtcNow().UtcDateTime, LockoutEnabled = true };
        Check(await users.CreateAsync(user, password).ConfigureAwait(false), $"user {name}");
        Check(await users.AddToRolesAsync(user, roles.Distinct().Select(r => r.Name())).ConfigureAwait(false), $"roles of {name}");
        return await InfoAsync(users, user).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AccountInfo>> ListUsersAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var all = await users.Users.OrderBy(u => u.UserName).ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<AccountInfo>(all.Count);
        foreach (var user in all)
        {
            result.Add(await InfoAsync(users, user).ConfigureAwait(false));
        }

        return result;
    }

    public async Task<bool> AnyUserAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await Users(scope).Users.AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disables (or enables again) a user: a disabled user cannot sign in, their cookies stop working and their tokens are refused.</summary>
    public async Task<AccountInfo> SetDisabledAsync(string name, bool disabled, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await FindAsync(users, name).ConfigureAwait(false);
        user.DisabledAt = disabled ? user.DisabledAt ?? clock.GetUtcNow().UtcDateTime : null;
        Check(await users.SetLockoutEndDateAsync(user, disabled ? DateTimeOffset.MaxValue : null).ConfigureAwait(false), $"user {name}");
        Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), $"user {name}");
        return await InfoAsync(users, user).ConfigureAwait(false);
    }

    /// <summary>Sets a new password (the user's other sessions end).</summary>
    public async Task SetPasswordAsync(string name, string password, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await FindAsync(users, name).ConfigureAwait(false);
        var hasher = scope.ServiceProvider.GetRequiredService<IPasswordHasher<MillwrightUser>>();
        foreach (var validator in users.PasswordValidators)
        {
            Check(await validator.ValidateAsync(users, user, password).ConfigureAwait(false), $"password of {name}");
        }

        user.PasswordHash = hasher.HashPassword(user, password);
        Check(await users.UpdateSecurityStampAsync(user).ConfigureAwait(false), $"user {name}");
    }

    /// <summary>
    /// A workspace with no users gets <c>admin</c> (role ADMIN) with <paramref name="password"/>, or a random one that
    /// is returned to be shown once. Null when users already exist.
    /// </summary>
    public async Task<string?> EnsureAdminAsync(string? password, CancellationToken cancellationToken = default)
    {
        if (await AnyUserAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var chosen = string.IsNullOrEmpty(password) ? RandomText(18) : password;
        await CreateUserAsync("admin", chosen, [AccountRole.Admin], cancellationToken: cancellationToken).ConfigureAwait(false);
        return chosen;
    }

    /// <summary>
    /// Creates a token for <paramref name="userName"/> with the user's roles, or the subset <paramref name="roles"/>.
    /// </summary>
    public async Task<IssuedToken> CreateTokenAsync(string userName, string? name = null, TimeSpan? lifetime = null, IReadOnlyCollection<AccountRole>? roles = null, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Users(scope);
        var user = await FindAsync(users, userName).ConfigureAwait(false);
        if (user.DisabledAt is not null)
        {
            throw new AccountException($"user {userName} is disabled");
        }

        var held = (await users.GetRolesAsync(user).ConfigureAwait(false)).Select(AccountRoles.Parse).ToHashSet();
        var scopeRoles = roles is { Count: > 0 } ? roles.Distinct().ToList() : [.. held.Order()];
        foreach (var missing in scopeRoles.Where(r => !held.Contains(r)))
        {
            throw new AccountException($"user {userName} does not hold role {missing.Name()}; a token's roles are a subset of its user's ({string.Join(", ", held.Order().Select(r => r.Name()))})");
        }

        if (lifetime is { } l && l <= TimeSpan.Zero)
        {
            throw new AccountException("a token's lifetime must be positive");
        }

        var tokenName = string.IsNullOrWhiteSpace(name) ? $"token-{clock.GetUtcNow():yyyyMMddHHmmss}" : name.Trim();
        if (tokenName.Length > 100)
        {
            throw new AccountException("a token name is at most 100 characters");
        }

        var secret = TokenPrefix + RandomText(32);
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            UserId = user.Id,
            Name = tokenName,
            Hash = Hash(secret),
            Prefix = secret[..(TokenPrefix.Length + 6)],
            Roles = string.Join(',', scopeRoles.Order().Select(r => r.Name())),
            CreatedAt = now,
            ExpiresAt = lifetime is { } span ? now + span : null,
        };
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedToken(Info(token, user.UserName!), secret);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string? userName = null, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var rows = await db.ApiTokens.Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { Token = t, u.UserName })
            .Where(x => userName == null || x.UserName == userName)
            .OrderBy(x => x.Token.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(x => Info(x.Token, x.UserName!))];
    }

    /// <summary>Revokes a token at once; the next request that carries it gets 401.</summary>
    public async Task<ApiTokenInfo> RevokeTokenAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false)
            ?? throw new AccountException($"no token {id} (see `millwright tokens ls`)");
        token.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var user = await db.Users.FirstAsync(u => u.Id == token.UserId, cancellationToken).ConfigureAwait(false);
        return Info(token, user.UserName!);
    }

    /// <summary>
    /// The identity a bearer token stands for (its roles are those of its scope that the user still holds), or null
    /// for an unknown, revoked or expired token or a disabled user.
    /// </summary>
    public async Task<ClaimsIdentity?> AuthenticateTokenAsync(string secret, string authenticationType, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(secret) || !secret.StartsWith(TokenPrefix, StringComparison.Ordinal) || secret.Length > 200)
        {
            return null;
        }

        var hash = Hash(secret);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();

        // One statement per request: the token, its user and the user's roles together (a row per role).
        TokenHolder? holder = null;
        var held = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in (db is PostgresAccountsDbContext ? TokenWithUserPostgres : TokenWithUserSqlite)(db, hash).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            holder ??= row;
            if (row.Role is { } role)
            {
                held.Add(role);
            }
        }

        var clockNow = clock.GetUtcNow();
        var now = clockNow.UtcDateTime;
        if (holder is null || holder.RevokedAt is not null || holder.ExpiresAt <= now)
        {
            return null;
        }

        // As UserManager.IsLockedOutAsync: a lockout that has not ended yet, on a user with lockout enabled.
        if (holder.DisabledAt is not null || (holder.LockoutEnabled && holder.LockoutEnd is { } end && end >= clockNow))
        {
            return null;
        }

        var roles = holder.TokenRoles.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(held.Contains).Select(AccountRoles.Parse).ToList();
        if (holder.LastUsedAt is null || now - holder.LastUsedAt > LastUsedGranularity)
        {
            // At most one write a minute per token, so reads stay reads.
            await db.ApiTokens.Where(t => t.Id == holder.TokenId)
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), cancellationToken).ConfigureAwait(false);
        }

        return AccountClaims.Identity(holder.UserId, holder.UserName!, roles, holder.MechanicId, authenticationType, $"token:{holder.TokenId}");
    }

    private sealed record TokenHolder(
        long TokenId, string TokenRoles, DateTime? ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt,
        long UserId, string? UserName, long? MechanicId, DateTime? DisabledAt, bool LockoutEnabled, DateTimeOffset? LockoutEnd, string? Role);

    // EF binds a compiled query to one model, and each store provider has its own.
    private static readonly Func<AccountsDbContext, string, IAsyncEnumerable<TokenHolder>> TokenWithUserSqlite = CompileTokenWithUser();
    private static readonly Func<AccountsDbContext, string, IAsyncEnumerable<TokenHolder>> TokenWithUserPostgres = CompileTokenWithUser();

    private static Func<AccountsDbContext, string, IAsyncEnumerable<TokenHolder>> CompileTokenWithUser() =>
        EF.CompileAsyncQuery((AccountsDbContext db, string hash) =>
            from t in db.ApiTokens.AsNoTracking()
            where t.Hash == hash
            join u in db.Users on t.UserId equals u.Id
            from ur in db.UserRoles.Where(ur => ur.UserId == u.Id).DefaultIfEmpty()
            from r in db.Roles.Where(r => ur != null && r.Id == ur.RoleId).DefaultIfEmpty()
            select new TokenHolder(
                t.Id, t.Roles, t.ExpiresAt, t.RevokedAt, t.LastUsedAt,
                u.Id, u.UserName, u.MechanicId, u.DisabledAt, u.LockoutEnabled, u.LockoutEnd, r == null ? null : r.Name));

    internal static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string RandomText(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static UserManager<MillwrightUser> Users(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<MillwrightUser>>();

    private static async Task<MillwrightUser> FindAsync(UserManager<MillwrightUser> users, string name) =>
        await users.FindByNameAsync(name).ConfigureAwait(false) ?? throw new AccountException($"no user {name} (see `millwright users ls`)");

    private static async Task<AccountInfo> InfoAsync(UserManager<MillwrightUser> users, MillwrightUser user)
    {
        var roles = (await users.GetRolesAsync(user).ConfigureAwait(false)).Select(AccountRoles.Parse).Order().ToList();
        return new AccountInfo(user.Id, user.UserName!, roles, user.MechanicId, user.DisabledAt is not null, user.CreatedAt);
    }

    private static ApiTokenInfo Info(ApiToken token, string user) =>
        new(token.Id, user, token.Name, token.Prefix, [.. token.Roles.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(AccountRoles.Parse)], token.CreatedAt, token.ExpiresAt, token.RevokedAt, token.LastUsedAt);

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new AccountException($"{what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}

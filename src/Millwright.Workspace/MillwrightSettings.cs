using Millwright.Warehouse;

namespace Millwright.Workspace;

/// <summary>The resolved settings of a workspace, after every layer has been applied and validated.</summary>
public sealed record MillwrightSettings(
    string Name,
    WebSettings Web,
    StoreSettings Operations,
    WarehouseSettings Warehouse,
    OrchestrationSettings Orchestration)
{
    /// <summary>Where backups go, the cron of the host's own backups (none when null) and how many are kept.</summary>
    public BackupSettings Backup { get; init; } = new(".millwright/backups", null, 7);

    /// <summary>Every setting as a flat list of <c>section.key = value</c> with secrets masked, for display.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("name", Name),
        new("web.host", Web.Host),
        new("web.port", Web.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("web.allowed_hosts", Web.AllowedHosts.Count == 0 ? (Web.IsLoopback ? "localhost, 127.0.0.1, [::1] (the default on a loopback host)" : "* (any)") : string.Join(", ", Web.AllowedHosts)),
        new("web.tls.certificate", Web.TlsCertificate ?? "(not set: plain HTTP)"),
        new("web.tls.key", Web.TlsKey ?? ""),
        new("web.metrics_port", Web.MetricsPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(not set: /metrics needs an OPERATOR token)"),
        .. Operations.Describe("operations"),
        .. Warehouse.Describe("warehouse"),
        .. Orchestration.Store.Describe("orchestration"),
        new("orchestration.max_concurrent_runs", Orchestration.MaxConcurrentRuns.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("orchestration.retention_days", Orchestration.RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("backup.directory", Backup.Directory),
        new("backup.schedule", Backup.Schedule ?? "(not set: no scheduled backups)"),
        new("backup.keep", Backup.Keep.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary>Backups: the folder they are written to (absolute), the host's cron for them, how many are kept.</summary>
public sealed record BackupSettings(string Directory, string? Schedule, int Keep);

/// <summary>Where runs and the event log are kept, how many runs go at once, and how long history is kept.</summary>
public sealed record OrchestrationSettings(StoreSettings Store, int MaxConcurrentRuns, int RetentionDays);

/// <summary>
/// Where the host listens; which Host headers it answers (empty: any); the PEM certificate and key that turn on HTTPS;
/// and the password the first <c>admin</c> gets (from <c>MILLWRIGHT_ADMIN_PASSWORD</c>; a random one when absent).
/// </summary>
public sealed record WebSettings(string Host, int Port)
{
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    public string? InitialAdminPassword { get; init; }

    /// <summary>A second port, on 127.0.0.1 only, that serves /metrics without a token to a Prometheus on this machine; off when null.</summary>
    public int? MetricsPort { get; init; }

    public bool Tls => TlsCertificate is not null;

    public Uri Url => new UriBuilder(Tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, Host, Port).Uri;

    /// <summary>True when the host listens only on this machine (localhost, 127.x, ::1).</summary>
    public bool IsLoopback => Host is "localhost" || (System.Net.IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
}

/// <summary>Where a store lives: an embedded file (<see cref="Path"/>) or a server (<see cref="Connection"/>).</summary>
public abstract record StoreLocation(string? Path, string? Connection)
{
    /// <summary>The provider's name as settings spell it (sqlite, duckdb, postgres).</summary>
    public abstract string ProviderName { get; }

    public abstract bool IsEmbedded { get; }

    /// <summary>Where the store is, with any password masked: safe to print and log.</summary>
    public string Target => IsEmbedded ? Path ?? "" : ConnectionStrings.Redact(Connection ?? "");

    internal IEnumerable<KeyValuePair<string, string>> Describe(string section)
    {
        yield return new($"{section}.provider", ProviderName);
        if (IsEmbedded)
        {
            yield return new($"{section}.path", Path ?? "");
        }
        else
        {
            yield return new($"{section}.connection", Target);
        }
    }
}

/// <summary>An operational store (operations, orchestration): SQLite or PostgreSQL.</summary>
public sealed record StoreSettings(StoreProvider Provider, string? Path, string? Connection) : StoreLocation(Path, Connection)
{
    public override string ProviderName => Provider.ToConfigName();

    public override bool IsEmbedded => Provider is StoreProvider.Sqlite;
}

/// <summary>The warehouse: one of the engines of Millwright.Warehouse, at a file path or a server.</summary>
public sealed record WarehouseSettings(WarehouseEngine Engine, string? Path, string? Connection) : StoreLocation(Path, Connection)
{
    public override string ProviderName => Engine.Name();

    public override bool IsEmbedded => Engine.Location() == WarehouseLocation.File;

    /// <summary>What the warehouse adapter opens.</summary>
    public WarehouseOptions Options => new(Engine, Path, Connection);
}

public enum StoreProvider
{
    Sqlite,
    Postgres,
}

public static class StoreProviderNames
{
    public static string ToConfigName(this StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => "sqlite",
        StoreProvider.Postgres => "postgres",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}

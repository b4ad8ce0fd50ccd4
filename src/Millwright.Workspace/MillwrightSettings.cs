namespace Millwright.Workspace;

/// <summary>The resolved settings of a workspace, after every layer has been applied and validated.</summary>
public sealed record MillwrightSettings(
    string Name,
    WebSettings Web,
    StoreSettings Operations,
    StoreSettings Warehouse,
    OrchestrationSettings Orchestration,
    IngestionSettings Ingestion)
{
    /// <summary>Every setting as a flat list of <c>section.key = value</c> with secrets masked, for display.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Describe() =>
    [
        new("name", Name),
        new("web.host", Web.Host),
        new("web.port", Web.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        .. Operations.Describe("operations"),
        .. Warehouse.Describe("warehouse"),
        .. Orchestration.Store.Describe("orchestration"),
        new("orchestration.max_concurrent_runs", Orchestration.MaxConcurrentRuns.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("orchestration.retention_days", Orchestration.RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("ingestion.token", Ingestion.Token is null ? "(not set: stream load is off)" : "***"),
    ];
}

/// <summary>Ingestion: the token stream-load callers send (Authorization: Bearer); stream load is off without one.</summary>
public sealed record IngestionSettings(string? Token);

/// <summary>Where runs and the event log are kept, how many runs go at once, and how long history is kept.</summary>
public sealed record OrchestrationSettings(StoreSettings Store, int MaxConcurrentRuns, int RetentionDays);

public sealed record WebSettings(string Host, int Port)
{
    public Uri Url => new UriBuilder(Uri.UriSchemeHttp, Host, Port).Uri;
}

/// <summary>Where a store lives: an embedded file (<see cref="Path"/>) or a server (<see cref="Connection"/>).</summary>
public sealed record StoreSettings(StoreProvider Provider, string? Path, string? Connection)
{
    public bool IsEmbedded => Provider is StoreProvider.Sqlite or StoreProvider.DuckDb;

    /// <summary>Where the store is, with any password masked: safe to print and log.</summary>
    public string Target => IsEmbedded ? Path ?? "" : ConnectionStrings.Redact(Connection ?? "");

    internal IEnumerable<KeyValuePair<string, string>> Describe(string section)
    {
        yield return new($"{section}.provider", Provider.ToConfigName());
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

public enum StoreProvider
{
    Sqlite,
    DuckDb,
    Postgres,
}

public static class StoreProviderNames
{
    public static string ToConfigName(this StoreProvider provider) => provider switch
    {
        StoreProvider.Sqlite => "sqlite",
        StoreProvider.DuckDb => "duckdb",
        StoreProvider.Postgres => "postgres",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}

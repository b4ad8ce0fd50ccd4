using Millwright.Orchestration.Storage;

namespace Millwright.Orchestration.Tests;

/// <summary>A clock the test moves by hand (timers still run on real time).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Set(DateTimeOffset now) => _now = now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>A fresh SQLite storage file per test, deleted afterwards.</summary>
internal sealed class TempStore : IAsyncDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("millwright-orch-").FullName;

    public TempStore()
    {
        Path = System.IO.Path.Combine(_dir, "orchestration.db");
    }

    public string Path { get; }

    public string Directory => _dir;

    public async Task<IOrchestrationStorage> OpenAsync()
    {
        var storage = OrchestrationStores.Sqlite(Path);
        await storage.InitializeAsync(TestContext.Current.CancellationToken);
        return storage;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}

internal static class Events
{
    public static async Task<List<EventRecord>> AllAsync(IOrchestrationStorage storage, string runId)
    {
        var all = new List<EventRecord>();
        await foreach (var e in storage.ReadRunEventsAsync(runId, CancellationToken.None))
        {
            all.Add(e);
        }

        return all;
    }
}

/// <summary>A test class with a fresh SQLite orchestration storage of its own.</summary>
public abstract class StorageTests : IAsyncLifetime
{
    internal TempStore Files { get; } = new();

    internal IOrchestrationStorage Storage { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => Storage = await Files.OpenAsync();

    public async ValueTask DisposeAsync()
    {
        await Storage.DisposeAsync();
        await Files.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

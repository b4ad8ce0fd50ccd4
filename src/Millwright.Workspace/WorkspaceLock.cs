using System.Text.Json;

namespace Millwright.Workspace;

/// <summary>Where a live <c>millwright up</c> of a workspace listens, and the secret its workspace's own CLI presents.</summary>
public sealed record HostAddress(int ProcessId, Uri Address, string Secret);

/// <summary>
/// The one `millwright up` that serves a workspace: an exclusive lock on <c>.millwright/host.lock</c>, held while the
/// host runs and released by the operating system when its process ends, however it ends. <c>host.json</c> (readable
/// by the workspace's owner only) names the holder's process, its address and the secret with which the CLI's verbs
/// run on it; it is read only while the lock is held, so a file a killed host left behind is never trusted.
/// </summary>
public sealed class WorkspaceLock : IDisposable
{
    private const string LockFile = "host.lock";
    private const string HostFile = "host.json";
    private readonly FileStream _lock;
    private readonly string _hostFile;

    private WorkspaceLock(FileStream held, string hostFile) => (_lock, _hostFile) = (held, hostFile);

    public static WorkspaceLock Acquire(WorkspaceLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory.CreateDirectory(layout.StateDirectory);
        var hostFile = Path.Combine(layout.StateDirectory, HostFile);
        try
        {
            var held = new FileStream(Path.Combine(layout.StateDirectory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.Delete(hostFile);
            return new WorkspaceLock(held, hostFile);
        }
        catch (IOException)
        {
            var holder = Read(hostFile) is { } live ? $"process {live.ProcessId} at {live.Address}" : "starting";
            throw new SettingsException($"another `millwright up` ({holder}) already serves the workspace {layout.Root}; stop it first, or run `millwright` verbs here: they run on it");
        }
    }

    /// <summary>Publishes where this host listens, for the CLI; only the file's owner may read it.</summary>
    public void Announce(Uri address, string secret)
    {
        ArgumentNullException.ThrowIfNull(address);
        var json = JsonSerializer.Serialize(new HostFileContent(Environment.ProcessId, address.ToString(), secret));
        var temporary = _hostFile + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }

        File.Move(temporary, _hostFile, overwrite: true);
    }

    /// <summary>The live host of the workspace, or null when none holds its lock (a stale host.json is ignored).</summary>
    public static HostAddress? FindLive(WorkspaceLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var lockPath = Path.Combine(layout.StateDirectory, LockFile);
        if (!File.Exists(lockPath))
        {
            return null;
        }

        try
        {
            // Free: no host holds it. Shared access is enough to tell, and is let go at once.
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return null;
        }
        catch (IOException)
        {
            return Read(Path.Combine(layout.StateDirectory, HostFile));
        }
    }

    private static HostAddress? Read(string hostFile)
    {
        try
        {
            var content = JsonSerializer.Deserialize<HostFileContent>(File.ReadAllText(hostFile));
            return content is { Address: { } address, Secret: { } secret } ? new HostAddress(content.Pid, new Uri(address), secret) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UriFormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        File.Delete(_hostFile);
        _lock.Dispose();
    }

    private sealed record HostFileContent(int Pid, string Address, string Secret);
}

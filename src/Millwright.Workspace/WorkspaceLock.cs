using System.Globalization;

namespace Millwright.Workspace;

/// <summary>
/// The one `millwright up` that serves a workspace: an exclusive lock on <c>.millwright/host.lock</c>, held while the
/// host runs and released by the operating system when its process ends, however it ends; <c>host.pid</c> names the
/// holder for the message a second host gets.
/// </summary>
public sealed class WorkspaceLock : IDisposable
{
    private readonly FileStream _lock;

    private WorkspaceLock(FileStream held) => _lock = held;

    public static WorkspaceLock Acquire(WorkspaceLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Directory.CreateDirectory(layout.StateDirectory);
        var pidFile = Path.Combine(layout.StateDirectory, "host.pid");
        try
        {
            var held = new FileStream(Path.Combine(layout.StateDirectory, "host.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            return new WorkspaceLock(held);
        }
        catch (IOException)
        {
            var holder = File.Exists(pidFile) ? File.ReadAllText(pidFile).Trim() : "unknown";
            throw new SettingsException($"another `millwright up` (process {holder}) already serves the workspace {layout.Root}; stop it first, or use `millwright` verbs against it");
        }
    }

    public void Dispose() => _lock.Dispose();
}

using Millwright.Dashboards;
using Millwright.Workspace;

namespace Millwright.Web.Dashboards;

/// <summary>
/// The workspace's dashboards, read from <c>pipelines/*/dashboards/*.yml</c> and read again when any of those files
/// changes (checked on each use, by their names, sizes and times), so an edited file shows on the next page load.
/// </summary>
internal sealed class DashboardCatalog(LoadedSettings loaded)
{
    private readonly Lock _gate = new();
    private (string Fingerprint, DashboardSet Set)? _current;

    public DashboardSet Current
    {
        get
        {
            var directory = loaded.Workspace.PipelinesDirectory;
            var fingerprint = Fingerprint(directory);
            lock (_gate)
            {
                if (_current is not { } current || current.Fingerprint != fingerprint)
                {
                    _current = (fingerprint, DashboardLoader.Load(directory));
                }

                return _current.Value.Set;
            }
        }
    }

    private static string Fingerprint(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return "";
        }

        var files = Directory.EnumerateDirectories(directory)
            .Select(d => Path.Combine(d, "dashboards"))
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateFiles)
            .Order(StringComparer.Ordinal)
            .Select(f => new FileInfo(f))
            .Select(f => $"{f.FullName}|{f.Length}|{f.LastWriteTimeUtc.Ticks}");
        return string.Join("\n", files);
    }
}

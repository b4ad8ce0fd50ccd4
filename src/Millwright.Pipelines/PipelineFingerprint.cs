using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Millwright.Pipelines;

/// <summary>
/// A digest of what defines a workspace's pipelines: every file under <c>pipelines/</c> (its path, size and last
/// write) except the data and output folders (<c>landing/</c>, <c>target/</c>, <c>logs/</c>, <c>temp/</c>), the
/// dashboards (<c>dashboards/</c>: the web app reads them again by itself; they define no asset) and hidden ones. Equal
/// digests mean nothing a load reads has changed.
/// </summary>
public static class PipelineFingerprint
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "landing", "target", "logs", "temp", "dashboards" };

    public static string Of(string pipelinesDirectory)
    {
        var text = new StringBuilder();
        if (Directory.Exists(pipelinesDirectory))
        {
            Walk(new DirectoryInfo(pipelinesDirectory), pipelinesDirectory, text);
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Walk(DirectoryInfo folder, string root, StringBuilder text)
    {
        FileSystemInfo[] entries;
        try
        {
            entries = folder.GetFileSystemInfos();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder removed or unreadable while looked at reads as changed, and is looked at again.
            text.Append(folder.FullName).Append('?').Append('\n');
            return;
        }

        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Name.StartsWith('.'))
            {
                continue;
            }

            if (entry is DirectoryInfo directory)
            {
                if (!Skipped.Contains(directory.Name))
                {
                    Walk(directory, root, text);
                }
            }
            else if (entry is FileInfo file)
            {
                text.Append(Path.GetRelativePath(root, file.FullName)).Append('|')
                    .Append(file.Length.ToString(CultureInfo.InvariantCulture)).Append('|')
                    .Append(file.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }
}

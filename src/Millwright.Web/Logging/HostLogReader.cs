using System.Globalization;
using System.Text.Json;

namespace Millwright.Web.Logging;

/// <summary>One event of the host's log file.</summary>
public sealed record HostLogEntry(DateTimeOffset Timestamp, string Level, string? Category, string Message, string? RunId, string? CorrelationId, string? User, string? Exception, string Json);

/// <summary>Reads the newest events of the host's log (<c>.millwright/logs/host-*.log</c>), newest file first, without loading whole files.</summary>
public static class HostLogReader
{
    /// <summary>Where the host writes its log in a workspace's state directory.</summary>
    public static string Folder(string stateDirectory) => HostLogging.Folder(stateDirectory);

    /// <summary>The last <paramref name="count"/> events in time order, only those of <paramref name="runId"/> when given.</summary>
    public static IReadOnlyList<HostLogEntry> Recent(string stateDirectory, int count, string? runId = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var folder = HostLogging.Folder(stateDirectory);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var found = new List<HostLogEntry>();
        foreach (var file in Directory.GetFiles(folder, "host-*.log").Order(StringComparer.Ordinal).Reverse())
        {
            var tail = new Queue<HostLogEntry>(count);
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            using (var reader = new StreamReader(stream))
            {
                while (reader.ReadLine() is { } line)
                {
                    if (Parse(line) is { } entry && (runId is null || entry.RunId == runId))
                    {
                        if (tail.Count == count)
                        {
                            tail.Dequeue();
                        }

                        tail.Enqueue(entry);
                    }
                }
            }

            found.InsertRange(0, tail.TakeLast(count - found.Count));
            if (found.Count >= count)
            {
                break;
            }
        }

        return found;
    }

    private static HostLogEntry? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new HostLogEntry(
                DateTimeOffset.Parse(Text("@t") ?? "", CultureInfo.InvariantCulture),
                Text("@l") ?? "Information",
                Text("SourceContext"),
                Text("@m") ?? "",
                Text("RunId"),
                Text("CorrelationId"),
                Text("User"),
                Text("@x"),
                line);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            // A line cut short by a crash, or not the host's: left out.
            return null;
        }
    }
}

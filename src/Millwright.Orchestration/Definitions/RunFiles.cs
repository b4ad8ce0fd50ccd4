namespace Millwright.Orchestration.Definitions;

/// <summary>
/// The run tag that names one file for a run to read (set by file sensors, or by a person launching a run), and the
/// rule that keeps it honest: the file must be inside a folder a selected computation declares it reads from, after
/// resolving <c>..</c> and every symbolic link on the way.
/// </summary>
public static class RunFiles
{
    public const string Tag = "millwright/file";

    /// <summary>
    /// The file's real path when it lies inside one of <paramref name="folders"/> (themselves resolved); otherwise an
    /// <see cref="OrchestrationException"/> that says why.
    /// </summary>
    public static string Resolve(string file, IReadOnlyCollection<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (string.IsNullOrWhiteSpace(file) || file.Contains('\0', StringComparison.Ordinal) || !Path.IsPathFullyQualified(file))
        {
            throw new OrchestrationException($"tag {Tag} must be the full path of a file, not '{Printable(file)}'");
        }

        if (folders.Count == 0)
        {
            throw new OrchestrationException($"tag {Tag} names a file, but no selected asset reads files");
        }

        string real;
        try
        {
            real = RealPath(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new OrchestrationException($"tag {Tag}: cannot resolve '{Printable(file)}': {e.Message}", e);
        }

        if (!File.Exists(real))
        {
            throw new OrchestrationException($"tag {Tag}: no file '{Printable(file)}'");
        }

        foreach (var folder in folders)
        {
            var root = RealPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if (real.StartsWith(root, StringComparison.Ordinal))
            {
                return real;
            }
        }

        throw new OrchestrationException($"tag {Tag}: '{Printable(file)}' is outside the folders the selected assets read from ({string.Join(", ", folders)})");
    }

    /// <summary>The path with <c>.</c>, <c>..</c> and every symbolic link among its parts resolved (a missing tail stays as it is).</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : RealPath(target.FullName);
            }

            current = next;
        }

        return current;
    }

    private static string Printable(string text) =>
        new([.. (text ?? "").Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}

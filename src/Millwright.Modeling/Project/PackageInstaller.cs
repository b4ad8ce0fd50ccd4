using Millwright.Modeling.Templating;

namespace Millwright.Modeling.Project;

/// <summary>
/// `deps`: installs the packages of packages.yml (or dependencies.yml) into dbt_packages/. Only local packages:
/// Millwright never downloads at run time, so a hub or git package is a clear error naming the entry.
/// </summary>
internal static class PackageInstaller
{
    private static readonly string[] Files = ["packages.yml", "dependencies.yml"];

    public static IReadOnlyList<string> Install(ProjectDefinition project, ICollection<string> warnings)
    {
        var installPath = Path.Combine(project.RootPath, project.PackagesInstallPath);
        var installed = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);

        // The project's own packages first, then theirs (breadth first), into one flat folder as dbt does: a package a
        // dependency needs that the project already installs is installed once.
        var queue = new Queue<(string Dir, string? Owner)>();
        queue.Enqueue((project.RootPath, null));
        var needed = new List<(string Name, string Message)>();
        var seenDirs = new HashSet<string>(StringComparer.Ordinal) { Path.GetFullPath(project.RootPath) };
        while (queue.Count > 0)
        {
            var (dir, owner) = queue.Dequeue();
            foreach (var dependency in Entries(dir, owner, needed))
            {
                if (!seenDirs.Add(dependency.Source))
                {
                    continue;
                }

                var package = ProjectDefinition.Load(dependency.Source, warnings);
                if (!names.Add(package.Name))
                {
                    continue;
                }

                var target = Path.Combine(installPath, package.Name);
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                }

                Copy(dependency.Source, target, project.RootPath);
                installed.Add($"{package.Name} {package.Version ?? ""}".Trim());
                queue.Enqueue((dependency.Source, package.Name));
            }
        }

        if (needed.FirstOrDefault(n => !names.Contains(n.Name)) is { Message: { } missing })
        {
            throw new ModelingException(missing);
        }

        return installed;
    }

    private sealed record Dependency(string Source);

    /// <summary>
    /// The local packages a project (or an installed package, its <paramref name="owner"/>) lists. A hub or git entry of
    /// the project is refused; a package's hub or git entry goes to <paramref name="needed"/>, met when a package of
    /// that name is installed.
    /// </summary>
    private static IEnumerable<Dependency> Entries(string dir, string? owner, List<(string Name, string Message)> needed)
    {
        var file = Files.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists);
        if (file is null)
        {
            yield break;
        }

        var display = owner is null ? Path.GetFileName(file) : $"{Path.GetFileName(file)} of package {owner}";
        var root = Yaml.ToValue(Yaml.Load(file, display)) as PyDict;
        var entries = root?.Get("packages") as List<object?> ?? [];
        foreach (var (entry, i) in entries.Select((e, i) => (e as PyDict, i)))
        {
            if (entry?.Get("local") is not string local)
            {
                var what = Py.Str(entry?.Get("package") ?? entry?.Get("git") ?? entry?.Get("tarball") ?? "?");
                if (owner is null)
                {
                    throw new ModelingException($"{display}: package {i + 1} ({what}) is not local; Millwright installs packages from disk only (no network): put a copy on disk and give 'local: path/to/package'");
                }

                var name = NameOf(what);
                needed.Add((name, $"{display}: package {i + 1} ({what}) is missing: Millwright installs packages from disk only (no network); add a copy of it to your packages.yml as 'local: path/to/{name}'"));
                continue;
            }

            var source = Path.GetFullPath(Path.Combine(dir, local));
            if (!File.Exists(Path.Combine(source, "dbt_project.yml")))
            {
                throw new ModelingException($"{display}: package {i + 1}: {source} has no dbt_project.yml");
            }

            yield return new Dependency(source);
        }
    }

    /// <summary>The package name a hub or git entry installs as: the last part of "dbt-labs/dbt_utils" or of a git URL.</summary>
    private static string NameOf(string what)
    {
        var last = what.TrimEnd('/').Split('/', ':').Last();
        return last.EndsWith(".git", StringComparison.Ordinal) ? last[..^4] : last;
    }

    /// <summary>
    /// Copies a package, leaving out build output, its own installed packages and tests, and the installing project
    /// itself when it lives inside the package (`local: ../` from any folder name): the listing is taken before copying,
    /// so the copy never walks into what it writes.
    /// </summary>
    private static void Copy(string from, string to, string installingProject)
    {
        static string Folder(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var source = Folder(from);
        var project = Folder(installingProject);
        string[] inside = project.StartsWith(source, StringComparison.Ordinal) && project != source ? [Folder(to), project] : [Folder(to)];
        var files = Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)
            .Where(f => !inside.Any(d => Path.GetFullPath(f).StartsWith(d, StringComparison.Ordinal)))
            .ToList();
        Directory.CreateDirectory(to);
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(from, file);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "target" or "dbt_packages" or "logs" or ".git" or "dbt_modules" or "integration_tests")
            {
                continue;
            }

            var target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}

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
        var file = Files.Select(f => Path.Combine(project.RootPath, f)).FirstOrDefault(File.Exists);
        var installPath = Path.Combine(project.RootPath, project.PackagesInstallPath);
        if (file is null)
        {
            return [];
        }

        var display = Path.GetFileName(file);
        var root = Yaml.ToValue(Yaml.Load(file, display)) as PyDict;
        var entries = root?.Get("packages") as List<object?> ?? [];
        var installed = new List<string>();
        foreach (var (entry, i) in entries.Select((e, i) => (e as PyDict, i)))
        {
            if (entry?.Get("local") is not string local)
            {
                var what = entry?.Get("package") ?? entry?.Get("git") ?? entry?.Get("tarball") ?? "?";
                throw new ModelingException($"{display}: package {i + 1} ({Py.Str(what)}) is not local; Millwright installs packages from disk only (no network): put a copy on disk and give 'local: path/to/package'");
            }

            var source = Path.GetFullPath(Path.Combine(project.RootPath, local));
            if (!File.Exists(Path.Combine(source, "dbt_project.yml")))
            {
                throw new ModelingException($"{display}: package {i + 1}: {source} has no dbt_project.yml");
            }

            var package = ProjectDefinition.Load(source, warnings);
            var target = Path.Combine(installPath, package.Name);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Copy(source, target, project.RootPath);
            installed.Add($"{package.Name} {package.Version ?? ""}".Trim());
        }

        return installed;
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

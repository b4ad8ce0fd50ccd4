using System.Text.RegularExpressions;

namespace Millwright.Pipelines;

/// <summary>A pipeline folder made from a template: where it is and the files it got.</summary>
public sealed record CreatedPipeline(string Name, string Folder, IReadOnlyList<string> Files);

/// <summary>
/// The pipelines Millwright ships as starting points (<c>millwright new pipeline NAME --template T</c>): folders of
/// files embedded in this assembly, copied into <c>pipelines/NAME</c> with <c>__name__</c> replaced by the name.
/// The copy is the team's to change; nothing links it back to the template.
/// </summary>
public static partial class PipelineTemplates
{
    private const string Prefix = "templates/";
    private const string Placeholder = "__name__";

    /// <summary>The templates there are, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(PipelineTemplates).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..].Split('/')[0])
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The pipelines a new workspace starts with (<c>millwright init</c>), each named as its template.</summary>
    public static IReadOnlyList<string> Workspace { get; } = new[] { "maintenance", "manufacturing", "quality", "retail" }.Where(Names.Contains).ToList();

    /// <summary>
    /// Creates <paramref name="pipelinesDirectory"/>/<paramref name="name"/> from <paramref name="template"/>. The name
    /// becomes part of table and project names, so it is a lower-case identifier; an existing folder is never touched.
    /// </summary>
    public static CreatedPipeline Create(string pipelinesDirectory, string name, string template)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name))
        {
            throw new PipelineException($"'{name}' cannot name a pipeline: use lower-case letters, digits and underscores, starting with a letter (it names the dbt project and its tables)");
        }

        if (!Names.Contains(template, StringComparer.Ordinal))
        {
            throw new PipelineException($"there is no pipeline template '{template}'; templates: {string.Join(", ", Names)}");
        }

        var folder = Path.Combine(Path.GetFullPath(pipelinesDirectory), name);
        if (Directory.Exists(folder))
        {
            throw new PipelineException($"{folder} already exists; a template never overwrites a pipeline");
        }

        var assembly = typeof(PipelineTemplates).Assembly;
        var root = $"{Prefix}{template}/";
        var files = new List<string>();
        // Written aside (beside pipelines/, where no orchestrator looks) and moved in whole, so a failure leaves no half pipeline.
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(folder)!)!, $".millwright-new-{name}-{Guid.NewGuid():N}");
        try
        {
            foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(root, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var relative = resource[root.Length..].Replace(Placeholder, name, StringComparison.Ordinal);
                var target = Path.Combine(staging, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                File.WriteAllText(target, reader.ReadToEnd().Replace(Placeholder, name, StringComparison.Ordinal));
                files.Add(relative);
            }

            Directory.Move(staging, folder);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }

        return new CreatedPipeline(name, folder, files);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex NamePattern();
}

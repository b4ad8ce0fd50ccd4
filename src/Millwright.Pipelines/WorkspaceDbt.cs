using Millwright.Modeling;
using Millwright.Warehouse;

namespace Millwright.Pipelines;

/// <summary>
/// How a workspace runs a pipeline's dbt project: on the project's own profiles.yml when it has one, else on the
/// workspace's warehouse (the schema from pipeline.yml's <c>dbt.schema</c>). The orchestrator and
/// <c>millwright dbt</c> both ask here, so a project builds the same way from either.
/// </summary>
public static class WorkspaceDbt
{
    /// <summary>
    /// The connection for the dbt project in <paramref name="projectDir"/> when it is a pipeline's project under
    /// <paramref name="pipelinesDirectory"/> without a profiles.yml of its own; null otherwise (a profile decides).
    /// </summary>
    public static DbtConnection? ConnectionFor(string pipelinesDirectory, WarehouseOptions warehouse, string projectDir)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        var project = Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectDir));
        if (File.Exists(Path.Combine(project, "profiles.yml")))
        {
            return null;
        }

        var pipelines = Path.GetFullPath(pipelinesDirectory);
        var relative = Path.GetRelativePath(pipelines, project);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }

        var pipeline = PipelineFile.Read(Path.Combine(pipelines, relative.Split(Path.DirectorySeparatorChar)[0]));
        return pipeline.Dbt is { } dbt && Path.TrimEndingDirectorySeparator(Path.GetFullPath(dbt.ProjectDir)) == project
            ? Connection(dbt, warehouse)
            : null;
    }

    internal static DbtConnection Connection(DbtDecl dbt, WarehouseOptions warehouse)
    {
        return new DbtConnection(warehouse, dbt.Schema ?? warehouse.Engine.Dialect().DefaultSchema, warehouse.Engine.Capabilities().MaxConcurrentWriters);
    }
}

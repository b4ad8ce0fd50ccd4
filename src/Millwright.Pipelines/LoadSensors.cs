using System.Globalization;
using Millwright.Ingestion.Files;
using Millwright.Orchestration.Definitions;
using Millwright.Orchestration.Storage;

namespace Millwright.Pipelines;

/// <summary>
/// Load sensors: a run of the target when new successful loads of a source arrive in <c>ingest.loads</c>, whether
/// from files or from stream loads (PUT /api/ingest/{source}), as the retail seed's Dagster sensor did. Every load
/// since the last evaluation goes into one run, keyed by the newest load, so a burst of loads costs one run. While a
/// run that materializes the target (or the source's table) is queued or going, the sensor waits for it, so it never
/// builds models beside a run that is still making what they read.
/// </summary>
internal static class LoadSensors
{
    private static readonly RunStatus[] Active = [RunStatus.Queued, RunStatus.Starting, RunStatus.Started, RunStatus.Canceling];

    // table: the asset of the source's table (its contract's schema/table), which the sensor also waits on.
    public static SensorDefinition Build(LoadSensorDecl decl, AssetKey table, FileIngestor ingestor, Func<Orchestration.Definitions.Definitions> definitions) =>
        new(decl.Name, async context =>
        {
            var watched = definitions().Select(decl.Target).Append(table).Select(k => k.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var run in await context.Storage.GetRunsAsync(new RunFilter { Statuses = Active, Limit = 1000 }, context.CancellationToken).ConfigureAwait(false))
            {
                if (run.Assets.Any(watched.Contains))
                {
                    return SensorResult.Skip($"waiting for run {run.RunId}, which materializes what the target reads", context.Cursor);
                }
            }

            var after = long.TryParse(context.Cursor, CultureInfo.InvariantCulture, out var ticks) ? ticks : 0;
            var loads = (await ingestor.GetLoadsAsync(decl.Source, 1000, context.CancellationToken).ConfigureAwait(false))
                .Where(l => l.Status == LoadStatus.Success && l.StartedAt.UtcTicks > after)
                .OrderBy(l => l.StartedAt)
                .ToList();
            if (loads.Count == 0)
            {
                return SensorResult.Skip($"no new loads of {decl.Source}", context.Cursor);
            }

            var newest = loads[^1];
            return new SensorResult
            {
                RunRequests =
                [
                    new RunRequest
                    {
                        RunKey = $"load:{decl.Source}:{newest.LoadId}",
                        Tags = new Dictionary<string, string>
                        {
                            ["millwright/source"] = decl.Source,
                            ["millwright/loads"] = loads.Count.ToString(CultureInfo.InvariantCulture),
                            ["millwright/rows"] = loads.Sum(l => l.RowsLoaded).ToString(CultureInfo.InvariantCulture),
                        },
                    },
                ],
                Cursor = newest.StartedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            };
        })
        {
            Target = decl.Target,
            Interval = decl.Interval,
            Kind = "load",
            RunningByDefault = decl.Running,
            Description = $"new loads of {decl.Source} (files or stream loads)",
        };
}

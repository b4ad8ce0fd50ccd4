using Millwright.Orchestration;
using Millwright.Orchestration.Storage;

namespace Millwright.Web.Orchestration;

/// <summary>
/// The first build of a new workspace: after `up` has written demo history, one run of every asset of its pipelines
/// (extraction, dataset loads, every model and test), queued for the daemon so the marts are there within a minute.
/// </summary>
public sealed class FirstBuild
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    private readonly IOrchestrationStorage _storage;

    private FirstBuild(IOrchestrationStorage storage, RunRecord run, int pipelines)
    {
        _storage = storage;
        Run = run;
        Pipelines = pipelines;
    }

    public RunRecord Run { get; }

    public int Pipelines { get; }

    /// <summary>
    /// Queues the run when the workspace has pipelines and no run was ever made; null otherwise. Throws
    /// <see cref="InvalidOperationException"/> naming the error when the pipelines did not load.
    /// </summary>
    public static async Task<FirstBuild?> QueueAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        Pipelines.WorkspaceOrchestration o;
        try
        {
            o = await app.Services.GetRequiredService<OrchestrationHost>().ReadyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException(e.Message, e);
        }

        if (o.Pipelines.Pipelines.Count == 0 || o.Pipelines.Definitions.TopologicalOrder.Count == 0
            || (await o.Storage.GetRunsAsync(new RunFilter { Limit = 1 }, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return null;
        }

        var run = await o.Orchestrator.SubmitAsync(new LaunchRequest
        {
            Selection = "*",
            Tags = new Dictionary<string, string> { [RunLaunch.ReasonTag] = "first build of a new workspace" },
        }, cancellationToken).ConfigureAwait(false);
        return new FirstBuild(o.Storage, run, o.Pipelines.Pipelines.Count);
    }

    /// <summary>The run once it has finished (polled from the run storage, where the daemon records it).</summary>
    public async Task<RunRecord> FinishedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var run = await _storage.GetRunAsync(Run.RunId, cancellationToken).ConfigureAwait(false) ?? Run;
            if (run.Status.IsFinished())
            {
                return run;
            }

            await Task.Delay(PollEvery, cancellationToken).ConfigureAwait(false);
        }
    }
}

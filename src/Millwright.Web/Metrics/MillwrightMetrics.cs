using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Millwright.Orchestration.Daemon;
using Millwright.Orchestration.Storage;

namespace Millwright.Web.Metrics;

/// <summary>
/// Millwright's own instruments (meter <c>Millwright</c>), exported at /metrics with ASP.NET Core's, the runtime's and
/// the process's: runs by pipeline and outcome, step durations, materializations and their rows, check outcomes,
/// ingestion rows by source, stream-load bytes, the daemon's pass duration, lag and queue. Orchestration figures come
/// from the run event log as it is written, so the engines carry no metrics code.
/// </summary>
internal sealed class MillwrightMetrics
{
    public const string MeterName = "Millwright";

    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsFinished;
    private readonly Histogram<double> _stepSeconds;
    private readonly Counter<long> _materializations;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _checks;
    private readonly Counter<long> _ingestRows;
    private readonly Counter<long> _streamBytes;
    private readonly Histogram<double> _passSeconds;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _runPipelines = new(StringComparer.Ordinal);
    private long _queued;
    private long _lastPassTicks;
    private readonly TimeProvider _time;

    public MillwrightMetrics(IMeterFactory factory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _time = time ?? TimeProvider.System;
        var meter = factory.Create(MeterName);
        _runsStarted = meter.CreateCounter<long>("millwright.runs.started", "{run}", "Runs started");
        _runsFinished = meter.CreateCounter<long>("millwright.runs.finished", "{run}", "Runs ended, by pipeline and status (a run over several pipelines counts for each)");
        _stepSeconds = meter.CreateHistogram<double>("millwright.step.duration", "s", "Duration of a run's steps, by pipeline and kind", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });
        _materializations = meter.CreateCounter<long>("millwright.asset.materializations", "{materialization}", "Asset materializations, by pipeline");
        _rows = meter.CreateCounter<long>("millwright.asset.rows", "{row}", "Rows an asset's materialization reported (row_count, rows_loaded), by pipeline");
        _checks = meter.CreateCounter<long>("millwright.asset.checks", "{check}", "Asset check evaluations, by pipeline and result");
        _ingestRows = meter.CreateCounter<long>("millwright.ingest.rows", "{row}", "Rows loaded and quarantined under a contract, by source");
        _streamBytes = meter.CreateCounter<long>("millwright.stream_load.bytes", "By", "Bytes received by stream loads, by source");
        _passSeconds = meter.CreateHistogram<double>("millwright.daemon.pass.duration", "s", "Duration of a daemon pass", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        meter.CreateObservableGauge("millwright.runs.queued", () => Interlocked.Read(ref _queued), "{run}", "Runs waiting in the queue after the daemon's last pass");
        meter.CreateObservableGauge("millwright.daemon.lag", DaemonLag, "s", "Time since the daemon's last pass ended (0 before the first)");
    }

    /// <summary>Runs waiting in the queue after the daemon's last pass as leader.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>When the daemon's last pass ended; null before the first.</summary>
    public DateTimeOffset? LastPass => Interlocked.Read(ref _lastPassTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Records what an orchestration event says; <paramref name="pipelineOf"/> names the pipeline of an asset key.</summary>
    public void Record(EventRecord e, Func<string, string?> pipelineOf)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(pipelineOf);

        // The event's data, read once, for the kinds that carry figures.
        using var document = e.Data is { } json && e.Type is EventTypes.StepSuccess or EventTypes.StepFailure or EventTypes.Materialization or EventTypes.CheckEvaluation
            ? JsonDocument.Parse(json)
            : null;
        JsonElement? data = document?.RootElement is { ValueKind: JsonValueKind.Object } root ? root : null;
        switch (e.Type)
        {
            case EventTypes.RunStart:
                _runsStarted.Add(1);
                break;
            case EventTypes.StepSuccess or EventTypes.StepFailure when e.StepKey is { } step:
                var (pipeline, kind) = Step(step, pipelineOf);
                Touch(e.RunId, pipeline);
                if (Number(data, "duration_ms") is { } ms)
                {
                    _stepSeconds.Record(ms / 1000, new("pipeline", pipeline), new("kind", kind), new("status", e.Type == EventTypes.StepSuccess ? "success" : "failure"));
                }

                break;
            case EventTypes.Materialization when e.AssetKey is { } asset:
                var owner = pipelineOf(asset) ?? "none";
                Touch(e.RunId, owner);
                _materializations.Add(1, new KeyValuePair<string, object?>("pipeline", owner));
                if ((Number(data, "row_count") ?? Number(data, "rows_loaded")) is { } rows)
                {
                    _rows.Add((long)rows, new KeyValuePair<string, object?>("pipeline", owner));
                }

                if (Number(data, "rows_loaded") is { } loaded)
                {
                    // An ingest asset names its contract ("retail_orders v1"), so file and stream loads of a source add up.
                    var source = Text(data, "contract")?.Split(' ')[0] ?? asset;
                    Ingested(source, (long)loaded, (long)(Number(data, "rows_rejected") ?? 0));
                }

                break;
            case EventTypes.CheckEvaluation when e.AssetKey is { } checkedAsset:
                var passed = Value(data, "passed") is JsonValueKind.True;
                _checks.Add(1, new("pipeline", pipelineOf(checkedAsset) ?? "none"), new("result", passed ? "passed" : "failed"));
                break;
            case EventTypes.RunSuccess or EventTypes.RunFailure or EventTypes.RunCanceled when e.RunId is { } run:
                var status = e.Type switch { EventTypes.RunSuccess => "success", EventTypes.RunFailure => "failure", _ => "canceled" };
                var pipelines = _runPipelines.TryRemove(run, out var touched) && !touched.IsEmpty ? touched.Keys : ["none"];
                foreach (var name in pipelines)
                {
                    _runsFinished.Add(1, new("pipeline", name), new("status", status));
                }

                break;
        }
    }

    /// <summary>Rows loaded and quarantined by a load of <paramref name="source"/>.</summary>
    public void Ingested(string source, long loaded, long quarantined)
    {
        _ingestRows.Add(loaded, new("source", source), new("outcome", "loaded"));
        _ingestRows.Add(quarantined, new("source", source), new("outcome", "quarantined"));
    }

    public void StreamBytes(string source, long bytes) => _streamBytes.Add(bytes, new KeyValuePair<string, object?>("source", source));

    public void Pass(DaemonPass pass, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(pass);
        _passSeconds.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("leader", pass.Leader));
        if (pass.Leader)
        {
            Interlocked.Exchange(ref _queued, pass.Queued);
        }

        Interlocked.Exchange(ref _lastPassTicks, _time.GetUtcNow().UtcTicks);
    }

    private double DaemonLag()
    {
        var last = Interlocked.Read(ref _lastPassTicks);
        return last == 0 ? 0 : Math.Max(0, (_time.GetUtcNow().UtcTicks - last) / (double)TimeSpan.TicksPerSecond);
    }

    private void Touch(string? run, string pipeline)
    {
        if (run is not null)
        {
            _runPipelines.GetOrAdd(run, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal)).TryAdd(pipeline, 0);
        }
    }

    /// <summary>A step's pipeline and kind: <c>dbt:plant</c> is (plant, dbt); a single asset's step is its asset's pipeline.</summary>
    private static (string Pipeline, string Kind) Step(string step, Func<string, string?> pipelineOf)
    {
        var colon = step.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? (step[(colon + 1)..], step[..colon]) : (pipelineOf(step) ?? "none", "asset");
    }

    private static JsonValueKind? Value(JsonElement? data, string name) =>
        data is { } d && d.TryGetProperty(name, out var value) ? value.ValueKind : null;

    private static string? Text(JsonElement? data, string name) =>
        data is { } d && d.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double? Number(JsonElement? data, string name) =>
        data is { } d && d.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}

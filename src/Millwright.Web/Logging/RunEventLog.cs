using Millwright.Orchestration.Storage;

namespace Millwright.Web.Logging;

/// <summary>Writes each run event to the host's log at its level, in a scope that names its run, step and asset.</summary>
internal sealed partial class RunEventLog(ILoggerFactory factory)
{
    private readonly ILogger _logger = factory.CreateLogger(HostLogging.RunsCategory);

    public void Write(EventRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var level = e.Level switch
        {
            "error" => LogLevel.Error,
            "warning" => LogLevel.Warning,
            "debug" => LogLevel.Debug,
            _ => LogLevel.Information,
        };
        if (!_logger.IsEnabled(level))
        {
            return;
        }

        var scope = new Dictionary<string, object?>();
        foreach (var (name, value) in new[] { ("RunId", e.RunId), ("Step", e.StepKey), ("Asset", e.AssetKey), ("Partition", e.PartitionKey), ("Check", e.CheckName) })
        {
            if (value is not null)
            {
                scope[name] = value;
            }
        }

        using var _ = _logger.BeginScope(scope);
        Event(_logger, level, e.Type, e.Message);
    }

    [LoggerMessage(Message = "{EventType:l} {EventMessage:l}")]
    private static partial void Event(ILogger logger, LogLevel level, string eventType, string eventMessage);
}

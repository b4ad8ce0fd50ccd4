using Millwright.Operations.Views;

namespace Millwright.Web.Shell;

/// <summary>
/// Tells open screens that the operational store changed, whoever changed it (this app, the API, the CLI, the
/// simulator): it watches the change feed's last id every two seconds while a screen listens, and raises
/// <see cref="Changed"/> when it moved.
/// </summary>
internal sealed partial class LiveChanges(WorkOrderViews views, ILogger<LiveChanges> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private long _last = -1;

    public event Action? Changed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (Changed is null)
            {
                continue;
            }

            try
            {
                var last = await views.LastChangeAsync(stoppingToken).ConfigureAwait(false);
                if (_last >= 0 && last != _last)
                {
                    Changed?.Invoke();
                }

                _last = last;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                Unavailable(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "live changes: the operational store did not answer: {Error}")]
    private static partial void Unavailable(ILogger logger, string error);
}

using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;

namespace Millwright.Web.Logging;

/// <summary>How the host writes its log to the console: one readable line per event, or one JSON object per event.</summary>
public enum LogFormat
{
    Text,
    Json,
}

/// <summary>
/// The host's log (Serilog): the console in text or JSON, and always JSON lines in <c>.millwright/logs/host-DATE.log</c>
/// (a file a day, 14 days kept, 50 MB at most each) for <c>millwright logs</c>. Events carry their scope: the run id,
/// step and asset of a run's events, the correlation id and user of a request.
/// </summary>
internal static class HostLogging
{
    /// <summary>The category of the runs' event log as the host writes it; the text console leaves it out (`millwright runs show` prints it).</summary>
    public const string RunsCategory = "Millwright.Runs";

    public static string Folder(string stateDirectory) => Path.Combine(stateDirectory, "logs");

    public static Serilog.Core.Logger Create(string stateDirectory, LogFormat format)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)

            // Keys are kept in .millwright/keys, readable by the owner only; there is no key-encryption service on Linux to name.
            .MinimumLevel.Override("Microsoft.AspNetCore.DataProtection", LogEventLevel.Error)

            // A failure to start (a port in use) reaches the caller as an exception; the caller reports it in one line.
            .Filter.ByExcluding(Matching.FromSource("Microsoft.Extensions.Hosting"))
            .Enrich.FromLogContext()
            .WriteTo.File(
                new RenderedCompactJsonFormatter(),
                Path.Combine(Folder(stateDirectory), "host-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                fileSizeLimitBytes: 50L << 20,
                rollOnFileSizeLimit: true);
        configuration = format == LogFormat.Json
            ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter())
            : configuration.WriteTo.Logger(console => console
                .Filter.ByExcluding(Matching.FromSource(RunsCategory))
                .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u4} {SourceContext}: {Message:lj}{NewLine}{Exception}", formatProvider: System.Globalization.CultureInfo.InvariantCulture));
        return configuration.CreateLogger();
    }
}

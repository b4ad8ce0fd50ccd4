using Millwright.Web.Logging;

namespace Millwright.Web.Tests.Logging;

public sealed class HostLogReaderTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("mw-logs-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private void Write(string file, params string[] lines)
    {
        Directory.CreateDirectory(HostLogging.Folder(_state));
        File.WriteAllLines(Path.Combine(HostLogging.Folder(_state), file), lines);
    }

    private static string Event(int minute, string message, string? run = null, string level = "Information") =>
        $$"""{"@t":"2026-12-06T10:{{minute:00}}:00.0000000Z","@m":"{{message}}","@l":"{{level}}","SourceContext":"Millwright.Runs"{{(run is null ? "" : $",\"RunId\":\"{run}\"")}}}""";

    [Fact]
    public void The_newest_events_come_across_daily_files_in_time_order_and_a_run_filters_them()
    {
        Write("host-20261205.log", Event(1, "old a", "r1"), Event(2, "old b"), Event(3, "old c", "r2"));
        Write("host-20261206.log", Event(4, "new a", "r1"), """{"@t":"2026-12-06T10:05""", Event(6, "new b", "r2", "Warning"));

        Assert.Equal(["old c", "new a", "new b"], HostLogReader.Recent(_state, 3).Select(e => e.Message));
        Assert.Equal(["old a", "old b", "old c", "new a", "new b"], HostLogReader.Recent(_state, 10).Select(e => e.Message));

        var run = HostLogReader.Recent(_state, 10, "r2");
        Assert.Equal(["old c", "new b"], run.Select(e => e.Message));
        Assert.Equal("Warning", run[1].Level);
        Assert.Equal("Millwright.Runs", run[1].Category);
    }

    [Fact]
    public void No_log_folder_is_no_events() => Assert.Empty(HostLogReader.Recent(_state, 5));
}

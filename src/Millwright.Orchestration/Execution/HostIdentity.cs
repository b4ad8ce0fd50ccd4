using System.Diagnostics;
using System.Globalization;

namespace Millwright.Orchestration.Execution;

/// <summary>Names the process that runs a run (<c>machine/pid/start-ms</c>) and tells whether such a process is gone.</summary>
internal static class HostIdentity
{
    public static string ForCurrentProcess()
    {
        using var process = Process.GetCurrentProcess();
        return Format(Environment.MachineName, process.Id, process.StartTime);
    }

    private static string Format(string machine, int pid, DateTime start) =>
        $"{machine}/{pid.ToString(CultureInfo.InvariantCulture)}/{new DateTimeOffset(start.ToUniversalTime()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// True when <paramref name="host"/> names a process on this machine that no longer runs (its pid is gone or now
    /// belongs to a process started at another time). Hosts on other machines are judged by their heartbeat only.
    /// </summary>
    public static bool IsGone(string host)
    {
        var parts = host.Split('/');
        if (parts.Length != 3 || parts[0] != Environment.MachineName || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return Format(parts[0], pid, process.StartTime) != host;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}

using System.Diagnostics;
using Npgsql;

namespace Millwright.Warehouse.Postgres;

/// <summary>
/// PostgreSQL's own dump and restore (<c>pg_dump --format=custom</c>, <c>pg_restore</c>) for a database named by an
/// Npgsql connection string: a consistent snapshot taken while the database keeps serving. The password goes to the
/// tools through their environment, never on the command line.
/// </summary>
public static class PostgresTools
{
    public static Task DumpAsync(string connectionString, string file, CancellationToken cancellationToken = default) =>
        RunAsync("pg_dump", connectionString, ["--format=custom", "--no-owner", "--file", file], cancellationToken);

    /// <summary>Restores a dump into the (empty) database of <paramref name="connectionString"/>.</summary>
    public static Task RestoreAsync(string connectionString, string file, CancellationToken cancellationToken = default) =>
        RunAsync("pg_restore", connectionString, ["--no-owner", "--exit-on-error", "--single-transaction", file], cancellationToken);

    private static async Task RunAsync(string tool, string connectionString, string[] arguments, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--host");
        start.ArgumentList.Add(builder.Host ?? "localhost");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (builder.Username is { Length: > 0 } user)
        {
            start.ArgumentList.Add("--username");
            start.ArgumentList.Add(user);
        }

        start.ArgumentList.Add("--dbname");
        start.ArgumentList.Add(builder.Database ?? "postgres");
        start.ArgumentList.Add("--no-password");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (builder.Password is { Length: > 0 } password)
        {
            start.Environment["PGPASSWORD"] = password;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new WarehouseException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new WarehouseException($"{tool} is not installed (Debian: apt-get install postgresql-client): {e.Message}", e) { Engine = WarehouseEngine.Postgres };
        }

        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            _ = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new WarehouseException($"{tool} on {builder.Host}:{builder.Port}/{builder.Database} exited with code {process.ExitCode}: {(await errors.ConfigureAwait(false)).Trim()}") { Engine = WarehouseEngine.Postgres };
            }
        }
    }
}

using System.CommandLine;
using Millwright.Warehouse;
using Millwright.Warehouse.Export;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class SqlCommand
{
    public static Command Create(CommandContext context)
    {
        var query = new Argument<string?>("QUERY") { Description = "The SQL to run against the warehouse", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = "Read the SQL from a file instead" };
        var format = new Option<string>("--format") { Description = "table (on screen), csv, json or parquet", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json", "parquet");
        var output = new Option<string?>("--output", "-o") { Description = "Write the result to this file (required for parquet)" };
        var maxRows = new Option<int>("--max-rows") { Description = "Rows shown in a table on screen", DefaultValueFactory = _ => 1000 };
        var command = new Command("sql", "Run SQL against the warehouse and show or export the result") { query, file, format, output, maxRows };
        command.Validators.Add(result =>
        {
            var hasQuery = result.GetValue(query) is { Length: > 0 };
            var hasFile = result.GetValue(file) is { Length: > 0 };
            if (hasQuery == hasFile)
            {
                result.AddError("give the SQL either as QUERY or with --file, not both and not neither");
            }

            if (result.GetValue(format) == "parquet" && result.GetValue(output) is null)
            {
                result.AddError("--format parquet needs --output FILE");
            }

            if (result.GetValue(format) == "table" && result.GetValue(output) is not null)
            {
                result.AddError("--output needs --format csv, json or parquet");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var io = context.Io;
            var sql = parsed.GetValue(query);
            if (parsed.GetValue(file) is { } path)
            {
                var full = Path.Combine(io.WorkingDirectory, path);
                if (!File.Exists(full))
                {
                    throw new CliException($"SQL file {full} does not exist");
                }

                sql = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
            }

            var loaded = context.LoadSettings(parsed);
            await using var warehouse = context.OpenWarehouse(loaded);
            await using var result = await warehouse.QueryAsync(sql!, cancellationToken).ConfigureAwait(false);
            var chosen = parsed.GetValue(format)!;
            if (chosen == "table")
            {
                await ShowTableAsync(io, result, parsed.GetValue(maxRows), cancellationToken).ConfigureAwait(false);
                return MillwrightCli.Ok;
            }

            var exportFormat = Enum.Parse<ExportFormat>(chosen, ignoreCase: true);
            if (parsed.GetValue(output) is { } outputPath)
            {
                var full = Path.Combine(io.WorkingDirectory, outputPath);
                var rows = await ExportToFileAsync(io, result, exportFormat, full, cancellationToken).ConfigureAwait(false);
                await io.Error.WriteLineAsync($"Wrote {rows:N0} rows to {full}").ConfigureAwait(false);
            }
            else
            {
                await io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
                await ResultExport.WriteAsync(result, exportFormat, io.OutStream, null, cancellationToken).ConfigureAwait(false);
                await io.OutStream.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (exportFormat == ExportFormat.Json)
                {
                    await io.Out.WriteLineAsync().ConfigureAwait(false);
                }
            }

            return MillwrightCli.Ok;
        });
        return command;
    }

    /// <summary>Writes to a temporary file first and moves it into place, so a failed query leaves no half-written file.</summary>
    private static async Task<long> ExportToFileAsync(CliIo io, QueryResult result, ExportFormat format, string path, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            throw new CliException($"output folder {directory} does not exist");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            long rows;
            var stream = File.Create(temporary);
            await using (stream.ConfigureAwait(false))
            {
                if (io.Interactive)
                {
                    rows = await io.ErrorConsole.Status().StartAsync("Exporting…", async status =>
                    {
                        var progress = new Progress<long>(n => status.Status($"Exporting… {n:N0} rows"));
                        return await ResultExport.WriteAsync(result, format, stream, progress, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                }
                else
                {
                    rows = await ResultExport.WriteAsync(result, format, stream, null, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Move(temporary, path, overwrite: true);
            return rows;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task ShowTableAsync(CliIo io, QueryResult result, int maxRows, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in result.Columns)
        {
            var tableColumn = new TableColumn(Markup.Escape(column.Name));
            if (column.Type is LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64 or LogicalType.Float32 or LogicalType.Float64 or LogicalType.Decimal)
            {
                tableColumn.RightAligned();
            }

            table.AddColumn(tableColumn);
        }

        var shown = 0;
        var more = false;
        while (await result.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (shown == maxRows)
            {
                more = true;
                break;
            }

            var cells = new string[result.Columns.Count];
            for (var i = 0; i < cells.Length; i++)
            {
                var value = result.GetValue(i);
                cells[i] = value is null ? "[grey]NULL[/]" : Markup.Escape(ResultExport.FormatText(value));
            }

            table.AddRow(cells);
            shown++;
        }

        if (result.Columns.Count > 0)
        {
            io.Console.Write(table);
        }

        var footer = more
            ? $"first {shown:N0} rows shown; more not shown (use --max-rows, or --format csv --output FILE)"
            : $"{shown:N0} row{(shown == 1 ? "" : "s")}";
        io.Console.MarkupLine($"[grey]{footer}[/]");
    }
}

using System.CommandLine;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class WarehouseCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("warehouse", "Inspect and maintain the warehouse");
        var schema = new Option<string?>("--schema", "-s") { Description = "Only this schema" };
        var tables = new Command("tables", "List the warehouse's tables and views") { schema };
        tables.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            await using var warehouse = context.OpenWarehouse(loaded);
            var relations = await warehouse.ListRelationsAsync(parsed.GetValue(schema), cancellationToken).ConfigureAwait(false);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("schema", "name", "kind");
            foreach (var relation in relations)
            {
                table.AddRow(Markup.Escape(relation.Schema), Markup.Escape(relation.Name), relation.Kind.ToString().ToLowerInvariant());
            }

            var io = context.Io;
            io.Console.MarkupLine($"[grey]{Markup.Escape(warehouse.Dialect.Name)} warehouse {Markup.Escape(warehouse.Target)}[/]");
            if (relations.Count > 0)
            {
                io.Console.Write(table);
            }

            io.Console.MarkupLine($"[grey]{relations.Count} relation{(relations.Count == 1 ? "" : "s")}[/]");
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(tables);

        var vacuum = new Command("vacuum", "Give back the space that dropped and rewritten data hold with `millwright up` stopped (DuckDB: the file is rewritten compactly; PostgreSQL: VACUUM ANALYZE)");
        vacuum.SetAction(async (parsed, cancellationToken) =>
        {
            // An embedded warehouse is rewritten, which needs it to itself: not while the host serves it.
            if (context.Host is not null)
            {
                throw new CliException("vacuum needs the warehouse to itself, and `millwright up` is serving it: stop it, then run `millwright warehouse vacuum`");
            }

            var loaded = context.LoadSettings(parsed);

            await using var warehouse = context.OpenWarehouse(loaded);
            var result = await warehouse.VacuumAsync(cancellationToken).ConfigureAwait(false);
            await context.Io.Out.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Vacuumed {warehouse.Target}: {result.BytesBefore / 1048576.0:0.0} MiB -> {result.BytesAfter / 1048576.0:0.0} MiB")).ConfigureAwait(false);
            return MillwrightCli.Ok;
        });
        command.Subcommands.Add(vacuum);
        return command;
    }
}

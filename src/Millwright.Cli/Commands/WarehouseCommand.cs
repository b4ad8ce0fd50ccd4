using System.CommandLine;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class WarehouseCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("warehouse", "Inspect the warehouse");
        var schema = new Option<string?>("--schema", "-s") { Description = "Only this schema" };
        var tables = new Command("tables", "List the warehouse's tables and views") { schema };
        tables.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            await using var warehouse = CommandContext.OpenWarehouse(loaded);
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
        return command;
    }
}

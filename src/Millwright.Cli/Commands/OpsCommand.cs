using System.CommandLine;
using Millwright.Operations;
using Millwright.Web;
using Spectre.Console;

namespace Millwright.Cli.Commands;

internal static class OpsCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("ops", "The operational store: schema and consistency");

        var migrate = new Command("migrate", "Bring the operational database to the current schema and add missing reference data");
        migrate.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            var settings = loaded.Settings.Operations;
            await using var store = MillwrightHost.OpenOperations(settings);
            var applied = await OperationsSetup.MigrateAsync(store, cancellationToken).ConfigureAwait(false);
            var io = context.Io;
            io.Console.MarkupLine($"[grey]{Markup.Escape(settings.Provider.ToString().ToLowerInvariant())} {Markup.Escape(settings.Target)}[/]");
            foreach (var migration in applied)
            {
                io.Console.MarkupLine($"applied [green]{Markup.Escape(migration)}[/]");
            }

            io.Console.MarkupLine(applied.Count == 0 ? "The schema is current." : $"{applied.Count} migration{(applied.Count == 1 ? "" : "s")} applied.");
            return MillwrightCli.Ok;
        });

        var reconcile = new Command("reconcile", "Check stock balances against the ledger, reservations against orders and order status against history; exit 1 on drift");
        reconcile.SetAction(async (parsed, cancellationToken) =>
        {
            var loaded = context.LoadSettings(parsed);
            await using var store = MillwrightHost.OpenOperations(loaded.Settings.Operations);
            var report = await new Reconciliation(store).RunAsync(cancellationToken).ConfigureAwait(false);
            var io = context.Io;
            io.Console.MarkupLine($"Checked {report.BalancesChecked} stock balances against {report.Movements} movements and {report.OrdersChecked} service orders against their history.");
            if (report.Stock.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("part", "location", "on hand", "ledger", "reserved", "reserved on orders");
                foreach (var d in report.Stock)
                {
                    table.AddRow(Markup.Escape(d.Sku), Markup.Escape(d.Location), Num(d.OnHand), Num(d.Ledger), Num(d.Reserved), Num(d.ReservedOnOrders));
                }

                io.Console.Write(table);
            }

            if (report.History.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("order", "status", "sequence", "history rows", "last history status");
                foreach (var d in report.History)
                {
                    table.AddRow(Markup.Escape(d.Number), d.Status, Num(d.StatusSequence), Num(d.HistoryRows), Markup.Escape(d.LastHistoryStatus ?? "(none)"));
                }

                io.Console.Write(table);
            }

            if (report.IsClean)
            {
                io.Console.MarkupLine("[green]No drift.[/]");
                return MillwrightCli.Ok;
            }

            io.Console.MarkupLine($"[red]Drift: {report.Stock.Count} stock balance(s), {report.History.Count} order(s).[/]");
            return MillwrightCli.Failure;
        });

        command.Subcommands.Add(migrate);
        command.Subcommands.Add(reconcile);
        return command;
    }

    private static string Num(decimal value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);
}

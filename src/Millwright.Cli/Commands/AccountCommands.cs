using System.CommandLine;
using System.Globalization;
using Millwright.Identity;
using Millwright.Web;
using Spectre.Console;

namespace Millwright.Cli.Commands;

/// <summary><c>millwright users</c> and <c>millwright tokens</c>: who may sign in, and the API tokens of machines and scripts.</summary>
internal static class AccountCommands
{
    public static IEnumerable<Command> Create(CommandContext context)
    {
        yield return Users(context);
        yield return Tokens(context);
    }

    private static Command Users(CommandContext context)
    {
        var command = new Command("users", "Users who sign in to the web app and own API tokens; their roles decide what they may do");

        var name = new Argument<string>("name") { Description = "User name (letters, digits, - . _ @)" };
        var roles = new Option<string[]>("--role", "-r") { Description = $"A role (repeatable): {AccountRoles.All}", Required = true, AllowMultipleArgumentsPerToken = false };
        var mechanic = new Option<long?>("--mechanic-id") { Description = "For a MECHANIC: the mechanics row they work as (they may record work and handle parts only on their own orders)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line) instead of prompting" };
        var add = new Command("add", "Add a user (prompts for a password of at least 12 characters)") { name, roles, mechanic, passwordStdin };
        add.SetAction(async (parsed, cancellationToken) =>
        {
            var chosen = (parsed.GetValue(roles) ?? []).Select(r => AccountRoles.TryParse(r, out var role) ? role : throw new CliException($"--role {r}: use one of {AccountRoles.All}")).ToList();
            var password = ReadPassword(context, parsed.GetValue(passwordStdin));
            return await WithAccountsAsync(context, parsed, async accounts =>
            {
                var user = await accounts.CreateUserAsync(parsed.GetValue(name)!, password, chosen, parsed.GetValue(mechanic), cancellationToken).ConfigureAwait(false);
                context.Io.Console.MarkupLine($"Added user [green]{Markup.Escape(user.Name)}[/] ({string.Join(", ", user.Roles.Select(r => r.Name()))}).");
            }, cancellationToken).ConfigureAwait(false);
        });

        var ls = new Command("ls", "List users with their roles");
        ls.SetAction(async (parsed, cancellationToken) => await WithAccountsAsync(context, parsed, async accounts =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("user", "roles", "mechanic", "status", "created");
            foreach (var user in await accounts.ListUsersAsync(cancellationToken).ConfigureAwait(false))
            {
                table.AddRow(Markup.Escape(user.Name), string.Join(", ", user.Roles.Select(r => r.Name())), user.MechanicId?.ToString(CultureInfo.InvariantCulture) ?? "", user.Disabled ? "[red]disabled[/]" : "active", user.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            }

            context.Io.Console.Write(table);
        }, cancellationToken).ConfigureAwait(false));

        var disableName = new Argument<string>("name") { Description = "User name" };
        var disable = new Command("disable", "Disable a user: no sign-in, sessions end within a minute, tokens are refused at once") { disableName };
        disable.SetAction(async (parsed, cancellationToken) => await WithAccountsAsync(context, parsed, async accounts =>
        {
            var user = await accounts.SetDisabledAsync(parsed.GetValue(disableName)!, true, cancellationToken).ConfigureAwait(false);
            context.Io.Console.MarkupLine($"Disabled user [red]{Markup.Escape(user.Name)}[/].");
        }, cancellationToken).ConfigureAwait(false));

        var enableName = new Argument<string>("name") { Description = "User name" };
        var enable = new Command("enable", "Enable a disabled user again") { enableName };
        enable.SetAction(async (parsed, cancellationToken) => await WithAccountsAsync(context, parsed, async accounts =>
        {
            var user = await accounts.SetDisabledAsync(parsed.GetValue(enableName)!, false, cancellationToken).ConfigureAwait(false);
            context.Io.Console.MarkupLine($"Enabled user [green]{Markup.Escape(user.Name)}[/].");
        }, cancellationToken).ConfigureAwait(false));

        var passwordName = new Argument<string>("name") { Description = "User name" };
        var passwordStdin2 = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line) instead of prompting" };
        var password = new Command("password", "Set a user's password (their sessions end)") { passwordName, passwordStdin2 };
        password.SetAction(async (parsed, cancellationToken) =>
        {
            var text = ReadPassword(context, parsed.GetValue(passwordStdin2));
            return await WithAccountsAsync(context, parsed, async accounts =>
            {
                await accounts.SetPasswordAsync(parsed.GetValue(passwordName)!, text, cancellationToken).ConfigureAwait(false);
                context.Io.Console.MarkupLine("Password changed.");
            }, cancellationToken).ConfigureAwait(false);
        });

        command.Subcommands.Add(add);
        command.Subcommands.Add(ls);
        command.Subcommands.Add(disable);
        command.Subcommands.Add(enable);
        command.Subcommands.Add(password);
        return command;
    }

    private static Command Tokens(CommandContext context)
    {
        var command = new Command("tokens", "API tokens (Authorization: Bearer) for scripts, machines and the CLI; stored hashed, shown once");

        var user = new Option<string>("--user", "-u") { Description = "The user the token acts as", Required = true };
        var name = new Option<string?>("--name", "-n") { Description = "A name to recognise the token by (default: token-<time>)" };
        var expires = new Option<string?>("--expires") { Description = "Lifetime: 90d, 12h, 30m, or 'never' (default: 90d)" };
        var roles = new Option<string[]>("--role", "-r") { Description = "Limit the token to these of the user's roles (repeatable; default: all of them)", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a token; it is printed once, on the last line") { user, name, expires, roles };
        create.SetAction(async (parsed, cancellationToken) =>
        {
            var lifetime = Lifetime(parsed.GetValue(expires) ?? "90d");
            var scope = (parsed.GetValue(roles) ?? []).Select(r => AccountRoles.TryParse(r, out var role) ? role : throw new CliException($"--role {r}: use one of {AccountRoles.All}")).ToList();
            return await WithAccountsAsync(context, parsed, async accounts =>
            {
                var issued = await accounts.CreateTokenAsync(parsed.GetValue(user)!, parsed.GetValue(name), lifetime, scope, cancellationToken).ConfigureAwait(false);
                var info = issued.Info;
                await context.Io.Error.WriteLineAsync($"Token {info.Id} '{info.Name}' for {info.User} ({string.Join(", ", info.Roles.Select(r => r.Name()))}), {(info.ExpiresAt is { } at ? "expires " + at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "does not expire")}. It is shown only now; keep it secret:").ConfigureAwait(false);
                await context.Io.Out.WriteLineAsync(issued.Secret).ConfigureAwait(false);
                await context.Io.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        });

        var forUser = new Option<string?>("--user", "-u") { Description = "Only this user's tokens" };
        var ls = new Command("ls", "List tokens (never their secrets)") { forUser };
        ls.SetAction(async (parsed, cancellationToken) => await WithAccountsAsync(context, parsed, async accounts =>
        {
            var now = DateTime.UtcNow;
            var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "user", "name", "starts", "roles", "created", "expires", "last used", "status");
            foreach (var t in await accounts.ListTokensAsync(parsed.GetValue(forUser), cancellationToken).ConfigureAwait(false))
            {
                table.AddRow(t.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.User), Markup.Escape(t.Name), Markup.Escape(t.Prefix + "…"), string.Join(", ", t.Roles.Select(r => r.Name())),
                    Time(t.CreatedAt), t.ExpiresAt is { } e ? Time(e) : "never", t.LastUsedAt is { } u ? Time(u) : "",
                    t.RevokedAt is not null ? "[red]revoked[/]" : t.IsActive(now) ? "active" : "[yellow]expired[/]");
            }

            context.Io.Console.Write(table);
        }, cancellationToken).ConfigureAwait(false));

        var id = new Argument<long>("id") { Description = "The token's id (from `tokens ls`)" };
        var revoke = new Command("revoke", "Revoke a token: the next request that carries it gets 401") { id };
        revoke.SetAction(async (parsed, cancellationToken) => await WithAccountsAsync(context, parsed, async accounts =>
        {
            var token = await accounts.RevokeTokenAsync(parsed.GetValue(id), cancellationToken).ConfigureAwait(false);
            context.Io.Console.MarkupLine($"Revoked token {token.Id} '{Markup.Escape(token.Name)}' of {Markup.Escape(token.User)}.");
        }, cancellationToken).ConfigureAwait(false));

        command.Subcommands.Add(create);
        command.Subcommands.Add(ls);
        command.Subcommands.Add(revoke);
        return command;
    }

    private static async Task<int> WithAccountsAsync(CommandContext context, ParseResult parsed, Func<Accounts, Task> action, CancellationToken cancellationToken)
    {
        var loaded = context.LoadSettings(parsed);
        var (accounts, provider) = AccountServices.Open(MillwrightHost.AccountStoreFor(loaded.Settings.Operations));
        await using (provider.ConfigureAwait(false))
        {
            await accounts.MigrateAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await action(accounts).ConfigureAwait(false);
            }
            catch (AccountException e)
            {
                throw new CliException(e.Message);
            }
        }

        return MillwrightCli.Ok;
    }

    private static string ReadPassword(CommandContext context, bool fromStdin)
    {
        var io = context.Io;
        if (fromStdin)
        {
            return io.In.ReadLine()?.TrimEnd('\r') is { Length: > 0 } line ? line : throw new CliException("--password-stdin: standard input held no password");
        }

        if (!io.Interactive)
        {
            throw new CliException("no terminal to prompt for a password: pass it on standard input with --password-stdin");
        }

        var first = io.ErrorConsole.Prompt(new TextPrompt<string>("Password (12 characters or more):").Secret());
        var again = io.ErrorConsole.Prompt(new TextPrompt<string>("Again:").Secret());
        return first == again ? first : throw new CliException("the two passwords differ");
    }

    private static TimeSpan? Lifetime(string text)
    {
        if (text.Equals("never", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (text.Length >= 2 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return TimeSpan.FromDays(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'm': return TimeSpan.FromMinutes(n);
            }
        }

        throw new CliException($"--expires {text}: expected a number with d, h or m (90d, 12h, 30m) or 'never'");
    }

    private static string Time(DateTime at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

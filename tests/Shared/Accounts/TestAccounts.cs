using System.Net.Http.Headers;
using Millwright.Identity;

namespace Millwright.Testing;

/// <summary>Users and API tokens for tests, made through the same <see cref="Accounts"/> the CLI uses.</summary>
internal static class TestAccounts
{
    public const string Password = "correct horse battery staple";

    /// <summary>A token of <paramref name="name"/> (created with <paramref name="roles"/> when missing).</summary>
    public static async Task<string> TokenAsync(this Accounts accounts, string name, IReadOnlyCollection<AccountRole> roles, long? mechanicId = null)
    {
        if (!(await accounts.ListUsersAsync()).Any(u => u.Name == name))
        {
            await accounts.CreateUserAsync(name, Password, roles, mechanicId);
        }

        return (await accounts.CreateTokenAsync(name, "test")).Secret;
    }

    /// <summary>A JSON client of <paramref name="address"/> that sends <paramref name="token"/>.</summary>
    public static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    /// <summary>A client of a running host with a token of an ADMIN user ("ada").</summary>
    public static async Task<HttpClient> AdminClientAsync(IServiceProvider services, Uri address) =>
        Client(address, await ((Accounts)services.GetService(typeof(Accounts))!).TokenAsync("ada", [AccountRole.Admin]));

    public static AccountRole[] Roles(params string[] names) => [.. names.Select(AccountRoles.Parse)];
}

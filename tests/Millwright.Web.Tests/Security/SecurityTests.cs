using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Millwright.Web.Tests.Security;

/// <summary>Who gets in and what they may do, over a real socket: anonymous callers, tokens of each role, the sign-in cookie.</summary>
public sealed partial class SecurityTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("mw-security-").FullName;
    private WorkspaceHost _host = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var pipeline = Path.Combine(_root, "pipelines", "demo");
        Directory.CreateDirectory(Path.Combine(pipeline, "landing"));
        File.WriteAllText(Path.Combine(pipeline, "pipeline.yml"), """
            assets:
              - key: numbers
                sql: select range as n from range(3)
            """);
        Directory.CreateDirectory(Path.Combine(_root, "pipelines", "docs", "target"));
        File.WriteAllText(Path.Combine(_root, "pipelines", "docs", "dbt_project.yml"), "name: docs\n");
        File.WriteAllText(Path.Combine(_root, "pipelines", "docs", "target", "index.html"), "<title>docs</title>");
        _host = await WorkspaceHost.StartAsync(_root, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Every_endpoint_in_the_route_table_answers_401_without_credentials_except_health_and_sign_in()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.Address };
        var endpoints = _host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var open = new HashSet<string>(StringComparer.Ordinal) { "GET /health", "GET /signin", "POST /signin" };
        var tried = 0;
        foreach (var endpoint in endpoints)
        {
            var path = "/" + ParameterPattern().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m => m.Groups[1].Value.StartsWith('*') ? "a/b" : "1");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                var key = $"{method} {endpoint.RoutePattern.RawText}";
                if (open.Contains(key))
                {
                    continue;
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "GET" or "DELETE" ? null : JsonContent.Create(new { }) };
                using var response = await anonymous.SendAsync(request, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{key} ({path}) answered {(int)response.StatusCode} without credentials");
                tried++;
            }
        }

        Assert.True(tried > 80, $"only {tried} endpoints were tried");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/signin", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_browser_without_a_session_is_sent_to_sign_in_and_an_api_caller_gets_401()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _host.Address };
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.ParseAdd("text/html");
        using var redirect = await anonymous.SendAsync(page, Ct);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith("/signin", redirect.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        using var api = await anonymous.GetAsync("/api/ops/sites", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("Bearer", api.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task What_a_token_may_do_follows_its_users_roles()
    {
        using var analyst = await _host.AsAsync("ana", "ANALYST");
        using var operatorClient = await _host.AsAsync("otto", "OPERATOR");
        using var viewer = await _host.AsAsync("vic", "VIEWER");
        using var mechanic = await _host.AsAsync("mia", "MECHANIC");

        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/orchestration/assets", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/docs/docs/", Ct)).StatusCode);
        using var refused = await analyst.PostAsJsonAsync("/api/orchestration/runs", new { selection = "numbers" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("OPERATOR", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/ops/sites", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await operatorClient.PostAsJsonAsync("/api/orchestration/runs", new { selection = "numbers" }, Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/orchestration/runs", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/ops/sites", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await mechanic.GetAsync("/api/ops/sites", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mechanic.GetAsync("/api/orchestration/runs", Ct)).StatusCode);
        using var launch = await mechanic.PostAsJsonAsync("/api/orchestration/runs", new { selection = "numbers" }, Ct);
        Assert.Contains("mia (MECHANIC) may not do this; it needs one of: OPERATOR, ADMIN", await launch.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var site = await mechanic.PostAsJsonAsync("/api/ops/sites", new { code = "WS-X", name = "X", kind = "WORKSHOP" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, site.StatusCode);
    }

    [Fact]
    public async Task Role_headers_a_caller_sends_change_nothing_and_the_audit_names_the_token_user()
    {
        using var mechanic = await _host.AsAsync("mia", "MECHANIC");
        mechanic.DefaultRequestHeaders.Add("X-Millwright-Actor", "someone-else");
        mechanic.DefaultRequestHeaders.Add("X-Millwright-Role", "ADMIN");
        using var refused = await mechanic.PostAsJsonAsync("/api/ops/sites", new { code = "WS-Y", name = "Y", kind = "WORKSHOP" }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("mia (MECHANIC)", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        _host.Client.DefaultRequestHeaders.Add("X-Millwright-Actor", "mallory");
        var created = await _host.Client.PostAsJsonAsync("/api/ops/sites", new { code = "WS-Z", name = "Z", kind = "WORKSHOP" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        var audit = await _host.Client.GetFromJsonAsync<JsonElement>($"/api/ops/audit-log?entityType=sites&entityId={id}", Ct);
        Assert.Equal("ada", audit.GetProperty("items")[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Revoked_and_expired_tokens_and_tokens_of_disabled_users_get_401()
    {
        var accounts = _host.Accounts;
        await accounts.CreateUserAsync("rita", TestAccounts.Password, [Identity.AccountRole.Analyst], cancellationToken: Ct);
        var revoked = await accounts.CreateTokenAsync("rita", "revoked", cancellationToken: Ct);
        var scoped = await accounts.CreateTokenAsync("rita", "kept", cancellationToken: Ct);
        using var before = TestAccounts.Client(_host.Address, revoked.Secret);
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/api/orchestration/runs", Ct)).StatusCode);

        await accounts.RevokeTokenAsync(revoked.Info.Id, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await before.GetAsync("/api/orchestration/runs", Ct)).StatusCode);
        using var kept = TestAccounts.Client(_host.Address, scoped.Secret);
        Assert.Equal(HttpStatusCode.OK, (await kept.GetAsync("/api/orchestration/runs", Ct)).StatusCode);

        await accounts.SetDisabledAsync("rita", disabled: true, cancellationToken: Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await kept.GetAsync("/api/orchestration/runs", Ct)).StatusCode);
        await Assert.ThrowsAsync<Identity.AccountException>(() => accounts.CreateTokenAsync("rita", "more", cancellationToken: Ct));

        await accounts.CreateUserAsync("sam", TestAccounts.Password, [Identity.AccountRole.Operator, Identity.AccountRole.Analyst], cancellationToken: Ct);
        var readOnly = await accounts.CreateTokenAsync("sam", "read-only", roles: [Identity.AccountRole.Analyst], cancellationToken: Ct);
        using var narrow = TestAccounts.Client(_host.Address, readOnly.Secret);
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.PostAsJsonAsync("/api/orchestration/runs", new { selection = "numbers" }, Ct)).StatusCode);
        await Assert.ThrowsAsync<Identity.AccountException>(() => accounts.CreateTokenAsync("sam", "too-wide", roles: [Identity.AccountRole.Admin], cancellationToken: Ct));

        var tokens = await accounts.ListTokensAsync("rita", cancellationToken: Ct);
        Assert.Equal(["revoked", "kept"], tokens.Select(t => t.Name));
        Assert.Equal(revoked.Secret[..9], tokens[0].Prefix);
        Assert.NotNull(tokens[0].RevokedAt);
    }

    [Fact]
    public async Task The_browser_signs_in_with_a_cookie_and_changes_nothing_without_the_anti_forgery_token()
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _host.Address };
        await _host.Accounts.CreateUserAsync("paula", TestAccounts.Password, [Identity.AccountRole.Planner], cancellationToken: Ct);

        var signedIn = await SignInAsync(browser, "paula", TestAccounts.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
        var auth = cookies.GetCookies(_host.Address).Single(c => c.Name == "millwright.auth");
        Assert.True(auth.HttpOnly);

        // The web app's pages render over their circuit; a signed-in form (here the sign-in page again) carries the user's token.
        var home = await browser.GetStringAsync("/signin", Ct);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/ops/sites", Ct)).StatusCode);

        using var forged = await browser.PostAsJsonAsync("/api/ops/sites", new { code = "WS-F", name = "F", kind = "WORKSHOP" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("anti-forgery", await forged.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/ops/sites") { Content = JsonContent.Create(new { code = "WS-F", name = "F", kind = "WORKSHOP" }) };
        withToken.Headers.Add("X-CSRF-Token", HiddenInput().Match(home).Groups[1].Value);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(withToken, Ct)).StatusCode);

        // The page's disconnect beacon (sent by the browser as a page is left) belongs to the circuit and needs no token.
        using var beacon = await browser.PostAsync("/_blazor/disconnect", new FormUrlEncodedContent(new Dictionary<string, string> { ["circuitId"] = "unknown" }), Ct);
        Assert.DoesNotContain("anti-forgery", await beacon.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var signOutForm = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = HiddenInput().Match(home).Groups[1].Value });
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/signout", signOutForm, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/ops/sites", Ct)).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_lock_the_user_out_and_a_form_without_its_anti_forgery_token_is_refused()
    {
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _host.Address };
        await _host.Accounts.CreateUserAsync("lou", TestAccounts.Password, [Identity.AccountRole.Viewer], cancellationToken: Ct);
        var token = await _host.Accounts.CreateTokenAsync("lou", "laptop", cancellationToken: Ct);
        using var api = TestAccounts.Client(_host.Address, token.Secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/dashboards", Ct)).StatusCode);

        for (var i = 0; i < 5; i++)
        {
            var wrong = await SignInAsync(browser, "lou", "not the password at all");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var locked = await SignInAsync(browser, "lou", TestAccounts.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/dashboards", Ct)).StatusCode);

        var noToken = new FormUrlEncodedContent(new Dictionary<string, string> { ["userName"] = "lou", ["password"] = TestAccounts.Password });
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/signin", noToken, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_host_header_that_is_not_this_machine_is_refused_on_loopback()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client.SendAsync(request, Ct)).StatusCode);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password)
    {
        var form = await browser.GetStringAsync("/signin", Ct);
        var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenInput().Match(form).Groups[1].Value,
            ["userName"] = user,
            ["password"] = password,
            ["returnUrl"] = "/",
        });
        return await browser.PostAsync("/signin", content, Ct);
    }

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex ParameterPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex HiddenInput();
}

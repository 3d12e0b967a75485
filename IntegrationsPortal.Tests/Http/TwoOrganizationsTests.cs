using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// Two organizations made through the product (the platform API creates one, its first Admin accepts
/// the invitation on the invitation page) stay invisible to each other over every `/api` route, and a
/// user in both sees each only while switched to it.
/// </summary>
[Collection(SetUpPortalCollection.Name)]
public sealed class TwoOrganizationsTests(SetUpPortalFixture portal)
{
    private const string Unreachable = "http://127.0.0.1:1/hook";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task EveryApiRoute_OfOneOrganization_AnswersNotFoundOrNothing_ForTheOthersIds_AndChangesNothing()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var (globexAdmin, _) = await NewOrganizationWithFirstAdminAsync(acme);
        using var globex = globexAdmin;
        var acmeHookName = Unique("Acme hook");
        var acmeHook = await CreateWebhookAsync(acme, acmeHookName);
        var globexHook = await CreateWebhookAsync(globex, Unique("Globex hook"));
        var acmeInvitation = await InviteAsync(acme, $"pending-{Guid.NewGuid():N}@example.test", "Viewer");
        // Its verification records the unreachable URL's first failure in the background (CI saw it land
        // mid-test); the next try is 30 s later, so from then on only a request could change it.
        var before = await AfterFirstVerificationAsync(acme, acmeHook);

        var leaks = new List<string>();
        var probed = 0;
        foreach (var (method, pattern) in ApiRoutes())
        {
            var hasIds = pattern.Contains('{', StringComparison.Ordinal);
            if (!hasIds && method != "GET")
            {
                continue; // writes without an id act on the caller's own organization
            }

            var path = Regex.Replace(pattern, @"\{[^}]+\}", _ =>
                pattern.StartsWith("/api/users/", StringComparison.Ordinal) ? portal.Acme.AdminUserId
                : pattern.StartsWith("/api/invitations/", StringComparison.Ordinal) ? acmeInvitation.ToString()
                : acmeHook.ToString());
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = JsonContent.Create(new { });
            }

            var response = await globex.SendAsync(request, Ct);
            // A refusal may echo the request's own path (and so the id it was sent); that shows nothing.
            var body = (await response.Content.ReadAsStringAsync(Ct)).Replace(path, "", StringComparison.Ordinal);
            probed++;
            // Refused, or (a read) answered with nothing of Acme's. 401: the route has its own credentials (uplinks).
            var refused = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity
                              or HttpStatusCode.Unauthorized
                          || (pattern.StartsWith("/api/platform", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.Forbidden)
                          || (method == "GET" && response.IsSuccessStatusCode);
            // Acme's ids and names; the platform administrator's own email is expected in Globex's audit trail (they created it).
            var shows = body.Contains(acmeHook.ToString(), StringComparison.OrdinalIgnoreCase) || body.Contains(acmeHookName, StringComparison.Ordinal)
                        || body.Contains(acmeInvitation.ToString(), StringComparison.OrdinalIgnoreCase);
            if ((hasIds && !refused) || shows)
            {
                leaks.Add($"{method} {path} -> {(int)response.StatusCode}{(shows ? " showing Acme's data" : "")}");
            }
        }

        Assert.True(probed > 40, $"Only {probed} routes probed");
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
        Assert.Equal(before, await acme.GetStringAsync($"/api/integrations/{acmeHook}", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/api/integrations/{globexHook}", Ct)).StatusCode);
        Assert.DoesNotContain(globexHook.ToString(), await acme.GetStringAsync("/api/integrations?pageSize=100", Ct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UserInBothOrganizations_SeesEachOnlyWhileSwitchedToIt_AndCannotSwitchIntoASuspendedOne()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var email = $"both-{Guid.NewGuid():N}@example.test";
        using var both = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (globex, globexId) = await NewOrganizationWithFirstAdminAsync(acme, email, both);
        var globexHook = await CreateWebhookAsync(globex, Unique("Globex hook"));
        var acmeHook = await CreateWebhookAsync(acme, Unique("Acme hook"));
        // Acme's Admin invites the same person; signed in (to Globex), they join from the link.
        var link = (await (await acme.PostAsJsonAsync("/api/invitations", new { email, role = "Operator" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("link").GetString()!;
        var joined = await PostFormAsync(both, link, new() { ["_handler"] = "accept-invitation-join" });

        Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
        Assert.Equal(portal.Acme.OrganizationId.ToString(), await OrganizationOfAsync(both));
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync($"/api/integrations/{acmeHook}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await both.GetAsync($"/api/integrations/{globexHook}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await both.GetAsync("/api/users", Ct)).StatusCode); // an Operator here

        var switched = await SwitchAsync(both, globexId);

        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        Assert.Equal(globexId.ToString(), await OrganizationOfAsync(both));
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync($"/api/integrations/{globexHook}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await both.GetAsync($"/api/integrations/{acmeHook}", Ct)).StatusCode);
        Assert.DoesNotContain(acmeHook.ToString(), await both.GetStringAsync("/api/integrations?pageSize=100", Ct), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/api/users", Ct)).StatusCode); // an Admin there

        // Back to Acme, then Globex is suspended: no way back into it until it resumes.
        Assert.Equal(HttpStatusCode.Redirect, (await SwitchAsync(both, portal.Acme.OrganizationId)).StatusCode);
        await acme.PostAsync($"/api/platform/organizations/{globexId}/suspend", null, Ct);
        var refused = await SwitchAsync(both, globexId);
        await acme.PostAsync($"/api/platform/organizations/{globexId}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(portal.Acme.OrganizationId.ToString(), await OrganizationOfAsync(both));
    }

    [Fact]
    public async Task RemovedMembership_EndsThatSessionAtOnce()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var email = $"leaver-{Guid.NewGuid():N}@example.test";
        var link = (await (await acme.PostAsJsonAsync("/api/invitations", new { email, role = "Viewer" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("link").GetString()!;
        using var leaver = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await AcceptWithNewAccountAsync(leaver, link);
        var users = await acme.GetFromJsonAsync<JsonElement>("/api/users", Ct);
        var id = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == email).GetProperty("id").GetString();

        var before = await leaver.GetAsync("/api/me", Ct);
        var removed = await acme.DeleteAsync($"/api/users/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaver.GetAsync("/api/me", Ct)).StatusCode);
    }

    /// <summary>
    /// As a platform administrator would: create the organization over the platform API and invite its
    /// first Admin, who accepts on the invitation page with a new account (in <paramref name="browser"/>).
    /// </summary>
    private async Task<(HttpClient Admin, Guid OrganizationId)> NewOrganizationWithFirstAdminAsync(
        HttpClient platform, string? email = null, HttpClient? browser = null)
    {
        var created = await platform.PostAsJsonAsync("/api/platform/organizations", new { name = Unique("Globex") }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
        var invited = await platform.PostAsJsonAsync($"/api/platform/organizations/{id}/invitations",
            new { email = email ?? $"boss-{Guid.NewGuid():N}@globex.test" }, Ct);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var link = (await invited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("link").GetString()!;
        browser ??= portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await AcceptWithNewAccountAsync(browser, link);
        Assert.Equal(id.ToString(), await OrganizationOfAsync(browser));
        return (browser, id);
    }

    private static async Task AcceptWithNewAccountAsync(HttpClient browser, string link)
    {
        var accepted = await PostFormAsync(browser, link, new()
        {
            ["_handler"] = "accept-invitation",
            ["Input.DisplayName"] = "Invited Person",
            ["Input.Password"] = TestPasswords.Strong,
            ["Input.ConfirmPassword"] = TestPasswords.Strong,
        });
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await PortalAppFactory.AntiforgeryTokenAsync(client, path);
        return await client.PostAsync(path, new FormUrlEncodedContent(fields), Ct);
    }

    /// <summary>The user menu's form post; the token comes from the statically rendered sign-in page, bound to this user.</summary>
    private static async Task<HttpResponseMessage> SwitchAsync(HttpClient client, Guid organizationId)
    {
        var token = await PortalAppFactory.AntiforgeryTokenAsync(client, "/account/login");
        return await client.PostAsync("/account/switch-organization", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["organizationId"] = organizationId.ToString(),
        }), Ct);
    }

    private static async Task<string?> OrganizationOfAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/me", Ct)).GetProperty("organizationId").GetString();

    /// <summary>The integration as its page reads it, once its first verification attempt is recorded.</summary>
    /// <remarks>
    /// Fails when the attempt never lands: returning the page as it was at the deadline would make the
    /// snapshot a half-verified integration, and the comparison after it meaningless.
    /// </remarks>
    private static Task<string> AfterFirstVerificationAsync(HttpClient client, Guid id) => Eventually.ReadAsync(
        () => client.GetStringAsync($"/api/integrations/{id}", Ct),
        json =>
        {
            using var integration = JsonDocument.Parse(json);
            return integration.RootElement.GetProperty("lastError").ValueKind != JsonValueKind.Null;
        },
        "the integration's first verification attempt to be recorded");

    private static async Task<Guid> CreateWebhookAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/api/integrations", new
        {
            typeKey = "webhook",
            name,
            properties = new Dictionary<string, string> { ["url"] = Unreachable, ["auth"] = "NONE" },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> InviteAsync(HttpClient client, string email, string role)
    {
        var response = await client.PostAsJsonAsync("/api/invitations", new { email, role }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
    }

    /// <summary>Every route of the portal's own API, read from the running app (the API-key APIs have their own tests).</summary>
    private IEnumerable<(string Method, string Pattern)> ApiRoutes() =>
        portal.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [], Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/')))
            .Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal)
                        && !e.Pattern.StartsWith("/api/v1", StringComparison.Ordinal) && !e.Pattern.StartsWith("/api/v2", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => (m, e.Pattern)))
            .Distinct()
            .ToList();
}

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
public class TwoOrganizationsTests(SetUpPortalFixture portal)
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

        var (probed, leaks) = await ProbeAsync(globex, ApiRoutes(), pattern =>
            pattern.StartsWith("/api/users/", StringComparison.Ordinal) ? portal.Acme.AdminUserId
            : pattern.StartsWith("/api/invitations/", StringComparison.Ordinal) ? acmeInvitation.ToString()
            : acmeHook.ToString(), [acmeHook.ToString(), acmeHookName, acmeInvitation.ToString()]);

        Assert.True(probed > 40, $"Only {probed} routes probed");
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
        Assert.Equal(before, await acme.GetStringAsync($"/api/integrations/{acmeHook}", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await acme.GetAsync($"/api/integrations/{globexHook}", Ct)).StatusCode);
        Assert.DoesNotContain(globexHook.ToString(), await acme.GetStringAsync("/api/integrations?pageSize=100", Ct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PlacesDevicesAndDeliveries_OfOneOrganization_AnswerNotFoundOrNothing_ForTheOthersIds_AndChangeNothing()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var (globexAdmin, _) = await NewOrganizationWithFirstAdminAsync(acme);
        using var globex = globexAdmin;
        var placeName = Unique("Acme site");
        var deviceName = Unique("Acme meter");
        var place = await CreatedIdAsync(await acme.PostAsJsonAsync("/api/places", new { name = placeName, timeZone = "UTC" }, Ct));
        var device = await CreatedIdAsync(await acme.PostAsJsonAsync("/api/devices", new { name = deviceName, placeId = place, deviceType = "meter" }, Ct));
        var hook = await CreateWebhookAsync(acme, Unique("Acme hook"));
        var sent = await acme.PostAsJsonAsync($"/api/integrations/{hook}/test", new { payload = SecretReading }, Ct);
        var delivery = (await sent.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("messageId").GetGuid();
        // The test send fails against the unreachable URL once, without retries; after that only a request could change it.
        var deliveryBefore = await SettledDeliveryAsync(acme, $"/api/deliveries/{delivery}");
        var placeBefore = await acme.GetStringAsync($"/api/places/{place}", Ct);
        var deviceBefore = await acme.GetStringAsync($"/api/devices/{device}", Ct);
        var routes = ApiRoutes().Where(r => r.Pattern.StartsWith("/api/places", StringComparison.Ordinal)
                                            || r.Pattern.StartsWith("/api/devices", StringComparison.Ordinal)
                                            || r.Pattern.StartsWith("/api/deliveries", StringComparison.Ordinal)).ToList();

        var (probed, leaks) = await ProbeAsync(globex, routes, pattern =>
            pattern.StartsWith("/api/places", StringComparison.Ordinal) ? place.ToString()
            : pattern.StartsWith("/api/devices", StringComparison.Ordinal) ? device.ToString()
            : delivery.ToString(), [place.ToString(), device.ToString(), delivery.ToString(), placeName, deviceName, "secret reading"]);

        Assert.True(probed >= 12, $"Only {probed} routes probed");
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
        Assert.Equal(placeBefore, await acme.GetStringAsync($"/api/places/{place}", Ct));
        Assert.Equal(deviceBefore, await acme.GetStringAsync($"/api/devices/{device}", Ct));
        Assert.Equal(deliveryBefore, await acme.GetStringAsync($"/api/deliveries/{delivery}", Ct));
    }

    [Fact]
    public async Task ApiKeyOfOneOrganization_ProbingEveryPublicRoute_WithTheOthersIds_GetsNotFoundOrNothing_AndChangesNothing()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var (globexAdmin, _) = await NewOrganizationWithFirstAdminAsync(acme);
        using var globex = globexAdmin;
        var hookName = Unique("Acme hook");
        var hook = await CreateWebhookAsync(acme, hookName);
        using var acmeProgram = await KeyClientAsync(acme, "Acme program");
        using var globexProgram = await KeyClientAsync(globex, "Globex program");
        var apiId = Assert.Single((await acmeProgram.GetFromJsonAsync<JsonElement>("/v2/integrations?pageSize=100", Ct)).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("name").GetString() == hookName).GetProperty("id").GetString()!;
        var testSend = await acmeProgram.PostAsJsonAsync($"/v2/integrations/{apiId}/actions/test-send", new { payload = SecretReading }, Ct);
        var action = testSend.Headers.Location!.OriginalString.Split('/')[^1];
        await SettledDeliveryAsync(acmeProgram, testSend.Headers.Location!.OriginalString);
        var before = await AfterFirstVerificationAsync(acme, hook);
        var routes = portal.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [], Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/')))
            .Where(e => e.Pattern.StartsWith("/api/v1/", StringComparison.Ordinal) || e.Pattern.StartsWith("/v2/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => (m, e.Pattern)))
            .Distinct()
            .ToList();

        var (probed, leaks) = await ProbeAsync(globexProgram, routes, pattern => pattern.Contains("{actionId}", StringComparison.Ordinal) ? action : apiId,
            [apiId, hookName, hook.ToString(), action, "secret reading"]);

        Assert.True(probed >= 15, $"Only {probed} routes probed");
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, leaks));
        Assert.Equal(before, await acme.GetStringAsync($"/api/integrations/{hook}", Ct));
        Assert.Equal(HttpStatusCode.OK, (await acmeProgram.GetAsync($"/v2/integrations/{apiId}", Ct)).StatusCode);
    }

    private static readonly string[] ReadAndWrite = ["read", "write"];

    private const string SecretReading = """{"acme":"secret reading"}""";

    /// <summary>A client of a new read-and-write API key of the admin's organization, with the key in both APIs' headers.</summary>
    private async Task<HttpClient> KeyClientAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsJsonAsync("/api/api-keys", new { name = Unique(name), scopes = ReadAndWrite }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var key = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("key").GetString()!;
        var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add(IntegrationsPortal.Features.ApiKeys.ApiKeyDefaults.V2Header, key);
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>The message (or the API's action) as <paramref name="path"/> reads it, once it is no longer waiting to be sent.</summary>
    private static Task<string> SettledDeliveryAsync(HttpClient client, string path) => Eventually.ReadAsync(
        () => client.GetStringAsync(path, Ct),
        json => !json.Contains("\"pending\"", StringComparison.OrdinalIgnoreCase),
        $"{path} to be sent");

    private static async Task<Guid> CreatedIdAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetGuid();
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
    public async Task Switching_IsAnAuditEntry_InTheOrganizationEntered_AndInTheOneLeft_EachNamingOnlyItself()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var email = $"switcher-{Guid.NewGuid():N}@example.test";
        using var both = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (_, globexId) = await NewOrganizationWithFirstAdminAsync(acme, email, both);
        var globexName = (await both.GetFromJsonAsync<JsonElement>("/api/organization", Ct)).GetProperty("name").GetString()!;
        await JoinAsync(acme, both, email, "Operator");
        var acmeName = (await acme.GetFromJsonAsync<JsonElement>("/api/organization", Ct)).GetProperty("name").GetString()!;

        Assert.Equal(HttpStatusCode.Redirect, (await SwitchAsync(both, globexId)).StatusCode);

        // Globex's Admin (the switcher) reads who came in; Acme's Admin reads who left. Neither trail names the other organization.
        var entered = Assert.Single(await AuditAsync(both, "account.switched_in"), e => e.Actor == email);
        Assert.Equal($"Switched into {globexName} from another of their organizations.", entered.Details);
        var left = Assert.Single(await AuditAsync(acme, "account.switched_out"), e => e.Actor == email);
        Assert.Equal($"Switched out of {acmeName} to another of their organizations.", left.Details);
        Assert.DoesNotContain(await AuditAsync(acme, null), e => e.Details.Contains(globexName, StringComparison.Ordinal));
        Assert.DoesNotContain(await AuditAsync(both, null), e => e.Details.Contains(acmeName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DisabledInOneOrganization_StillSignsInAndWorksInTheOther_ButCannotSwitchIntoTheOne()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var email = $"half-{Guid.NewGuid():N}@example.test";
        using var both = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var (_, globexId) = await NewOrganizationWithFirstAdminAsync(acme, email, both);
        var globexHook = await CreateWebhookAsync(both, Unique("Globex hook"));
        await JoinAsync(acme, both, email, "Operator");
        var id = (await acme.GetFromJsonAsync<JsonElement>("/api/users", Ct)).EnumerateArray()
            .Single(u => u.GetProperty("email").GetString() == email).GetProperty("id").GetString();

        var disabled = await acme.PutAsJsonAsync($"/api/users/{id}/disabled", new { disabled = true }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await both.GetAsync("/api/me", Ct)).StatusCode); // that session worked in Acme
        using var again = await portal.App.SignedInClientAsync(email);
        Assert.Equal(globexId.ToString(), await OrganizationOfAsync(again));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync($"/api/integrations/{globexHook}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await SwitchAsync(again, portal.Acme.OrganizationId)).StatusCode);
        Assert.Equal(globexId.ToString(), await OrganizationOfAsync(again));
        Assert.True(Assert.Single((await acme.GetFromJsonAsync<JsonElement>("/api/users", Ct)).EnumerateArray(),
            u => u.GetProperty("email").GetString() == email).GetProperty("isDisabled").GetBoolean());
    }

    [Fact]
    public async Task AddUser_ForAnEmailWithAnAccountElsewhere_AnswersAsForANewEmail_InvitesInsteadOfAdding_AndShowsNothingOfIt()
    {
        using var acme = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        var (globexAdmin, _) = await NewOrganizationWithFirstAdminAsync(acme);
        using var globex = globexAdmin;
        const string typed = "Typed-By-Globex-4471";

        // A password the rules refuse: the same refusal either way, so the rules cannot be used to probe.
        var weakNew = await AddUserAsync(globex, $"weak-{Guid.NewGuid():N}@example.test", "abcdefghijkl");
        var weakExisting = await AddUserAsync(globex, portal.Acme.AdminEmail, "abcdefghijkl");
        var added = await AddUserAsync(globex, $"fresh-{Guid.NewGuid():N}@example.test", typed);
        var existing = await AddUserAsync(globex, portal.Acme.AdminEmail, typed);

        Assert.Equal((HttpStatusCode.UnprocessableEntity, weakNew.Body), (weakExisting.Status, weakExisting.Body));
        Assert.Equal((HttpStatusCode.Created, added.Body), (existing.Status, existing.Body));
        // Nothing of the account's other organization: not its id, not its name, not the person's name there.
        var members = await globex.GetStringAsync("/api/users", Ct);
        foreach (var shown in new[] { existing.Raw, members })
        {
            Assert.DoesNotContain(portal.Acme.AdminUserId, shown, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(portal.Acme.OrganizationId.ToString(), shown, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Acme", shown, StringComparison.Ordinal);
        }

        // Not added behind the owner's back: invited; the password typed was thrown away.
        Assert.DoesNotContain(portal.Acme.AdminEmail, members, StringComparison.Ordinal);
        Assert.Contains(portal.Acme.AdminEmail, await globex.GetStringAsync("/api/invitations", Ct), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, (await PortalAppFactory.SignInAsync(
            portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }), portal.Acme.AdminEmail, typed)).StatusCode);
        using var owner = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);
        Assert.Equal(portal.Acme.OrganizationId.ToString(), await OrganizationOfAsync(owner));
    }

    /// <summary>Posts "Add user"; the answer's status, its body with ids and the email masked (to compare two answers), and the raw body.</summary>
    private static async Task<(HttpStatusCode Status, string Body, string Raw)> AddUserAsync(HttpClient admin, string email, string password)
    {
        var response = await admin.PostAsJsonAsync("/api/users", new { displayName = "New Person", email, role = "Operator", password }, Ct);
        var raw = await response.Content.ReadAsStringAsync(Ct);
        var masked = Regex.Replace(raw.Replace(email, "EMAIL", StringComparison.Ordinal), "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "ID");
        var location = response.Headers.Location is { } at ? Regex.Replace(at.ToString(), "[0-9a-fA-F-]{36}", "ID") : "";
        return (response.StatusCode, $"{location} {masked}", raw);
    }

    /// <summary>The organization's audit entries with this action (all with null), from its CSV export.</summary>
    private static async Task<List<(string Actor, string Details)>> AuditAsync(HttpClient admin, string? action)
    {
        var csv = await admin.GetStringAsync(action is null ? "/api/audit/export.csv" : $"/api/audit/export.csv?action={Uri.EscapeDataString(action)}", Ct);
        return csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(','))
            .Select(fields => (fields[2], string.Join(',', fields[6..]).Trim('"')))
            .ToList();
    }

    /// <summary>Acme's Admin invites <paramref name="email"/>; the person, signed in elsewhere in <paramref name="browser"/>, joins from the link.</summary>
    private async Task JoinAsync(HttpClient acme, HttpClient browser, string email, string role)
    {
        var link = (await (await acme.PostAsJsonAsync("/api/invitations", new { email, role }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("link").GetString()!;
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, link, new() { ["_handler"] = "accept-invitation-join" })).StatusCode);
        Assert.Equal(portal.Acme.OrganizationId.ToString(), await OrganizationOfAsync(browser));
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
    /// Sends every route (with an id) to <paramref name="other"/>'s session or key, each id replaced by
    /// <paramref name="idFor"/>'s id of the first organization, and lists the answers that were not a
    /// refusal (404, 400, 422, 401; 403 for the platform routes) or that showed any of
    /// <paramref name="mustNotShow"/>. Reads without an id may succeed, showing nothing of the first.
    /// </summary>
    private static async Task<(int Probed, List<string> Leaks)> ProbeAsync(
        HttpClient other, IEnumerable<(string Method, string Pattern)> routes, Func<string, string> idFor, string[] mustNotShow)
    {
        var leaks = new List<string>();
        var probed = 0;
        foreach (var (method, pattern) in routes)
        {
            var hasIds = pattern.Contains('{', StringComparison.Ordinal);
            if (!hasIds && method != "GET")
            {
                continue; // writes without an id act on the caller's own organization
            }

            var path = Regex.Replace(pattern, @"\{[^}]+\}", _ => idFor(pattern));
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = JsonContent.Create(new { });
            }

            var response = await other.SendAsync(request, Ct);
            // A refusal may echo the request's own path (and so the id it was sent); that shows nothing.
            var body = (await response.Content.ReadAsStringAsync(Ct)).Replace(path, "", StringComparison.Ordinal);
            probed++;
            // Refused, or (a read) answered with nothing of the first's. 401: the route has its own credentials (uplinks).
            var refused = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity
                              or HttpStatusCode.Unauthorized
                          || (pattern.StartsWith("/api/platform", StringComparison.Ordinal) && response.StatusCode == HttpStatusCode.Forbidden)
                          || (method == "GET" && response.IsSuccessStatusCode);
            var shows = mustNotShow.Any(secret => body.Contains(secret, StringComparison.OrdinalIgnoreCase));
            if ((hasIds && !refused) || shows)
            {
                leaks.Add($"{method} {path} -> {(int)response.StatusCode}{(shows ? " showing the other organization's data" : "")}");
            }
        }

        return (probed, leaks);
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
        return await client.PostFormAsync(path, fields, Ct);
    }

    /// <summary>The user menu's form post; the token comes from the statically rendered sign-in page, bound to this user.</summary>
    private static async Task<HttpResponseMessage> SwitchAsync(HttpClient client, Guid organizationId)
    {
        var token = await PortalAppFactory.AntiforgeryTokenAsync(client, "/account/login");
        return await client.PostFormAsync("/account/switch-organization", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["organizationId"] = organizationId.ToString(),
        }, Ct);
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

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class TwoOrganizationsOnPostgreSQLTests(SetUpPortalFixture portal) : TwoOrganizationsTests(portal);

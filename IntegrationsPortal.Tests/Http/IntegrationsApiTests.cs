using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace IntegrationsPortal.Tests.Http;

/// <summary>/api/integrations through the whole app: cookie sign-in, policies, problem responses and JSON.</summary>
[Collection(SetUpPortalCollection.Name)]
public class IntegrationsApiTests(SetUpPortalFixture portal)
{
    // Port 1 on loopback refuses at once, so the background verification never reaches anything.
    private const string Unreachable = "http://127.0.0.1:1/hook";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Viewer_CreatingAnIntegration_Is403()
    {
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        var response = await viewer.PostAsJsonAsync("/api/integrations", WebhookBody("Vera's hook"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var list = await ListAsync(viewer, "search=Vera's");
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("POST", "disable")]
    [InlineData("POST", "activate")]
    [InlineData("POST", "verify")]
    [InlineData("DELETE", "")]
    [InlineData("PUT", "secrets")]
    public async Task Viewer_ChangingAnIntegration_Is403_AndChangesNothing(string method, string action)
    {
        using var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var created = await CreateAsync(operatorClient, WebhookBody($"Viewer target {method} {action}"));
        var id = created.GetProperty("id").GetGuid();
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);

        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/integrations/{id}/{action}".TrimEnd('/'))
        {
            Content = JsonContent.Create(new Dictionary<string, string> { ["password"] = "viewer-was-here" }),
        };
        var response = await viewer.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var after = await viewer.GetFromJsonAsync<JsonElement>($"/api/integrations/{id}", Ct);
        Assert.Equal(created.GetProperty("status").GetRawText(), after.GetProperty("status").GetRawText());
        Assert.False(after.GetProperty("secretsSet").GetProperty("password").GetBoolean());
    }

    [Fact]
    public async Task Viewer_SeesTheCatalog_WithNothingToAdd_OperatorMayAddWebhooks()
    {
        using var viewer = await portal.App.SignedInClientAsync(SetUpPortalFixture.ViewerEmail);
        using var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);

        var forViewer = await viewer.GetFromJsonAsync<JsonElement>("/api/catalog", Ct);
        var forOperator = await operatorClient.GetFromJsonAsync<JsonElement>("/api/catalog?search=webhook", Ct);

        Assert.All(forViewer.EnumerateArray(), e => Assert.False(e.GetProperty("canAdd").GetBoolean()));
        Assert.Contains(forViewer.EnumerateArray(), e => e.GetProperty("type").GetProperty("key").GetString() == "stripe");
        // Slack's incoming webhook matches the search too.
        var webhook = Assert.Single(forOperator.EnumerateArray(), e => e.GetProperty("type").GetProperty("key").GetString() == "webhook");
        Assert.True(webhook.GetProperty("canAdd").GetBoolean());
    }

    [Fact]
    public async Task Anonymous_ListingIntegrations_Is401()
    {
        using var client = portal.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/integrations", Ct)).StatusCode);
    }

    [Fact]
    public async Task Operator_CreatesAWebhook_Is201_PendingVerify_AndTheBodyHoldsNoSecret()
    {
        const string password = "hook-password-8c1f02";
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);

        var response = await client.PostAsJsonAsync("/api/integrations", new
        {
            typeKey = "webhook",
            name = "Signed webhook",
            properties = new Dictionary<string, string> { ["url"] = Unreachable, ["auth"] = "BASIC", ["username"] = "hook-user", ["password"] = password },
        }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var body = JsonDocument.Parse(text).RootElement;
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/integrations/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal("pending_verify", body.GetProperty("status").GetString());
        Assert.Equal(Unreachable, body.GetProperty("properties").GetProperty("url").GetString());
        Assert.True(body.GetProperty("secretsSet").GetProperty("password").GetBoolean());
        Assert.True(body.GetProperty("secretsSet").GetProperty("username").GetBoolean());
        Assert.DoesNotContain(password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-user", text, StringComparison.Ordinal);
        var fetched = await client.GetStringAsync($"/api/integrations/{id}", Ct);
        Assert.DoesNotContain(password, fetched, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"Signed webhook\"", fetched, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_CreatingWithBadFields_Is422_WithAnErrorPerProperty()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);

        var response = await client.PostAsJsonAsync("/api/integrations", new
        {
            typeKey = "sms",
            name = "Bad SMS",
            properties = new Dictionary<string, string>
            {
                ["account_sid"] = "AC1", ["from_number"] = "555-0100", ["recipients"] = "+14155550100", ["base_url"] = "api.twilio.com", ["colour"] = "red",
            },
        }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblem>(Ct);
        Assert.Equal(["auth_token", "base_url", "colour", "from_number"], problem!.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["Auth token is required."], problem.Errors["auth_token"]);
        Assert.Equal(0, (await ListAsync(client, "search=Bad SMS")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Operator_MovingAWebhookToAnotherHost_Is422_AskingForThePasswordAgain_ThenSavesWithIt()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var created = await CreateAsync(client, new
        {
            typeKey = "webhook", name = "Moving hook",
            properties = new Dictionary<string, string> { ["url"] = Unreachable, ["auth"] = "BASIC", ["username"] = "hook", ["password"] = "hook-password-7" },
        });
        var path = $"/api/integrations/{created.GetProperty("id").GetString()}";

        var moved = await client.PutAsJsonAsync(path, new
        {
            name = "Moving hook", properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.2:1/hook", ["auth"] = "BASIC" },
        }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, moved.StatusCode);
        var problem = await moved.Content.ReadFromJsonAsync<ValidationProblem>(Ct);
        Assert.Equal(["Enter the password again: the destination changed."], problem!.Errors["password"]);
        Assert.Equal(Unreachable, (await client.GetFromJsonAsync<JsonElement>(path, Ct)).GetProperty("properties").GetProperty("url").GetString());

        var saved = await client.PutAsJsonAsync(path, new
        {
            name = "Moving hook",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.2:1/hook", ["auth"] = "BASIC", ["password"] = "other-password-8" },
        }, Ct);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
    }

    [Fact]
    public async Task Operator_CreatingASecondStripe_Is409_SayingOnlyOneIsAllowed()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var stripe = new
        {
            typeKey = "stripe",
            name = "Payments",
            properties = new Dictionary<string, string> { ["publishable_key"] = "pk_test_1", ["secret_key"] = "sk_test_1", ["base_url"] = "http://127.0.0.1:1/" },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/integrations", stripe, Ct)).StatusCode);

        var second = await client.PostAsJsonAsync("/api/integrations", stripe, Ct);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Your organization already has a Stripe integration; only one is allowed.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Operator_DisablesThenDeletes_AndTheIntegrationIsGone()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        var id = (await CreateAsync(client, WebhookBody("Short-lived hook"))).GetProperty("id").GetGuid();

        var disabled = await client.PostAsync($"/api/integrations/{id}/disable", null, Ct);
        var disabledAgain = await client.PostAsync($"/api/integrations/{id}/disable", null, Ct);
        var deleted = await client.DeleteAsync($"/api/integrations/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal("inactive", (await disabled.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, disabledAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/integrations/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task List_PagesAndFiltersOnTheServer()
    {
        using var client = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        for (var i = 1; i <= 7; i++)
        {
            await CreateAsync(client, WebhookBody($"Paged hook {i}"));
        }

        var page = await ListAsync(client, "search=Paged hook&sort=Name&descending=false&skip=3&take=3");
        var egress = await ListAsync(client, "search=Paged hook&direction=Egress&type=webhook&take=200");
        var ingress = await ListAsync(client, "search=Paged hook&direction=Ingress");

        Assert.Equal(7, page.GetProperty("total").GetInt32());
        Assert.Equal(["Paged hook 4", "Paged hook 5", "Paged hook 6"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(7, egress.GetProperty("items").GetArrayLength());
        Assert.Equal(0, ingress.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Operator_RotatingVaultKeys_Is403_AdminMay()
    {
        using var operatorClient = await portal.App.SignedInClientAsync(SetUpPortalFixture.OperatorEmail);
        using var admin = await portal.App.SignedInClientAsync(portal.Acme.AdminEmail);

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync("/api/vault/rewrap", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/vault/rewrap", null, Ct)).StatusCode);
    }

    private static object WebhookBody(string name) => new
    {
        typeKey = "webhook",
        name,
        properties = new Dictionary<string, string> { ["url"] = Unreachable, ["auth"] = "NONE" },
    };

    private static async Task<JsonElement> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/integrations", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static async Task<JsonElement> ListAsync(HttpClient client, string query) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/integrations?{query}", Ct);

    private sealed record ValidationProblem(Dictionary<string, string[]> Errors);
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class IntegrationsApiOnPostgreSQLTests(SetUpPortalFixture portal) : IntegrationsApiTests(portal);

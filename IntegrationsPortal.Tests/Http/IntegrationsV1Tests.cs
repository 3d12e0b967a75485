using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace IntegrationsPortal.Tests.Http;

/// <summary>/api/v1/integrations as a tenant's program uses it: the published envelope, ids, paging, errors and lifecycle.</summary>
public class IntegrationsV1Tests(ProgramApiFixture portal) : IClassFixture<ProgramApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_Is201PendingVerify_WithASortableId_SensitiveCredentialsNull_AndVerifiesAtOnce()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var response = await program.PostAsJsonAsync("/api/v1/integrations", Stripe(portal.Providers.BaseUri), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("success").GetBoolean());
        var data = body.GetProperty("data");
        var id = data.GetProperty("id").GetString()!;
        Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", id);
        Assert.Equal("stripe", data.GetProperty("provider").GetString());
        Assert.Equal("payment", data.GetProperty("category").GetString());
        Assert.Equal("pending_verify", data.GetProperty("status").GetString());
        var credentials = data.GetProperty("credentials");
        Assert.Equal(JsonValueKind.Null, credentials.GetProperty("secret_key").ValueKind);
        Assert.Equal(JsonValueKind.Null, credentials.GetProperty("webhook_secret").ValueKind);
        Assert.Equal("pk_test_51Hq9zPUBLISHABLE", credentials.GetProperty("publishable_key").GetString());
        Assert.DoesNotContain(IntegrationSeeds.StripeSecret, body.GetRawText(), StringComparison.Ordinal);

        var verified = await WaitWhilePendingAsync(program, id);
        Assert.Equal("active", verified.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, verified.GetProperty("verified_at").ValueKind);
        Assert.Contains($"GET /v1/account Bearer", portal.Providers.Requests);
    }

    [Fact]
    public async Task SecondIntegrationForTheSameProvider_Is422OnProvider_InThePublishedShape()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        Assert.Equal(HttpStatusCode.Created, (await program.PostAsJsonAsync("/api/v1/integrations", Stripe(portal.Providers.BaseUri), Ct)).StatusCode);

        var second = await program.PostAsJsonAsync("/api/v1/integrations", Stripe(portal.Providers.BaseUri), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        var error = await second.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(error.GetProperty("success").GetBoolean());
        Assert.Equal("The given data was invalid.", error.GetProperty("message").GetString());
        Assert.Equal(["provider"], error.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(1, (await ListAsync(program, "")).GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("""{"provider":"webhook","credentials":{}}""", "provider")]
    [InlineData("""{"credentials":{}}""", "provider")]
    [InlineData("""{"provider":"stripe","credentials":{"publishable_key":"pk_test_1"}}""", "credentials.secret_key")]
    [InlineData("""{"provider":"stripe","credentials":"not an object"}""", "credentials")]
    [InlineData("""not json""", "request")]
    public async Task InvalidCreate_Is422WithTheField_AndCreatesNothing(string json, string field)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var response = await program.PostJsonTextAsync("/api/v1/integrations", json, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("The given data was invalid.", error.GetProperty("message").GetString());
        Assert.True(error.GetProperty("errors").TryGetProperty(field, out _), error.GetRawText());
        Assert.Equal(0, (await ListAsync(program, "")).GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task NameWithControlOrDirectionCharacters_Is422OnName_OnCreateAndPatch_AndChangesNothing()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var create = await program.PostAsJsonAsync("/api/v1/integrations", Plivo(name: "SMS\r\nX-Injected: yes"), Ct);
        var id = await CreateAsync(program, Plivo());
        var original = (await GetAsync(program, id)).GetProperty("name").GetString();
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/integrations/{id}") { Content = JsonContent.Create(new { name = "SMS \u202Eexe.pdf" }) };
        var rename = await program.SendAsync(patch, Ct);

        foreach (var refused in new[] { create, rename })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var error = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Contains("control or text-direction", error.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, (await ListAsync(program, "")).GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(original, (await GetAsync(program, id)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task List_PagesWithMetaAndLinks_AndFiltersByStatusAndCategory()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        var twilio = await CreateAsync(program, Twilio(portal.Providers.BaseUri));
        await CreateAsync(program, Plivo());
        await WaitWhilePendingAsync(program, stripe);
        await WaitWhilePendingAsync(program, twilio);
        Assert.Equal(HttpStatusCode.OK, (await program.PostAsync($"/api/v1/integrations/{twilio}/disable", null, Ct)).StatusCode);

        var page2 = await ListAsync(program, "?per_page=2&page=2");
        var payments = await ListAsync(program, "?category=payment");
        var inactive = await ListAsync(program, "?status=inactive");
        var defaults = await ListAsync(program, "");

        Assert.Equal((2, 2, 3, 2), Meta(page2));
        Assert.Single(page2.GetProperty("data").EnumerateArray());
        var links = page2.GetProperty("links");
        Assert.Equal("/api/v1/integrations?per_page=2&page=1", links.GetProperty("first").GetString());
        Assert.Equal("/api/v1/integrations?per_page=2&page=2", links.GetProperty("last").GetString());
        Assert.Equal("/api/v1/integrations?per_page=2&page=1", links.GetProperty("prev").GetString());
        Assert.Equal(JsonValueKind.Null, links.GetProperty("next").ValueKind);
        Assert.Equal([stripe], payments.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal([twilio], inactive.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.Equal((1, 25, 3, 1), Meta(defaults));
        // Oldest first: ULIDs sort by creation.
        Assert.Equal(stripe, defaults.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("?per_page=101", "per_page")]
    [InlineData("?per_page=0", "per_page")]
    [InlineData("?page=abc", "page")]
    [InlineData("?status=sleeping", "status")]
    [InlineData("?category=notification", "category")]
    public async Task List_WithABadParameter_Is422OnIt(string query, string field)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1(write: false);

        var response = await program.GetAsync("/api/v1/integrations" + query, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal([field], (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Patch_OnlyChangesWhatIsSent_AndNewCredentialsGoBackToVerification()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var id = await CreateAsync(program, Stripe(portal.Providers.BaseUri, metadata: new() { ["team"] = "billing" }));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, id)).GetProperty("status").GetString());

        var renamed = await PatchAsync(program, id, new { name = "Checkout" });
        Assert.Equal("active", renamed.GetProperty("status").GetString());
        Assert.Equal("Checkout", renamed.GetProperty("name").GetString());
        Assert.Equal("billing", renamed.GetProperty("metadata").GetProperty("team").GetString());
        Assert.Equal("pk_test_51Hq9zPUBLISHABLE", renamed.GetProperty("credentials").GetProperty("publishable_key").GetString());

        var rotated = await PatchAsync(program, id, new { credentials = new { secret_key = "sk_test_rotated_but_wrong" } });

        Assert.Equal(id, rotated.GetProperty("id").GetString());
        Assert.Equal("pending_verify", rotated.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, rotated.GetProperty("verified_at").ValueKind);
        Assert.Equal("Checkout", rotated.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rotated.GetProperty("credentials").GetProperty("secret_key").ValueKind);
        // The fake Stripe refuses the new key: the failure is where the troubleshooting guide says.
        var failed = await WaitWhilePendingAsync(program, id);
        Assert.Equal("error", failed.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("metadata").GetProperty("verification_error").GetString()));
        Assert.DoesNotContain("sk_test_rotated_but_wrong", failed.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_ChangingAFixedField_Is422_AndChangesNothing()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var id = await CreateAsync(program, Twilio(portal.Providers.BaseUri));

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/integrations/{id}")
        {
            Content = JsonContent.Create(new { name = "Renamed", credentials = new { account_sid = "AC999" } }),
        };
        var response = await program.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("credentials.account_sid", out _));
        Assert.Equal("Twilio", (await GetAsync(program, id)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Disable_ThenActivate_GoesStraightBackToActive_WithoutVerifyingAgain()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var id = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        var verifiedAt = (await WaitWhilePendingAsync(program, id)).GetProperty("verified_at").GetString();

        var disabled = await ActionAsync(program, id, "disable");
        var activated = await ActionAsync(program, id, "activate");
        var again = await program.PostAsync($"/api/v1/integrations/{id}/activate", null, Ct);

        Assert.Equal("inactive", disabled.GetProperty("status").GetString());
        Assert.Equal("active", activated.GetProperty("status").GetString());
        Assert.Equal(verifiedAt, activated.GetProperty("verified_at").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var refusal = await again.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(refusal.GetProperty("success").GetBoolean());
        Assert.Equal("The integration is already active.", refusal.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Delete_IsSoft_Answers200WithAMessage_ThenTheIdIs404()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var id = await CreateAsync(program, Plivo());

        var deleted = await program.DeleteAsync($"/api/v1/integrations/{id}", Ct);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var body = await deleted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("Integration deleted successfully.", body.GetProperty("message").GetString());
        var gone = await program.GetAsync($"/api/v1/integrations/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False((await gone.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("success").GetBoolean());
        // Soft: the provider can be set up again, and the audit log keeps the deletion.
        Assert.Equal(HttpStatusCode.Created, (await program.PostAsJsonAsync("/api/v1/integrations", Plivo(), Ct)).StatusCode);
        Assert.Contains((await tenant.AuditAsync()).EnumerateArray(), e => e.GetProperty("action").GetString() == "integration.deleted");
    }

    [Fact]
    public async Task ReadOnlyKey_Reads_ButEveryWrite_Is403_AndWritesWithTheWriteKeyAreAudited()
    {
        var tenant = await portal.NewTenantAsync();
        using var writer = tenant.V1();
        using var reader = tenant.V1(write: false);
        var id = await CreateAsync(writer, Plivo());

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/v1/integrations", Stripe(portal.Providers.BaseUri), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/v1/integrations/{id}/disable", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/api/v1/integrations/{id}", Ct)).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/integrations/{id}") { Content = JsonContent.Create(new { name = "x" }) };
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.SendAsync(patch, Ct)).StatusCode);

        Assert.Equal("pending_verify", (await GetAsync(reader, id)).GetProperty("status").GetString());
        var audit = await tenant.AuditAsync();
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "api_key.write"
            && e.GetProperty("details").GetString() == "POST /api/v1/integrations -> 201");
    }

    [Fact]
    public async Task AnotherOrganizationsIntegration_Is404_AndNeverListed()
    {
        var acme = await portal.NewTenantAsync();
        var globex = await portal.NewTenantAsync();
        using var acmeProgram = acme.V1();
        using var globexProgram = globex.V1();
        var id = await CreateAsync(acmeProgram, Plivo());

        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.GetAsync($"/api/v1/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.PostAsync($"/api/v1/integrations/{id}/disable", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.DeleteAsync($"/api/v1/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(0, (await ListAsync(globexProgram, "")).GetProperty("meta").GetProperty("total").GetInt32());
        // Each tenant may set up the same provider: the one-per-provider rule is per organization.
        Assert.Equal(HttpStatusCode.Created, (await globexProgram.PostAsJsonAsync("/api/v1/integrations", Plivo(), Ct)).StatusCode);
        Assert.Equal("pending_verify", (await GetAsync(acmeProgram, id)).GetProperty("status").GetString());
    }

    internal static object Stripe(Uri baseUri, Dictionary<string, string>? metadata = null) => new
    {
        provider = "stripe",
        credentials = new Dictionary<string, string>
        {
            ["publishable_key"] = "pk_test_51Hq9zPUBLISHABLE", ["secret_key"] = IntegrationSeeds.StripeSecret,
            ["webhook_secret"] = IntegrationSeeds.StripeWebhookSecret, ["base_url"] = baseUri.ToString(),
        },
        metadata = metadata ?? [],
    };

    internal static object Twilio(Uri baseUri) => new
    {
        provider = "twilio",
        credentials = new Dictionary<string, string>
        {
            ["account_sid"] = IntegrationSeeds.TwilioSid, ["auth_token"] = IntegrationSeeds.TwilioToken,
            ["from_number"] = "+14155550100", ["base_url"] = baseUri.ToString(),
        },
    };

    /// <summary>A Plivo account the fakes at <paramref name="baseUri"/> accept, so it becomes active.</summary>
    internal static object VerifiablePlivo(Uri baseUri) => new
    {
        provider = "plivo",
        credentials = new Dictionary<string, string>
        {
            ["auth_id"] = FakeMessagingProviders.PlivoAuthId, ["auth_token"] = FakeMessagingProviders.PlivoToken,
            ["from_number"] = "+14155550111", ["base_url"] = baseUri.ToString(),
        },
    };

    // Port 1 on loopback refuses at once: this one stays out of the way in error.
    internal static object Plivo(string? name = null) => new
    {
        provider = "plivo",
        name,
        credentials = new Dictionary<string, string>
        {
            ["auth_id"] = "MAXXXXXXXXXXXXXXXXXX", ["auth_token"] = "plivo-token-1", ["from_number"] = "+14155550111", ["base_url"] = "http://127.0.0.1:1/",
        },
    };

    private static (int, int, int, int) Meta(JsonElement list)
    {
        var meta = list.GetProperty("meta");
        return (meta.GetProperty("current_page").GetInt32(), meta.GetProperty("per_page").GetInt32(), meta.GetProperty("total").GetInt32(), meta.GetProperty("last_page").GetInt32());
    }

    internal static async Task<string> CreateAsync(HttpClient program, object body)
    {
        var response = await program.PostAsJsonAsync("/api/v1/integrations", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("id").GetString()!;
    }

    internal static async Task<JsonElement> GetAsync(HttpClient program, string id) =>
        (await program.GetFromJsonAsync<JsonElement>($"/api/v1/integrations/{id}", Ct)).GetProperty("data");

    private static Task<JsonElement> ListAsync(HttpClient program, string query) =>
        program.GetFromJsonAsync<JsonElement>("/api/v1/integrations" + query, Ct);

    internal static async Task<JsonElement> PatchAsync(HttpClient program, string id, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/integrations/{id}") { Content = JsonContent.Create(body) };
        var response = await program.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data");
    }

    internal static async Task<JsonElement> ActionAsync(HttpClient program, string id, string action)
    {
        var response = await program.PostAsync($"/api/v1/integrations/{id}/{action}", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data");
    }

    /// <summary>Polls until the scheduler's verification has moved the integration on from pending_verify (20 s at most).</summary>
    internal static Task<JsonElement> WaitWhilePendingAsync(HttpClient program, string id) => Eventually.ReadAsync(
        () => GetAsync(program, id), data => data.GetProperty("status").GetString() != "pending_verify", $"integration {id} to leave pending_verify");
}

[OnPostgreSQL]
public sealed class IntegrationsV1OnPostgreSQLTests(ProgramApiFixture portal) : IntegrationsV1Tests(portal);

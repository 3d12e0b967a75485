using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

/// <summary>/v2/integrations as a platform program uses it: int_ ids, published enum values, secrets never returned, 202 actions.</summary>
public class IntegrationsV2Tests(ProgramApiFixture portal) : IClassFixture<ProgramApiFixture>
{
    private const string Password = "hook-password-S3CRET";

    private static readonly string[] RunStates = ["QUEUED", "RUNNING", "COMPLETED", "FAILED"];

    private static readonly string[] DeliveryStates = ["PENDING", "DELIVERING", "DELIVERED", "FAILED", "DEAD"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_Get_List_ShowIntIds_PublishedEnums_AndNeverASecret()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();

        var response = await program.PostAsJsonAsync("/v2/integrations", BasicWebhook("Ops hook"), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = created.GetProperty("id").GetString()!;
        Assert.Matches("^int_[0-9a-f]{20}$", id);
        Assert.Equal($"/v2/integrations/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(("WEBHOOK", "EGRESS", "PENDING_VERIFY"), (created.GetProperty("type").GetString(), created.GetProperty("direction").GetString(), created.GetProperty("status").GetString()));
        Assert.Equal("BASIC", created.GetProperty("properties").GetProperty("auth").GetString());
        Assert.True(created.GetProperty("secretsSet").GetProperty("password").GetBoolean());
        var one = await program.GetStringAsync($"/v2/integrations/{id}", Ct);
        var list = await program.GetFromJsonAsync<JsonElement>("/v2/integrations?type=WEBHOOK&direction=EGRESS", Ct);
        Assert.Equal([id], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.DoesNotContain(Password, created.GetRawText() + one + list.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(await DatabaseKeyAsync(tenant, "Ops hook"), one, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretHeaders_AreSetButNeverReturned_ByV2OrThePortalsApi_AndABadNameIs422OnTheField()
    {
        const string token = "tok-v2-secret-header-77";
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();

        var id = await CreateAsync(program, new
        {
            name = "Token hook", type = "WEBHOOK",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/in", ["auth"] = "NONE", ["secret_headers"] = $$"""{"X-Api-Token":"{{token}}"}""" },
        });
        var one = await program.GetFromJsonAsync<JsonElement>($"/v2/integrations/{id}", Ct);
        var list = await program.GetStringAsync("/v2/integrations", Ct);
        var bad = await program.PostAsJsonAsync("/v2/integrations", new
        {
            name = "Bad token hook", type = "WEBHOOK",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/in", ["auth"] = "NONE", ["secret_headers"] = """{"X Api Token":"x"}""" },
        }, Ct);

        Assert.True(one.GetProperty("secretsSet").GetProperty("secret_headers").GetBoolean());
        Assert.DoesNotContain(token, one.GetRawText() + list, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.StartsWith("'X Api Token' is not a header name", problem.GetProperty("errors").GetProperty("properties.secret_headers")[0].GetString(), StringComparison.Ordinal);

        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        var detail = await scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Integrations.IntegrationQueries>()
            .GetAsync(Guid.Parse(await DatabaseKeyAsync(tenant, "Token hook")), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(detail), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NameWithControlOrDirectionCharacters_Is422OnName_OnCreateAndPut_AndChangesNothing()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();

        var create = await program.PostAsJsonAsync("/v2/integrations", BasicWebhook("Hook\0one"), Ct);
        var id = await CreateAsync(program, BasicWebhook("Kept"));
        var rename = await program.PutAsJsonAsync($"/v2/integrations/{id}", new
        {
            name = "Hook \u202Eexe.pdf",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" },
        }, Ct);

        foreach (var refused in new[] { create, rename })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Contains("control or text-direction", problem.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        }

        var after = await program.GetFromJsonAsync<JsonElement>($"/v2/integrations/{id}", Ct);
        Assert.Equal(("Kept", "BASIC"), (after.GetProperty("name").GetString(), after.GetProperty("properties").GetProperty("auth").GetString()));
        Assert.Equal(1, (await program.GetFromJsonAsync<JsonElement>("/v2/integrations", Ct)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Put_ChangesTheIntegration_Delete_Removes_AndTheIdIsThen404()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();
        var id = await CreateAsync(program, BasicWebhook("Before"));

        var put = await program.PutAsJsonAsync($"/v2/integrations/{id}", new
        {
            name = "After",
            properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/other", ["auth"] = "NONE" },
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var body = await put.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("After", "NONE"), (body.GetProperty("name").GetString(), body.GetProperty("properties").GetProperty("auth").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await program.DeleteAsync($"/v2/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await program.GetAsync($"/v2/integrations/{id}", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"No type","properties":{}}""", "type")]
    [InlineData("""{"name":"Bad","type":"TELEGRAPH","properties":{}}""", "type")]
    [InlineData("""{"name":"No url","type":"WEBHOOK","properties":{"auth":"NONE"}}""", "properties.url")]
    [InlineData("""{"name":"Bad auth","type":"WEBHOOK","properties":{"url":"http://127.0.0.1:1/x","auth":"KERBEROS"}}""", "properties.auth")]
    [InlineData("""{"name":"Wrong shape","type":"WEBHOOK","properties":["url"]}""", "properties")]
    [InlineData("""{ not json""", "request")]
    public async Task InvalidCreate_Is422ProblemWithTheField_NeverA500(string json, string field)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();

        var response = await program.PostJsonTextAsync("/v2/integrations", json, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(422, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal(0, (await program.GetFromJsonAsync<JsonElement>("/v2/integrations", Ct)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Mapping_Properties_AndValidatePath_DescribeTheTypesInPublishedValues()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2(write: false);

        var mapping = await program.GetFromJsonAsync<JsonElement>("/v2/integrations/mapping", Ct);
        var properties = await program.GetFromJsonAsync<JsonElement>("/v2/integrations/properties?type=WEBHOOK", Ct);
        var unknownType = await program.GetAsync("/v2/integrations/properties?type=NOPE", Ct);
        var badPath = await program.GetFromJsonAsync<JsonElement>("/v2/integrations/validate-path?path=nowhere/at/all&type=WEBHOOK", Ct);
        var resources = await program.GetAsync("/v2/integrations/resources", Ct);

        Assert.Contains("WEBHOOK", mapping.GetProperty("EGRESS").EnumerateArray().Select(t => t.GetString()));
        Assert.True(mapping.TryGetProperty("INGRESS", out _));
        var auth = Assert.Single(properties.EnumerateArray(), p => p.GetProperty("name").GetString() == "auth");
        Assert.Equal(["NONE", "BASIC", "DIGEST"], auth.GetProperty("options").EnumerateArray().Select(o => o.GetString()));
        Assert.True(Assert.Single(properties.EnumerateArray(), p => p.GetProperty("name").GetString() == "password").GetProperty("sensitive").GetBoolean());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownType.StatusCode);
        Assert.False(badPath.GetProperty("valid").GetBoolean());
        Assert.NotEqual("NONE", badPath.GetProperty("problem").GetString());
        Assert.Equal(HttpStatusCode.OK, resources.StatusCode);
    }

    [Fact]
    public async Task ResourceMappings_AreCreatedAndListedByIntId_AndABadOneIs422()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();
        var id = await CreateAsync(program, BasicWebhook("Mapped hook"));
        var placePath = await CreatePlaceAsync(tenant);

        var created = await program.PostAsJsonAsync("/v2/integrations/resource-mappings", new { integrationId = id, externalId = "rx-1", resourcePath = placePath }, Ct);
        var refused = await program.PostAsJsonAsync("/v2/integrations/resource-mappings", new { integrationId = id, externalId = "rx-2", resourcePath = "places/not-a-place" }, Ct);
        var list = await program.GetFromJsonAsync<JsonElement>($"/v2/integrations/{id}/resource-mappings", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var row = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal((id, "rx-1", placePath), (row.GetProperty("integrationId").GetString(), row.GetProperty("externalId").GetString(), row.GetProperty("resourcePath").GetString()));
    }

    [Fact]
    public async Task Actions_Answer202_WithALocationToPoll()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();
        var id = await CreateAsync(program, BasicWebhook("Action hook"));

        var verify = await program.PostAsync($"/v2/integrations/{id}/actions/verify", null, Ct);
        var testSend = await program.PostAsJsonAsync($"/v2/integrations/{id}/actions/test-send", new { payload = """{"hello":"world"}""" }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, verify.StatusCode);
        Assert.Equal($"/v2/integrations/{id}", verify.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Accepted, testSend.StatusCode);
        var poll = await program.GetFromJsonAsync<JsonElement>(testSend.Headers.Location!.OriginalString, Ct);
        Assert.Equal("TEST_SEND", poll.GetProperty("action").GetString());
        Assert.Contains(poll.GetProperty("status").GetString(), DeliveryStates);
        // A webhook takes no backfill: the refusal names the reason instead of starting anything.
        var backfill = await program.PostAsJsonAsync($"/v2/integrations/{id}/actions/backfill", new { from = DateTimeOffset.UtcNow.AddDays(-1), to = DateTimeOffset.UtcNow }, Ct);
        Assert.InRange((int)backfill.StatusCode, 400, 499);
    }

    [Fact]
    public async Task TestSend_RepeatedWithTheSameIdempotencyKey_IsTheSameAction_QueuedOnce()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();
        var id = await CreateAsync(program, BasicWebhook("Idempotent hook"));
        async Task<string> SendAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/integrations/{id}/actions/test-send") { Content = JsonContent.Create(new { payload = """{"n":1}""" }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await program.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return response.Headers.Location!.OriginalString;
        }

        // A program retrying after a lost answer: the same key is the same action; another key is another.
        var first = await SendAsync("order-7781");
        var again = await SendAsync("order-7781");
        var other = await SendAsync("order-7782");

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task Backfill_OfAnActiveIngressIntegration_Is202_AndItsLocationReportsTheRun()
    {
        await using var meters = await FakeIngressProviders.StartAsync();
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V2();
        var id = await CreateAsync(program, new
        {
            name = "Meters",
            type = "UTILITY_DATA",
            properties = new Dictionary<string, string> { ["base_url"] = meters.BaseUri.ToString(), ["api_token"] = FakeIngressProviders.Token },
        });
        Assert.Equal("ACTIVE", await WaitWhilePendingAsync(program, id));

        var now = DateTimeOffset.UtcNow;
        var response = await program.PostAsJsonAsync($"/v2/integrations/{id}/actions/backfill", new { from = now.AddDays(-1), to = now }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var poll = await program.GetFromJsonAsync<JsonElement>(response.Headers.Location!.OriginalString, Ct);
        Assert.Equal("BACKFILL", poll.GetProperty("action").GetString());
        Assert.Contains(poll.GetProperty("status").GetString(), RunStates);
        var second = await program.PostAsJsonAsync($"/v2/integrations/{id}/actions/backfill", new { from = now.AddDays(-1), to = now.AddDays(1) }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
    }

    [Fact]
    public async Task ReadOnlyKey_MayNotWrite_AndAnotherOrganizationsIdIs404()
    {
        var acme = await portal.NewTenantAsync();
        var globex = await portal.NewTenantAsync();
        using var acmeProgram = acme.V2();
        using var acmeReader = acme.V2(write: false);
        using var globexProgram = globex.V2();
        var id = await CreateAsync(acmeProgram, BasicWebhook("Acme hook"));

        Assert.Equal(HttpStatusCode.Forbidden, (await acmeReader.DeleteAsync($"/v2/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await acmeReader.PostAsync($"/v2/integrations/{id}/actions/verify", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.GetAsync($"/v2/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.DeleteAsync($"/v2/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await acmeReader.GetAsync($"/v2/integrations/{id}", Ct)).StatusCode);
        Assert.Equal(0, (await globexProgram.GetFromJsonAsync<JsonElement>("/v2/integrations", Ct)).GetProperty("total").GetInt32());
    }

    private static object BasicWebhook(string name) => new
    {
        name,
        type = "WEBHOOK",
        properties = new Dictionary<string, string> { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "BASIC", ["username"] = "hook-user", ["password"] = Password },
    };

    private static async Task<string> CreateAsync(HttpClient program, object body)
    {
        var response = await program.PostAsJsonAsync("/v2/integrations", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
    }

    /// <summary>Polls until the scheduler's verification has moved the integration on from PENDING_VERIFY (20 s at most).</summary>
    private static Task<string> WaitWhilePendingAsync(HttpClient program, string id) => Eventually.ReadAsync(
        async () => (await program.GetFromJsonAsync<JsonElement>($"/v2/integrations/{id}", Ct)).GetProperty("status").GetString()!,
        status => status != "PENDING_VERIFY", $"integration {id} to leave PENDING_VERIFY");

    private async Task<string> DatabaseKeyAsync(ProgramTenant tenant, string name)
    {
        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        var list = await scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Integrations.IntegrationQueries>()
            .ListAsync(new IntegrationsPortal.Features.Integrations.IntegrationQuery { Search = name });
        return Assert.Single(list.Items).Id.ToString();
    }

    private async Task<string> CreatePlaceAsync(ProgramTenant tenant)
    {
        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        var id = await scope.ServiceProvider.GetRequiredService<IntegrationsPortal.Features.Resources.PlaceService>()
            .CreatePlaceAsync(new IntegrationsPortal.Features.Resources.PlaceInput { Name = "Plant A" });
        return IntegrationsPortal.Features.Resources.ResourcePath.ForPlace(id);
    }
}

[OnPostgreSQL]
public sealed class IntegrationsV2OnPostgreSQLTests(ProgramApiFixture portal) : IntegrationsV2Tests(portal);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static IntegrationsPortal.Tests.Http.IntegrationsV1Tests;

namespace IntegrationsPortal.Tests.Http;

/// <summary>Capabilities on /api/v1/integrations and /api/v1/routing-rules as a tenant's program uses them.</summary>
public class RoutingRulesV1Tests(ProgramApiFixture portal) : IClassFixture<ProgramApiFixture>
{
    private static readonly string[] SmsOnly = ["send_sms"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Providers_ListTheirCapabilities_AndANewIntegrationHasThemAllEnabled_UnlessItChoseSome()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var providers = (await program.GetFromJsonAsync<JsonElement>("/api/v1/integrations/providers", Ct)).GetProperty("data");
        var plivo = await CreateAsync(program, Plivo());
        var twilio = await CreateAsync(program, With(Twilio(portal.Providers.BaseUri), ["send_whatsapp"]));

        Assert.Equal(["send_sms", "send_whatsapp"], Capabilities(providers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "twilio")));
        Assert.Equal(["initiate_payment", "process_refund", "verify_payment"], Capabilities(providers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "stripe")));
        Assert.Equal(["send_sms"], Enabled(await GetAsync(program, plivo)));
        Assert.Equal(["send_whatsapp"], Enabled(await GetAsync(program, twilio)));
    }

    [Theory]
    [InlineData("send_whatsapp", "Plivo does not offer 'send_whatsapp'; it offers send_sms.")]
    [InlineData("teleport", "'teleport' is not a capability; Plivo offers send_sms.")]
    public async Task UnknownOrUnsupportedCapability_Is422OnEnabledCapabilities_OnCreateAndPatch_AndChangesNothing(string capability, string message)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var create = await program.PostAsJsonAsync("/api/v1/integrations", With(Plivo(), [capability]), Ct);
        var id = await CreateAsync(program, Plivo());
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/integrations/{id}") { Content = JsonContent.Create(new { enabled_capabilities = new[] { capability } }) };
        var patched = await program.SendAsync(patch, Ct);

        foreach (var response in new[] { create, patched })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
            Assert.Equal(message, errors.GetProperty("enabled_capabilities")[0].GetString());
        }

        Assert.Equal(["send_sms"], Enabled(await GetAsync(program, id)));
    }

    [Fact]
    public async Task PatchingCapabilities_ChangesOnlyThem_AndDoesNotSendTheIntegrationBackToVerification()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var id = await CreateAsync(program, Twilio(portal.Providers.BaseUri));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, id)).GetProperty("status").GetString());

        var patched = await PatchAsync(program, id, new { enabled_capabilities = SmsOnly });

        Assert.Equal(["send_sms"], Enabled(patched));
        Assert.Equal("active", patched.GetProperty("status").GetString());
        Assert.Equal("Twilio", patched.GetProperty("name").GetString());
    }

    [Fact]
    public async Task RoutingRules_CreateGetListPatchDelete_InThePublishedShape()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var twilio = await CreateAsync(program, Twilio(portal.Providers.BaseUri));
        var plivo = await CreateAsync(program, Plivo());

        var created = await program.PostAsJsonAsync("/api/v1/routing-rules",
            new { capability = "send_sms", integration_id = plivo, priority = 10, is_default = true, fallback_integration_id = twilio }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data");
        var id = rule.GetProperty("id").GetString()!;
        Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", id);
        Assert.Equal(("send_sms", plivo, 10, true, twilio, true),
            (rule.GetProperty("capability").GetString(), rule.GetProperty("integration_id").GetString(), rule.GetProperty("priority").GetInt32(),
             rule.GetProperty("is_default").GetBoolean(), rule.GetProperty("fallback_integration_id").GetString(), rule.GetProperty("enabled").GetBoolean()));
        // Plivo is still being verified: the rule says it cannot route there now.
        Assert.Contains("'Plivo' is pending_verify", rule.GetProperty("warning").GetString(), StringComparison.Ordinal);

        var patched = await PatchRuleAsync(program, id, new { integration_id = twilio, fallback_integration_id = (string?)null });
        Assert.Equal((twilio, JsonValueKind.Null, 10, true), (patched.GetProperty("integration_id").GetString(), patched.GetProperty("fallback_integration_id").ValueKind,
            patched.GetProperty("priority").GetInt32(), patched.GetProperty("is_default").GetBoolean()));
        var list = await program.GetFromJsonAsync<JsonElement>("/api/v1/routing-rules?capability=send_sms", Ct);
        Assert.Equal([id], list.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(1, list.GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal("/api/v1/routing-rules?capability=send_sms&page=1", list.GetProperty("links").GetProperty("first").GetString());

        var deleted = await program.DeleteAsync($"/api/v1/routing-rules/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("Routing rule deleted successfully.", (await deleted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await program.GetAsync($"/api/v1/routing-rules/{id}", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("""{"capability":"teleport","integration_id":"{stripe}"}""", "capability")]
    [InlineData("""{"capability":"send_sms","integration_id":"{stripe}"}""", "integration_id")]
    [InlineData("""{"capability":"initiate_payment","integration_id":"01JDQ5M4W6Y2T8V0B1C3D5E7F9"}""", "integration_id")]
    [InlineData("""{"capability":"initiate_payment"}""", "integration_id")]
    [InlineData("""{"capability":"initiate_payment","integration_id":"{stripe}","fallback_integration_id":"{stripe}"}""", "fallback_integration_id")]
    [InlineData("""{"capability":"initiate_payment","integration_id":"{stripe}","priority":-1}""", "priority")]
    [InlineData("""{"capability":"initiate_payment","integration_id":"{stripe}","priority":"high"}""", "priority")]
    public async Task InvalidRule_Is422OnTheField_AndCreatesNothing(string json, string field)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));

        var response = await program.PostJsonTextAsync("/api/v1/routing-rules",
            json.Replace("{stripe}", stripe, StringComparison.Ordinal), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("The given data was invalid.", error.GetProperty("message").GetString());
        Assert.True(error.GetProperty("errors").TryGetProperty(field, out _), error.GetRawText());
        Assert.Equal(0, (await program.GetFromJsonAsync<JsonElement>("/api/v1/routing-rules", Ct)).GetProperty("meta").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ReadOnlyKey_ReadsRules_ButWritingThem_Is403()
    {
        var tenant = await portal.NewTenantAsync();
        using var writer = tenant.V1();
        using var reader = tenant.V1(write: false);
        var stripe = await CreateAsync(writer, Stripe(portal.Providers.BaseUri));
        var id = await CreateRuleAsync(writer, new { capability = "initiate_payment", integration_id = stripe, is_default = true });

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/routing-rules/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/v1/routing-rules", new { capability = "initiate_payment", integration_id = stripe }, Ct)).StatusCode);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/routing-rules/{id}") { Content = JsonContent.Create(new { priority = 5 }) };
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.SendAsync(patch, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.DeleteAsync($"/api/v1/routing-rules/{id}", Ct)).StatusCode);
        Assert.Equal(0, (await reader.GetFromJsonAsync<JsonElement>($"/api/v1/routing-rules/{id}", Ct)).GetProperty("data").GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task AnotherOrganizationsRule_Is404_AndItsIntegrationsCannotBeTargeted()
    {
        var acme = await portal.NewTenantAsync();
        var globex = await portal.NewTenantAsync();
        using var acmeProgram = acme.V1();
        using var globexProgram = globex.V1();
        var stripe = await CreateAsync(acmeProgram, Stripe(portal.Providers.BaseUri));
        var id = await CreateRuleAsync(acmeProgram, new { capability = "initiate_payment", integration_id = stripe });

        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.GetAsync($"/api/v1/routing-rules/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await globexProgram.DeleteAsync($"/api/v1/routing-rules/{id}", Ct)).StatusCode);
        var theirs = await globexProgram.PostAsJsonAsync("/api/v1/routing-rules", new { capability = "initiate_payment", integration_id = stripe }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, theirs.StatusCode);
    }

    internal static async Task<string> CreateRuleAsync(HttpClient program, object body)
    {
        var response = await program.PostAsJsonAsync("/api/v1/routing-rules", body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("id").GetString()!;
    }

    internal static async Task<JsonElement> PatchRuleAsync(HttpClient program, string id, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/routing-rules/{id}") { Content = JsonContent.Create(body) };
        var response = await program.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data");
    }

    /// <summary>A create body with enabled_capabilities added.</summary>
    private static Dictionary<string, object?> With(object body, string[] capabilities)
    {
        var fields = JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(body))!;
        fields["enabled_capabilities"] = capabilities;
        return fields;
    }

    private static string[] Capabilities(JsonElement provider) => [.. provider.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!)];

    private static string[] Enabled(JsonElement integration) => [.. integration.GetProperty("enabled_capabilities").EnumerateArray().Select(c => c.GetString()!)];
}

[OnPostgreSQL]
public sealed class RoutingRulesV1OnPostgreSQLTests(ProgramApiFixture portal) : RoutingRulesV1Tests(portal);

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static IntegrationsPortal.Tests.Http.IntegrationsV1Tests;
using static IntegrationsPortal.Tests.Http.RoutingRulesV1Tests;

namespace IntegrationsPortal.Tests.Http;

/// <summary>/api/v1/operations as a tenant's program uses it: accepted at once, routed by the rules, delivered by the outbox, polled.</summary>
public class OperationsV1Tests(ProgramApiFixture portal) : IClassFixture<ProgramApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InitiatePayment_CreatesAStripePaymentIntent_AndTheOperationShowsItsId()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, stripe)).GetProperty("status").GetString());
        var rule = await CreateRuleAsync(program, new { capability = "initiate_payment", integration_id = stripe, is_default = true });
        var description = $"Order {Guid.NewGuid():N}";

        var response = await program.PostAsJsonAsync("/api/v1/operations",
            new { capability = "initiate_payment", payload = new { amount = 2000, currency = "USD", description } }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data");
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", id);
        Assert.Equal($"/api/v1/operations/{id}", response.Headers.Location?.ToString());
        var done = await WaitForEndAsync(program, id);
        Assert.Equal(("succeeded", stripe, "stripe", rule, false, 1), (done.GetProperty("status").GetString(), done.GetProperty("integration_id").GetString(),
            done.GetProperty("provider").GetString(), done.GetProperty("routing_rule_id").GetString(), done.GetProperty("fallback_used").GetBoolean(), done.GetProperty("attempts").GetInt32()));
        var created = portal.Providers.PaymentIntents.Single(f => f.GetValueOrDefault("description") == description);
        Assert.Equal(("2000", "usd"), (created["amount"], created["currency"]));
        Assert.StartsWith("pi_", done.GetProperty("reference").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PaymentStripeRefuses_IsNotRetried_AndWithNothingElseEligibleTheOperationFailsWithStripesReason()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        await WaitWhilePendingAsync(program, stripe);
        await CreateRuleAsync(program, new { capability = "initiate_payment", integration_id = stripe });

        var id = await StartAsync(program, "initiate_payment", new { amount = 100_000_000, currency = "usd" });

        var done = await WaitForEndAsync(program, id);
        Assert.Equal(("failed", "delivery_failed", 1), (done.GetProperty("status").GetString(), done.GetProperty("error_code").GetString(), done.GetProperty("attempts").GetInt32()));
        Assert.Contains("Amount must be no more than $999,999.99", done.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("reference").ValueKind);
    }

    [Fact]
    public async Task NothingEligible_FailsTheOperation_WithNoActiveProvider()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        // A rule whose target is still being verified (and will end in error) routes nothing.
        var plivo = await CreateAsync(program, Plivo());
        await CreateRuleAsync(program, new { capability = "send_sms", integration_id = plivo });

        var id = await StartAsync(program, "send_sms", new { to = "+14155550100", text = "Hello" });

        var done = await WaitForEndAsync(program, id);
        Assert.Equal(("failed", "no_active_provider", "no active provider for send_sms", 0),
            (done.GetProperty("status").GetString(), done.GetProperty("error_code").GetString(), done.GetProperty("error").GetString(), done.GetProperty("attempts").GetInt32()));
        Assert.Equal(JsonValueKind.Null, done.GetProperty("integration_id").ValueKind);
    }

    [Fact]
    public async Task PrimaryFailsForGood_TheOperationIsReroutedToTheFallback_AndDelivered()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        await using var broken = await LoopbackReceiver.StartAsync();
        await using var healthy = await LoopbackReceiver.StartAsync();
        broken.Respond = (context, request) =>
        {
            context.Response.StatusCode = request.Method == "POST" ? 500 : 200;
            return Task.CompletedTask;
        };
        // No retries on the HTTP integration: its first failure is its last.
        var primary = await ActiveApiIdAsync(tenant, new CreateIntegrationInput
        {
            TypeKey = "http", Name = "Broken HTTP", Properties = new()
            {
                ["url"] = new Uri(broken.Url, "in").ToString(), ["method"] = "POST", ["auth"] = "NONE", ["content_type"] = "JSON",
                ["timeout_seconds"] = "30", ["retry_strategy"] = "NONE",
            },
        });
        var fallback = await ActiveApiIdAsync(tenant, IntegrationSeeds.Webhook("Healthy webhook", new Uri(healthy.Url, "in").ToString()));
        await CreateRuleAsync(program, new { capability = "notify", integration_id = primary, fallback_integration_id = fallback });
        var marker = Guid.NewGuid().ToString("N");

        var id = await StartAsync(program, "notify", new { text = "Disk full", marker });

        var done = await WaitForEndAsync(program, id);
        Assert.Equal(("succeeded", fallback, true, 2), (done.GetProperty("status").GetString(), done.GetProperty("integration_id").GetString(),
            done.GetProperty("fallback_used").GetBoolean(), done.GetProperty("attempts").GetInt32()));
        Assert.Contains(broken.Requests, r => r.Method == "POST" && r.Body.Contains(marker, StringComparison.Ordinal));
        Assert.Contains(healthy.Requests, r => r.Method == "POST" && r.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SmsProviderRefusesTheNumber_IsNotRetried_TheFallbackIsAskedAtOnce()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var twilio = await CreateAsync(program, Twilio(portal.Messaging.BaseUri));
        var plivo = await CreateAsync(program, VerifiablePlivo(portal.Messaging.BaseUri));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, twilio)).GetProperty("status").GetString());
        Assert.Equal("active", (await WaitWhilePendingAsync(program, plivo)).GetProperty("status").GetString());
        await CreateRuleAsync(program, new { capability = "send_sms", integration_id = twilio, fallback_integration_id = plivo });
        var text = $"Only Plivo reaches this {Guid.NewGuid():N}";

        var id = await StartAsync(program, "send_sms", new { to = FakeMessagingProviders.InvalidNumber, text });

        // Twilio's 400 retried on the schedule would keep the operation on Twilio for hours.
        var done = await WaitForEndAsync(program, id);
        Assert.Equal(("succeeded", plivo, true, 2), (done.GetProperty("status").GetString(), done.GetProperty("integration_id").GetString(),
            done.GetProperty("fallback_used").GetBoolean(), done.GetProperty("attempts").GetInt32()));
        var twilioTries = portal.Messaging.To(FakeMessagingProviders.InvalidNumber).Where(r => FakeMessagingProviders.Form(r).GetValueOrDefault("Body") == text);
        Assert.Single(twilioTries);
    }

    [Theory]
    [InlineData("""{"capability":"teleport","payload":{}}""", "capability")]
    [InlineData("""{"payload":{"to":"+14155550100","text":"x"}}""", "capability")]
    [InlineData("""{"capability":"process_refund","payload":{}}""", "capability")]
    [InlineData("""{"capability":"send_sms","payload":"hello"}""", "payload")]
    [InlineData("""{"capability":"send_sms","payload":{"text":"x"}}""", "payload.to")]
    [InlineData("""{"capability":"send_sms","payload":{"to":"0800 FLOWERS","text":"x"}}""", "payload.to")]
    [InlineData("""{"capability":"initiate_payment","payload":{"amount":12.5,"currency":"usd"}}""", "payload.amount")]
    [InlineData("""{"capability":"initiate_payment","payload":{"amount":100,"currency":"dollars"}}""", "payload.currency")]
    public async Task InvalidOperation_Is422OnTheField_AndStartsNothing(string json, string field)
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        var response = await program.PostJsonTextAsync("/api/v1/operations", json, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((false, "The given data was invalid."), (body.GetProperty("success").GetBoolean(), body.GetProperty("message").GetString()));
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.GetRawText());
        Assert.Equal(0, await OperationCountAsync(tenant));
    }

    [Fact]
    public async Task ReadOnlyKey_Is403_AWriteKeysOperationIsAudited_AndAnotherTenantCannotPollIt()
    {
        var tenant = await portal.NewTenantAsync();
        var other = await portal.NewTenantAsync();
        using var reader = tenant.V1(write: false);
        using var program = tenant.V1();
        using var stranger = other.V1();
        var sms = new { capability = "send_sms", payload = new { to = "+14155550100", text = "Hi" } };

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/v1/operations", sms, Ct)).StatusCode);
        Assert.Equal(0, await OperationCountAsync(tenant));
        var id = await StartAsync(program, "send_sms", sms.payload);

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/operations/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/operations/{id}", Ct)).StatusCode);
        Assert.True(await AuditedAsync(tenant, "POST /api/v1/operations -> 202"));
    }

    /// <summary>Whether the organization's audit trail records a key's write with these details (the trail's writer may lag a moment).</summary>
    private async Task<bool> AuditedAsync(ProgramTenant tenant, string details)
    {
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
            return await db.AuditEntries.AnyAsync(e => e.Action == "api_key.write" && e.Details == details, Ct);
        }, $"the audit entry '{details}'", TimeSpan.FromSeconds(15));
        return true;
    }

    internal static async Task<string> StartAsync(HttpClient program, string capability, object payload)
    {
        var response = await program.PostAsJsonAsync("/api/v1/operations", new { capability, payload }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("data").GetProperty("id").GetString()!;
    }

    /// <summary>Polls the operation until it is no longer queued (45 s at most: re-routes wait for a retry on a busy machine).</summary>
    internal static Task<JsonElement> WaitForEndAsync(HttpClient program, string id) => Eventually.ReadAsync(
        async () => (await program.GetFromJsonAsync<JsonElement>($"/api/v1/operations/{id}", Ct)).GetProperty("data"),
        operation => operation.GetProperty("status").GetString() != "queued",
        $"operation {id} to leave the queue", TimeSpan.FromSeconds(45));

    /// <summary>An integration made through the portal's service (types /api/v1 does not publish), verified, by its /api/v1 id.</summary>
    private async Task<string> ActiveApiIdAsync(ProgramTenant tenant, CreateIntegrationInput input)
    {
        var id = await portal.App.Services.CreateIntegrationAsync(tenant.Tenant, input);
        Assert.Equal(IntegrationStatus.Active, (await portal.App.Services.WaitUntilVerifiedAsync(tenant.Tenant, id)).Status);
        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<Integration>().Where(i => i.Id == id).Select(i => i.ApiId).SingleAsync(Ct);
    }

    private async Task<int> OperationCountAsync(ProgramTenant tenant)
    {
        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<IntegrationsPortal.Features.Operations.Operation>().CountAsync(Ct);
    }
}

[OnPostgreSQL]
public sealed class OperationsV1OnPostgreSQLTests(ProgramApiFixture portal) : OperationsV1Tests(portal);

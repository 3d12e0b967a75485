using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static IntegrationsPortal.Tests.Http.IntegrationsV1Tests;
using static IntegrationsPortal.Tests.Http.RoutingRulesV1Tests;

namespace IntegrationsPortal.Tests.Http;

/// <summary>
/// The published business scenarios of /api/v1, step by step as a tenant's program runs them. Where
/// a step's effect is "operations now go to X", the portal's router is asked directly, and the SMS
/// scenario ends with operations (/api/v1/operations) delivered by Twilio.
/// </summary>
public class BusinessScenariosV1Tests(ProgramApiFixture portal) : IClassFixture<ProgramApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SetUpStripe_ThenADefaultRoutingRule_RoutesPaymentsToStripe()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();

        // 1. Set up Stripe: created pending_verify, verified at once.
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, stripe)).GetProperty("status").GetString());
        var providers = (await program.GetFromJsonAsync<JsonElement>("/api/v1/integrations/providers", Ct)).GetProperty("data");
        Assert.True(providers.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "stripe").GetProperty("is_configured").GetBoolean());

        // 2. The default routing rule for payments.
        var rule = await CreateRuleAsync(program, new { capability = "initiate_payment", integration_id = stripe, priority = 100, is_default = true });

        var listed = (await program.GetFromJsonAsync<JsonElement>("/api/v1/routing-rules?capability=initiate_payment", Ct)).GetProperty("data");
        var only = Assert.Single(listed.EnumerateArray());
        Assert.Equal((rule, true, JsonValueKind.Null), (only.GetProperty("id").GetString(), only.GetProperty("is_default").GetBoolean(), only.GetProperty("warning").ValueKind));
        Assert.Equal(stripe, await RoutedToAsync(tenant, "initiate_payment"));
        Assert.Null(await RoutedToAsync(tenant, "send_sms"));
    }

    [Fact]
    public async Task RotateCredentials_WithPatch_KeepsTheSameId_AndRoutingReturnsOnceVerified()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var stripe = await CreateAsync(program, Stripe(portal.Providers.BaseUri));
        var firstVerified = (await WaitWhilePendingAsync(program, stripe)).GetProperty("verified_at").GetString();
        await CreateRuleAsync(program, new { capability = "initiate_payment", integration_id = stripe, is_default = true });

        // The new secret key (the fake Stripe accepts the seeded one) replaces the stored one.
        var rotated = await PatchAsync(program, stripe, new { credentials = new { secret_key = IntegrationSeeds.StripeSecret } });

        Assert.Equal(stripe, rotated.GetProperty("id").GetString());
        Assert.Equal("pending_verify", rotated.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, rotated.GetProperty("verified_at").ValueKind);
        var verified = await WaitWhilePendingAsync(program, stripe);
        Assert.Equal("active", verified.GetProperty("status").GetString());
        Assert.NotEqual(firstVerified, verified.GetProperty("verified_at").GetString());
        Assert.Equal(1, (await program.GetFromJsonAsync<JsonElement>("/api/v1/integrations", Ct)).GetProperty("meta").GetProperty("total").GetInt32());
        Assert.Equal(stripe, await RoutedToAsync(tenant, "initiate_payment"));
    }

    [Fact]
    public async Task MoveSmsFromPlivoToTwilio_ByRepointingTheRule_AndDisablingPlivo()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        // Plivo verifies, but its sending API is down here (503): its texts wait for a retry.
        var plivo = await CreateAsync(program, VerifiablePlivo(portal.Providers.BaseUri));
        var twilio = await CreateAsync(program, Twilio(portal.Messaging.BaseUri));
        Assert.Equal("active", (await WaitWhilePendingAsync(program, plivo)).GetProperty("status").GetString());
        Assert.Equal("active", (await WaitWhilePendingAsync(program, twilio)).GetProperty("status").GetString());
        var rule = await CreateRuleAsync(program, new { capability = "send_sms", integration_id = plivo, is_default = true });
        Assert.Equal(plivo, await RoutedToAsync(tenant, "send_sms"));
        var before = $"Queued on Plivo {Guid.NewGuid():N}";
        var queued = await OperationsV1Tests.StartAsync(program, "send_sms", new { to = "+14155550123", text = before });
        await Eventually.ReadAsync(() => PollAsync(program, queued), o => o.GetProperty("attempts").GetInt32() >= 1, "the queued operation's first attempt", TimeSpan.FromSeconds(30));

        // 1. Re-point the rule; 2. disable Plivo.
        var repointed = await PatchRuleAsync(program, rule, new { integration_id = twilio });
        var disabled = await ActionAsync(program, plivo, "disable");

        Assert.Equal((rule, twilio), (repointed.GetProperty("id").GetString(), repointed.GetProperty("integration_id").GetString()));
        Assert.Equal("inactive", disabled.GetProperty("status").GetString());
        Assert.Equal(twilio, await RoutedToAsync(tenant, "send_sms"));
        Assert.Equal(JsonValueKind.Null, (await program.GetFromJsonAsync<JsonElement>($"/api/v1/routing-rules/{rule}", Ct)).GetProperty("data").GetProperty("warning").ValueKind);

        // 3. A new operation goes to Twilio, and the one waiting on Plivo follows on its next attempt.
        var after = $"Sent after the move {Guid.NewGuid():N}";
        var fresh = await OperationsV1Tests.WaitForEndAsync(program, await OperationsV1Tests.StartAsync(program, "send_sms", new { to = "+14155550123", text = after }));
        var moved = await OperationsV1Tests.WaitForEndAsync(program, queued);
        Assert.Equal(("succeeded", twilio, "twilio", false), (fresh.GetProperty("status").GetString(), fresh.GetProperty("integration_id").GetString(),
            fresh.GetProperty("provider").GetString(), fresh.GetProperty("fallback_used").GetBoolean()));
        Assert.Equal(("succeeded", twilio, true), (moved.GetProperty("status").GetString(), moved.GetProperty("integration_id").GetString(), moved.GetProperty("fallback_used").GetBoolean()));
        var texts = portal.Messaging.To("+14155550123").Select(r => FakeMessagingProviders.Form(r)["Body"]).ToList();
        Assert.Contains(before, texts);
        Assert.Contains(after, texts);
    }

    private static async Task<JsonElement> PollAsync(HttpClient program, string operation) =>
        (await program.GetFromJsonAsync<JsonElement>($"/api/v1/operations/{operation}", Ct)).GetProperty("data");

    [Fact]
    public async Task PrimaryDisabled_RoutesToTheFallback_AndTheRuleSaysSo()
    {
        var tenant = await portal.NewTenantAsync();
        using var program = tenant.V1();
        var plivo = await CreateAsync(program, VerifiablePlivo(portal.Providers.BaseUri));
        var twilio = await CreateAsync(program, Twilio(portal.Providers.BaseUri));
        await WaitWhilePendingAsync(program, plivo);
        await WaitWhilePendingAsync(program, twilio);
        var rule = await CreateRuleAsync(program, new { capability = "send_sms", integration_id = twilio, fallback_integration_id = plivo });

        await ActionAsync(program, twilio, "disable");

        Assert.Equal(plivo, await RoutedToAsync(tenant, "send_sms"));
        var warning = (await program.GetFromJsonAsync<JsonElement>($"/api/v1/routing-rules/{rule}", Ct)).GetProperty("data").GetProperty("warning").GetString();
        Assert.Equal("'Twilio' is inactive; operations go to the fallback 'Plivo'.", warning);
        // And with the fallback disabled too, nothing is eligible.
        await ActionAsync(program, plivo, "disable");
        Assert.Null(await RoutedToAsync(tenant, "send_sms"));
    }

    /// <summary>The /api/v1 id of the integration the router picks for <paramref name="capability"/> now, or null.</summary>
    private async Task<string?> RoutedToAsync(ProgramTenant tenant, string capability)
    {
        await using var scope = portal.App.Services.AsAdmin(tenant.Tenant);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return (await ProviderRouter.RouteAsync(db, capability, [], Ct))?.Integration.ApiId;
    }
}

[OnPostgreSQL]
public sealed class BusinessScenariosV1OnPostgreSQLTests(ProgramApiFixture portal) : BusinessScenariosV1Tests(portal);

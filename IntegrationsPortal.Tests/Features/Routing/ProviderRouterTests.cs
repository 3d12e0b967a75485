using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Routing;

/// <summary>Which integration a capability's operations go to, on a real SQLite file (Quartz in standby: nothing verifies by itself).</summary>
public class ProviderRouterTests : PortalServicesTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HighestPriorityActiveRule_Wins_AndADisabledRuleIsSkipped()
    {
        var twilio = await ActiveAsync(IntegrationSeeds.Twilio());
        var sms = await ActiveAsync(Sms());
        await RuleAsync(twilio, priority: 10);
        await RuleAsync(sms, priority: 20, enabled: false);

        var route = await RouteAsync(Capabilities.SendSms);

        Assert.Equal(twilio, route!.Integration.Id);
        Assert.False(route.FallbackUsed);
    }

    [Theory]
    [InlineData(IntegrationStatus.Inactive)]
    [InlineData(IntegrationStatus.PendingVerify)]
    [InlineData(IntegrationStatus.Error)]
    public async Task PrimaryNotActive_GoesToTheFallback(IntegrationStatus status)
    {
        var twilio = await ActiveAsync(IntegrationSeeds.Twilio());
        var sms = await ActiveAsync(Sms());
        await RuleAsync(twilio, priority: 10, fallback: sms);
        await SetAsync(twilio, i => i.Status = status);

        var route = await RouteAsync(Capabilities.SendSms);

        Assert.Equal(sms, route!.Integration.Id);
        Assert.True(route.FallbackUsed);
    }

    [Fact]
    public async Task CapabilityNotEnabledOnThePrimary_GoesToTheFallback_AndExcludedOnesAreSkippedToo()
    {
        var twilio = await ActiveAsync(IntegrationSeeds.Twilio());
        var sms = await ActiveAsync(Sms());
        await RuleAsync(twilio, priority: 10, fallback: sms);
        await SetAsync(twilio, i => i.EnabledCapabilities = [Capabilities.SendWhatsApp]);

        Assert.Equal(sms, (await RouteAsync(Capabilities.SendSms))!.Integration.Id);
        Assert.Null(await RouteAsync(Capabilities.SendSms, excluded: sms));
    }

    [Fact]
    public async Task DeletedOrNoEligibleIntegration_IsNoActiveProvider()
    {
        var twilio = await ActiveAsync(IntegrationSeeds.Twilio());
        await RuleAsync(twilio, priority: 10);
        await using (var scope = Portal.Services.AsAdmin(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>().DeleteAsync(twilio, Ct);
        }

        Assert.Null(await RouteAsync(Capabilities.SendSms));
        Assert.Null(await RouteAsync(Capabilities.SendEmail));
        Assert.Equal("no active provider for send_sms", ProviderRouter.NoActiveProvider(Capabilities.SendSms));
    }

    [Fact]
    public async Task Rules_RefuseAnIntegrationWithoutTheCapability_AndAFallbackThatIsTheSameIntegration()
    {
        var stripe = await ActiveAsync(IntegrationSeeds.Stripe());
        var twilio = await ActiveAsync(IntegrationSeeds.Twilio());
        await using var scope = Portal.Services.AsAdmin(Acme);
        var rules = scope.ServiceProvider.GetRequiredService<RoutingRuleService>();

        var error = await Assert.ThrowsAsync<PortalException>(() => rules.CreateAsync(
            new RoutingRuleInput { Capability = Capabilities.SendSms, IntegrationId = stripe, FallbackIntegrationId = stripe, Priority = -1 }, Ct));

        Assert.Equal(["FallbackIntegrationId", "IntegrationId", "Priority"], error.FieldErrors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("does not offer send_sms", error.FieldErrors["IntegrationId"][0], StringComparison.Ordinal);
        Assert.Empty(await rules.ListAsync(ct: Ct));
        // One default per capability: a new default takes the flag.
        var first = await rules.CreateAsync(new RoutingRuleInput { Capability = Capabilities.SendSms, IntegrationId = twilio, IsDefault = true }, Ct);
        var second = await rules.CreateAsync(new RoutingRuleInput { Capability = Capabilities.SendSms, IntegrationId = twilio, IsDefault = true }, Ct);
        Assert.False((await rules.GetAsync(first, Ct)).IsDefault);
        Assert.True((await rules.GetAsync(second, Ct)).IsDefault);
    }

    // The Twilio-compatible SMS type: a second provider of send_sms next to Twilio.
    private static CreateIntegrationInput Sms() => new()
    {
        TypeKey = TypeKeys.Sms,
        Name = "On-call SMS",
        Properties = IntegrationSeeds.TwilioRecipientList(new Uri("https://api.twilio.com"), "+14155550123"),
    };

    private async Task<Guid> ActiveAsync(CreateIntegrationInput input)
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);
        await SetAsync(id, i => i.Status = IntegrationStatus.Active);
        return id;
    }

    private async Task SetAsync(Guid id, Action<Integration> change)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        change(await db.Set<Integration>().SingleAsync(i => i.Id == id, Ct));
        await db.SaveChangesAsync(Ct);
    }

    private async Task RuleAsync(Guid integration, int priority, Guid? fallback = null, bool enabled = true)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await scope.ServiceProvider.GetRequiredService<RoutingRuleService>().CreateAsync(new RoutingRuleInput
        {
            Capability = Capabilities.SendSms, IntegrationId = integration, Priority = priority, FallbackIntegrationId = fallback, Enabled = enabled,
        }, Ct);
    }

    private async Task<Route?> RouteAsync(string capability, Guid? excluded = null)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await ProviderRouter.RouteAsync(db, capability, excluded is { } e ? [e] : [], Ct);
    }
}

[OnPostgreSQL]
public sealed class ProviderRouterOnPostgreSQLTests : ProviderRouterTests;

using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Catalog;

public sealed class CatalogDataTests
{
    [Fact]
    public void TypeKeys_AreUnique_AndPropertyNamesUniqueWithinAType()
    {
        Assert.Equal(CatalogData.Types.Count, CatalogData.Types.Select(t => t.Key).Distinct().Count());
        Assert.All(CatalogData.Types, t => Assert.Equal(t.Properties.Count, t.Properties.Select(p => p.Name).Distinct().Count()));
    }

    [Theory]
    [InlineData("webhook", IntegrationDirection.Egress)]
    [InlineData("http", IntegrationDirection.Egress)]
    [InlineData("mqtt", IntegrationDirection.Egress)]
    [InlineData("email", IntegrationDirection.Egress)]
    [InlineData("sms", IntegrationDirection.Egress)]
    [InlineData("phone", IntegrationDirection.Egress)]
    [InlineData("stripe", IntegrationDirection.Egress)]
    [InlineData("twilio", IntegrationDirection.Egress)]
    [InlineData("plivo", IntegrationDirection.Egress)]
    [InlineData("open-meteo", IntegrationDirection.Ingress)]
    [InlineData("utility-data", IntegrationDirection.Ingress)]
    [InlineData("telematics", IntegrationDirection.Ingress)]
    public void ShippedType_Exists_AndCanBeAdded(string key, IntegrationDirection direction)
    {
        var type = CatalogService.Find(key);

        Assert.NotNull(type);
        Assert.Equal(direction, type.Direction);
        Assert.Equal(TypeAvailability.Available, type.Availability);
    }

    [Fact]
    public void EverySecret_IsSensitive_AndEverySensitivePropertyIsHiddenFromTheReadableProperties()
    {
        var properties = CatalogData.Types.SelectMany(t => t.Properties.Select(p => (Type: t.Key, Property: p))).ToList();

        Assert.All(properties.Where(p => p.Property.Type == PropertyType.Secret), p => Assert.True(p.Property.Sensitive, $"{p.Type}.{p.Property.Name}"));
        Assert.Contains(properties, p => p.Property.Type == PropertyType.Secret);
    }

    [Fact]
    public void Stripe_ShowsThePublishableKey_AndSealsTheSecretKeyAndWebhookSecret()
    {
        var stripe = CatalogService.Get("stripe");

        Assert.False(stripe.Property("publishable_key")!.Sensitive);
        Assert.Equal(PropertyType.Secret, stripe.Property("secret_key")!.Type);
        Assert.True(stripe.Property("secret_key")!.Sensitive);
        Assert.True(stripe.Property("webhook_secret")!.Sensitive);
        Assert.True(stripe.SingleInstance);
    }

    [Fact]
    public void Twilio_SealsTheAuthToken_AndFixesTheAccountSid()
    {
        var twilio = CatalogService.Get("twilio");

        Assert.True(twilio.Property("auth_token")!.Sensitive);
        Assert.False(twilio.Property("account_sid")!.Sensitive);
        Assert.False(twilio.Property("account_sid")!.Editable);
        Assert.True(twilio.SingleInstance);
    }

    [Theory]
    [InlineData("webhook", "url")]
    [InlineData("http", "url")]
    [InlineData("mqtt", "host")]
    [InlineData("email", "smtp_host")]
    [InlineData("utility-data", "api_token")]
    public void RequiredFieldsOfAType_AreMarkedRequired(string key, string property)
    {
        Assert.True(CatalogService.Get(key).Property(property)!.Required);
    }

    [Fact]
    public void EveryDefault_PassesItsOwnValidation()
    {
        Assert.All(CatalogData.Types.SelectMany(t => t.Properties).Where(p => p.Default is not null),
            p => Assert.Null(PropertyValidator.ValidateOne(p, p.Default)));
    }

    [Fact]
    public void GetUnknownType_IsAFieldError()
    {
        var error = Assert.Throws<PortalException>(() => CatalogService.Get("carrier-pigeon"));

        Assert.Equal(PortalErrorKind.Validation, error.Kind);
        Assert.Equal(["There is no integration type 'carrier-pigeon'."], error.FieldErrors["TypeKey"]);
    }
}

public class CatalogServiceTests : PortalServicesTest
{
    [Fact]
    public void EveryAddableType_HasItsVerifierRegistered()
    {
        var verifiers = Portal.Services.GetRequiredService<TypeCode<IIntegrationVerifier>>();

        Assert.All(CatalogData.Types.Where(t => t.Availability != TypeAvailability.Disabled), t => Assert.NotNull(verifiers.For(t.Key)));
    }

    [Fact]
    public async Task NoCustomType_IsListed_WhileNoneHasItsCode()
    {
        // The SCADA bridge was the one custom type; without an ingress provider it is "coming soon" (docs/decisions/010).
        await SetCustomIntegrationsAsync(true);
        var scada = Assert.Single(await ListAsync(), e => e.Type.Key == "scada-bridge");

        Assert.DoesNotContain(CatalogData.Types, t => t.Availability == TypeAvailability.Custom);
        Assert.False(scada.CanAdd);
    }

    [Theory]
    [InlineData(false, "SCADA bridge is a custom integration your organization is not enabled for.")]
    [InlineData(true, null)]
    public void CustomType_IsAddable_OnlyWhereTheOrganizationIsEnabled(bool enabled, string? why)
    {
        var custom = CatalogService.Get("scada-bridge") with { Availability = TypeAvailability.Custom };

        Assert.Equal(why, CatalogService.WhyNotAddable(custom, enabled, inUse: 0));
    }

    [Fact]
    public async Task DisabledType_IsListed_ButCannotBeAdded_AndSaysWhoToAsk()
    {
        var whatsapp = Assert.Single(await ListAsync(), e => e.Type.Key == "whatsapp");

        Assert.False(whatsapp.CanAdd);
        Assert.Equal("WhatsApp Business is coming soon. Contact your representative to enable it.", whatsapp.Unavailable);
    }

    [Fact]
    public async Task SingleInstanceType_SaysSo_OnceOneExists()
    {
        var before = Assert.Single(await ListAsync(), e => e.Type.Key == "twilio");
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        var after = Assert.Single(await ListAsync(), e => e.Type.Key == "twilio");

        Assert.True(before.CanAdd);
        Assert.False(after.CanAdd);
        Assert.Equal(1, after.InUse);
        Assert.Equal("Your organization already has a Twilio integration; only one is allowed.", after.Unavailable);
    }

    [Fact]
    public async Task MultiInstanceType_StaysAddable_AndCountsWhatIsInUse()
    {
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("One"));
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook("Two"));

        var webhook = Assert.Single(await ListAsync(), e => e.Type.Key == "webhook");

        Assert.True(webhook.CanAdd);
        Assert.Equal(2, webhook.InUse);
    }

    [Fact]
    public async Task Viewer_SeesTheCatalog_ButCanAddNothing()
    {
        var id = await Portal.Services.AddUserAsync(Acme, "vera@acme.test", PortalRoles.Viewer);
        await using var scope = Portal.Services.AsUser(Acme.OrganizationId, id, "vera@acme.test", PortalRoles.Viewer);

        var entries = await scope.ServiceProvider.GetRequiredService<CatalogService>().ListAsync(new CatalogQuery(), TestContext.Current.CancellationToken);

        Assert.Contains(entries, e => e.Type.Key == "webhook");
        Assert.All(entries, e => Assert.False(e.CanAdd));
    }

    [Fact]
    public async Task Catalog_FiltersByDirectionAndSearch()
    {
        var ingress = await ListAsync(new CatalogQuery(Direction: IntegrationDirection.Ingress));
        var payments = await ListAsync(new CatalogQuery(Search: " payment "));

        Assert.Equal(["chirpstack-uplinks", "helium-uplinks", "http-uplinks", "open-meteo", "scada-bridge", "telematics", "tts-uplinks", "utility-data"], ingress.Select(e => e.Type.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["stripe"], payments.Select(e => e.Type.Key));
    }

    private async Task<IReadOnlyList<CatalogEntry>> ListAsync(CatalogQuery? query = null)
    {
        await using var scope = Portal.Services.AsOperator(Acme);
        return await scope.ServiceProvider.GetRequiredService<CatalogService>().ListAsync(query ?? new CatalogQuery());
    }

    private async Task SetCustomIntegrationsAsync(bool enabled)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var organization = await db.Organizations.SingleAsync(o => o.Id == Acme.OrganizationId);
        organization.CustomIntegrationsEnabled = enabled;
        await db.SaveChangesAsync();
    }
}

[OnPostgreSQL]
public sealed class CatalogServiceOnPostgreSQLTests : CatalogServiceTests;

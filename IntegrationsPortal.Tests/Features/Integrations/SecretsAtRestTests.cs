using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>Secrets in the database file, in what the service returns, and through a key rotation.</summary>
public sealed class SecretsAtRestTests : PortalServicesTest
{
    private static readonly byte[] FirstKey = CredentialVaultTests.NewKey();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Portal:Vault:Keys:k1"] = Convert.ToBase64String(FirstKey),
        ["Portal:Vault:ActiveKeyId"] = "k1",
    };

    [Fact]
    public async Task DatabaseFile_HoldsNoSecretInPlainText_ButTheReadableProperties()
    {
        var stripe = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe());
        await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        await using (var scope = Portal.Services.AsOperator(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>()
                .ReplaceSecretsAsync(stripe, new Dictionary<string, string> { ["webhook_secret"] = "whsec_REPLACED0secret0value" }, TestContext.Current.CancellationToken);
        }

        var ct = TestContext.Current.CancellationToken;
        Assert.True(await Portal.StoredAnywhereAsync("pk_test_51Hq9zPUBLISHABLE", ct), "the publishable key is stored readable");
        Assert.True(await Portal.StoredAnywhereAsync(IntegrationSeeds.TwilioSid, ct), "the account SID is stored readable");
        foreach (var secret in new[] { IntegrationSeeds.StripeSecret, IntegrationSeeds.StripeWebhookSecret, "whsec_REPLACED0secret0value", IntegrationSeeds.TwilioToken })
        {
            Assert.False(await Portal.StoredAnywhereAsync(secret, ct), $"'{secret}' is in the database file");
        }
    }

    [Fact]
    public async Task Get_SaysWhichSecretsAreSet_NeverTheirValues()
    {
        var input = IntegrationSeeds.Stripe();
        input.Properties.Remove("webhook_secret");
        var id = await Portal.Services.CreateIntegrationAsync(Acme, input);

        var detail = await Portal.Services.GetIntegrationAsync(Acme, id);
        var json = JsonSerializer.Serialize(detail);

        Assert.Equal(new Dictionary<string, bool> { ["secret_key"] = true, ["webhook_secret"] = false }, detail.SecretsSet);
        Assert.DoesNotContain("secret_key", detail.Properties.Keys);
        Assert.DoesNotContain(IntegrationSeeds.StripeSecret, json, StringComparison.Ordinal);
        Assert.Contains("pk_test_51Hq9zPUBLISHABLE", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotation_RewrapsEveryIntegrationOfTheOrganization_UnderTheNewKey()
    {
        var stripe = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Stripe());
        var twilio = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Twilio());
        var webhook = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.Webhook());
        await using (var scope = Portal.Services.AsOperator(Acme))
        {
            await scope.ServiceProvider.GetRequiredService<IntegrationService>().DeleteAsync(twilio, TestContext.Current.CancellationToken);
        }

        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        var theirs = await Portal.Services.CreateIntegrationAsync(globex, IntegrationSeeds.Stripe());
        var before = await RowsAsync();

        // The operator adds key k2 and makes it active; the portal restarts with both keys.
        var rotated = new CredentialVault(new KeyRing(new Dictionary<string, byte[]> { ["k1"] = FirstKey, ["k2"] = CredentialVaultTests.NewKey() }, "k2"));
        var report = await RewrapAsync(rotated);
        var after = await RowsAsync();

        Assert.Equal(new RewrapReport(3, 0, "k2"), report);
        foreach (var id in new[] { stripe, twilio, webhook })
        {
            Assert.Equal("k2", after[id].SecretsKeyId);
            Assert.Equal(before[id].SecretsCiphertext, after[id].SecretsCiphertext);
            Assert.NotEqual(before[id].SecretsWrappedKey, after[id].SecretsWrappedKey);
        }

        Assert.Equal(IntegrationSeeds.StripeSecret, rotated.Open(stripe, after[stripe].Secrets!)["secret_key"]);
        Assert.Equal(IntegrationSeeds.TwilioToken, rotated.Open(twilio, after[twilio].Secrets!)["auth_token"]);
        Assert.Equal("k1", after[theirs].SecretsKeyId);
        var oldRing = Portal.Services.GetRequiredService<CredentialVault>();
        var error = Assert.Throws<System.Security.Cryptography.CryptographicException>(() => oldRing.Open(stripe, after[stripe].Secrets!));
        Assert.Contains("'k2' is not configured", error.Message, StringComparison.Ordinal);
        Assert.Equal(new RewrapReport(0, 3, "k2"), await RewrapAsync(rotated));
    }

    [Fact]
    public async Task Rotation_IsForAdminsOnly()
    {
        var id = await Portal.Services.AddUserAsync(Acme, "olga@acme.test", PortalRoles.Operator);
        await using var scope = Portal.Services.AsUser(Acme.OrganizationId, id, "olga@acme.test", PortalRoles.Operator);

        var error = await Assert.ThrowsAsync<PortalException>(() => scope.ServiceProvider.GetRequiredService<VaultService>().RewrapOrganizationAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PortalErrorKind.Forbidden, error.Kind);
    }

    private async Task<RewrapReport> RewrapAsync(CredentialVault vault)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        var service = new VaultService(scope.ServiceProvider.GetRequiredService<CurrentUser>(),
            scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>(), vault, TimeProvider.System);
        return await service.RewrapOrganizationAsync(TestContext.Current.CancellationToken);
    }

    private async Task<Dictionary<Guid, Integration>> RowsAsync()
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Set<Integration>().IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(i => i.Id);
    }
}

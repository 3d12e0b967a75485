using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Audit;

public class CredentialUseCounterTests : PortalServicesTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryOpeningForAPurpose_IsCountedPerIntegrationAndDay_InBatchedWrites()
    {
        var id = await Portal.Services.CreateIntegrationAsync(Acme, IntegrationSeeds.WebhookWithBasicAuth("BASIC", "s3cret-pass"));
        var counter = Portal.Services.GetRequiredService<CredentialUseCounter>();
        await counter.FlushAsync(Ct);
        var before = await CountsAsync(id);

        await OpenAsync(id, CredentialPurpose.Send, 3);
        await OpenAsync(id, CredentialPurpose.Verify, 1);
        Assert.Equal(before, await CountsAsync(id));

        await counter.FlushAsync(Ct);
        await OpenAsync(id, CredentialPurpose.Send, 2);
        await counter.FlushAsync(Ct);

        var after = await CountsAsync(id);
        Assert.Equal(before.GetValueOrDefault(CredentialPurpose.Send) + 5, after[CredentialPurpose.Send]);
        Assert.Equal(before.GetValueOrDefault(CredentialPurpose.Verify) + 1, after[CredentialPurpose.Verify]);
    }

    private async Task OpenAsync(Guid id, CredentialPurpose purpose, int count)
    {
        await using var scope = Portal.Services.AsOperator(Acme);
        await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id, purpose, count, Ct);
    }

    private async Task<Dictionary<CredentialPurpose, long>> CountsAsync(Guid id)
    {
        await using var scope = Portal.Services.AsAdmin(Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.Set<CredentialUseCount>().Where(c => c.IntegrationId == id)
            .GroupBy(c => c.Purpose).Select(g => new { g.Key, Count = g.Sum(c => c.Count) }).ToDictionaryAsync(g => g.Key, g => g.Count, Ct);
    }
}

[OnPostgreSQL]
public sealed class CredentialUseCounterOnPostgreSQLTests : CredentialUseCounterTests;

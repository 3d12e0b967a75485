using System.Net;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Http;

[Collection(SetUpPortalCollection.Name)]
public class SignInAuditTests(SetUpPortalFixture portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailedAndSuccessfulSignIns_AreAudited_AndNeverThePassword()
    {
        var email = $"audited-{Guid.NewGuid():N}@acme.test";
        await portal.App.Services.AddUserAsync(portal.Acme, email, "Viewer");
        using var client = portal.App.CreateClient(new() { AllowAutoRedirect = false });

        await PortalAppFactory.SignInAsync(client, email, "wrong-password-9137");
        await PortalAppFactory.SignInAsync(client, email, TestPasswords.Strong);

        var entries = await EntriesAsync(e => e.Actor == email);
        var failed = Assert.Single(entries, e => e.Action == SignInAudit.SignInFailed);
        Assert.Contains("wrong password", failed.Details, StringComparison.Ordinal);
        Assert.Single(entries, e => e.Action == SignInAudit.SignedIn);
        Assert.DoesNotContain(entries, e => e.Details.Contains("wrong-password-9137", StringComparison.Ordinal)
                                            || e.Details.Contains(TestPasswords.Strong, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInToAnAccountThatDoesNotExist_GoesToThePlatformTrail_NotAnOrganizations()
    {
        var email = $"nobody-{Guid.NewGuid():N}@acme.test";
        using var client = portal.App.CreateClient(new() { AllowAutoRedirect = false });

        // Twice: the platform's chain is keyed by an empty id, and its second entry once failed on the key (500).
        Assert.Equal(HttpStatusCode.OK, (await PortalAppFactory.SignInAsync(client, email, "guess-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PortalAppFactory.SignInAsync(client, email, "guess-2")).StatusCode);

        Assert.Empty(await EntriesAsync(e => e.Actor == email));
        await using var scope = portal.App.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var entries = await db.AuditEntries.IgnoreQueryFilters().Where(e => e.Actor == email).ToListAsync(Ct);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, entry => Assert.Equal(Guid.Empty, entry.OrganizationId));
        Assert.All(entries, entry => Assert.Contains("no such account", entry.Details, StringComparison.Ordinal));
    }

    private async Task<List<AuditEntry>> EntriesAsync(System.Linq.Expressions.Expression<Func<AuditEntry, bool>> where)
    {
        await using var scope = portal.App.Services.AsAdmin(portal.Acme);
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        return await db.AuditEntries.AsNoTracking().Where(where).ToListAsync(Ct);
    }
}

[Collection(SetUpPortalOnPostgreSQLCollection.Name)]
[OnPostgreSQL]
public sealed class SignInAuditOnPostgreSQLTests(SetUpPortalFixture portal) : SignInAuditTests(portal);

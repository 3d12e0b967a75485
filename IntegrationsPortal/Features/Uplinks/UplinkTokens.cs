using System.Security.Cryptography;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.Extensions.Options;
using IntegrationsPortal.Infrastructure.Crypto;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>A token just generated: the only time it exists in clear.</summary>
public sealed record IssuedUplinkToken(string Token, DateTimeOffset? PreviousValidUntil);

/// <summary>
/// Issues and rotates the tokens network servers push with. The first issue makes the integration's
/// token; each later one is a rotation: the previous token keeps working for the grace period, and a
/// token older than that stops at once (at most two work at any time).
/// </summary>
public sealed class UplinkTokens(
    IDbContextFactory<PortalDbContext> dbFactory,
    CurrentUser currentUser,
    TimeProvider time,
    UplinkAuthenticator authenticator,
    UplinkEvents events,
    IOptions<UplinkOptions> options)
{
    private const string Prefix = "upl_";

    public async Task<IssuedUplinkToken> IssueAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "issue uplink tokens");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RequireUplinkIntegrationAsync(db, integrationId, ct);
        var now = time.GetUtcNow();
        var graceEnd = now + options.Value.RotationGrace;
        DateTimeOffset? previousValidUntil = null;
        foreach (var token in await db.Set<UplinkToken>().Where(t => t.IntegrationId == integrationId).ToListAsync(ct))
        {
            if (token.ExpiresAt is null)
            {
                token.ExpiresAt = graceEnd;
                previousValidUntil = graceEnd;
            }
            else if (token.ExpiresAt > now)
            {
                token.ExpiresAt = now;
            }
        }

        var clear = BearerSecrets.Issue(Prefix);
        db.Add(new UplinkToken { IntegrationId = integrationId, Hash = Hash(clear), CreatedAt = now });
        await db.SaveChangesAsync(ct);
        authenticator.Forget(integrationId);
        // Another tab on the integration's page shows that a token now exists (never the token).
        events.Publish(integrationId);
        return new IssuedUplinkToken(clear, previousValidUntil);
    }

    /// <summary>Ends a rotation's grace period now: only the current token works.</summary>
    public async Task RevokePreviousAsync(Guid integrationId, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "revoke uplink tokens");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await RequireUplinkIntegrationAsync(db, integrationId, ct);
        var now = time.GetUtcNow();
        await db.Set<UplinkToken>().Where(t => t.IntegrationId == integrationId && t.ExpiresAt != null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
        authenticator.Forget(integrationId);
        events.Publish(integrationId);
    }

    /// <summary>The SHA-256 of a token, hex: what is stored and looked up. Tokens are 256 random bits, so no salt or stretching is needed.</summary>
    public static string Hash(string token) => Convert.ToHexString(BearerSecrets.Hash(token));

    private static async Task RequireUplinkIntegrationAsync(PortalDbContext db, Guid integrationId, CancellationToken ct)
    {
        var integration = await Integration.FindAsync(db, integrationId, ct);
        if (CatalogData.Types.FirstOrDefault(t => t.Key == integration.TypeKey) is not { ReceivesPushes: true })
        {
            throw PortalException.Conflict("Only uplink integrations have push tokens.");
        }
    }
}

using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

public sealed record RewrapReport(int Rewrapped, int AlreadyCurrent, string ActiveKeyId);

/// <summary>
/// Key rotation: re-wraps every integration's data key under the active key-encryption key. Only
/// data keys are touched; secrets are never decrypted for it. Add a new key (file or setting), make
/// it active, run this, then retire the old key once nothing uses it.
/// </summary>
public sealed class VaultService(
    CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory, CredentialVault vault, TimeProvider time)
{
    /// <summary>The current organization's integrations, for its Admin.</summary>
    public async Task<RewrapReport> RewrapOrganizationAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "rotate credential keys");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var report = await RewrapAsync(db, db.Set<Integration>().IgnoreQueryFilters(["SoftDelete"]), ct);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "vault.rewrapped",
            $"Re-wrapped {report.Rewrapped} integration key(s) under {report.ActiveKeyId}."));
        await db.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>Every organization's integrations: for the platform operator's command line only.</summary>
    public async Task<RewrapReport> RewrapEverythingAsync(CancellationToken ct = default)
    {
        currentUser.ActAsPlatform();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var report = await RewrapAsync(db, db.Set<Integration>().IgnoreQueryFilters(), ct);
        // Each organization's trail records the command line's rewrap of its keys.
        foreach (var organization in db.ChangeTracker.Entries<Integration>()
                     .Where(e => e.State == EntityState.Modified).GroupBy(e => e.Entity.OrganizationId))
        {
            var entry = AuditEntry.Record(currentUser, time, "vault.rewrapped",
                $"Re-wrapped {organization.Count()} integration key(s) under {report.ActiveKeyId} from the command line.");
            entry.OrganizationId = organization.Key;
            db.AuditEntries.Add(entry);
        }

        await db.SaveChangesAsync(ct);
        return report;
    }

    private async Task<RewrapReport> RewrapAsync(PortalDbContext db, IQueryable<Integration> integrations, CancellationToken ct)
    {
        var active = vault.ActiveKeyId;
        var rewrapped = 0;
        var current = 0;
        foreach (var integration in await integrations.Where(i => i.SecretsKeyId != null).ToListAsync(ct))
        {
            if (integration.SecretsKeyId == active)
            {
                current++;
                continue;
            }

            integration.Secrets = vault.Rewrap(integration.Id, integration.Secrets!);
            // The same secrets under another key: nobody changed the integration, so its "Updated" stays.
            TimestampInterceptor.KeepUpdatedAt(db, integration);
            rewrapped++;
        }

        return new RewrapReport(rewrapped, current, active);
    }
}

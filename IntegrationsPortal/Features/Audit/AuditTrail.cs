using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Audit;

/// <summary>What checking one organization's chain found: intact, or the first entry where it breaks.</summary>
public sealed record AuditVerification(
    Guid OrganizationId, bool Intact, long EntriesChecked, long? BrokenAtSequence, DateTimeOffset? BrokenEntryAt, string Message, string LastHash);

public sealed class AuditOptions
{
    public const string Section = "Portal:Audit";

    /// <summary>Entries older than this are pruned (daily); the pruning is itself an entry.</summary>
    public int RetentionDays { get; set; } = 400;
}

/// <summary>The audit trail's upkeep: verifying a chain and pruning entries past retention.</summary>
public sealed class AuditTrail(IDbContextFactory<PortalDbContext> dbFactory, CurrentUser currentUser, TimeProvider time, AuditOptions options)
{
    /// <summary>An Admin's check of their organization's trail; the check and its outcome are recorded.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Administer, "verify the audit trail");
        var organizationId = currentUser.RequireOrganization();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureChainAsync(db, organizationId, ct);
        var result = await VerifyChainAsync(db, organizationId, ct);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "audit.verified", result.Message));
        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Every organization's chain, for the platform operator's command line; changes nothing.</summary>
    public async Task<IReadOnlyList<AuditVerification>> VerifyEveryChainAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organizations = await db.Set<AuditChainHead>().Select(h => h.OrganizationId)
            .Union(db.AuditEntries.IgnoreQueryFilters().Select(a => a.OrganizationId)).ToListAsync(ct);
        var results = new List<AuditVerification>();
        foreach (var organizationId in organizations.Order())
        {
            results.Add(await VerifyChainAsync(db, organizationId, ct));
        }

        return results;
    }

    /// <summary>
    /// Walks the chain from the anchor (the last pruned entry, or the start) to the head: each entry
    /// must take the next place, carry the hash of the one before, and hash to what it carries.
    /// </summary>
    public static async Task<AuditVerification> VerifyChainAsync(PortalDbContext db, Guid organizationId, CancellationToken ct)
    {
        var head = await db.Set<AuditChainHead>().AsNoTracking().SingleOrDefaultAsync(h => h.OrganizationId == organizationId, ct)
                   ?? new AuditChainHead { OrganizationId = organizationId };
        var expected = head.AnchorSequence + 1;
        var previous = head.AnchorHash;
        long checkedCount = 0;
        await foreach (var entry in db.AuditEntries.IgnoreQueryFilters().AsNoTracking()
                           .Where(a => a.OrganizationId == organizationId).OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
        {
            var fault = entry.Sequence != expected ? $"entry #{expected} is missing before it"
                : entry.Hash is null ? "it was never sealed into the chain"
                : entry.PreviousHash != previous ? $"it does not follow entry #{expected - 1}: that entry was changed or replaced"
                : entry.Hash != AuditHash.Compute(entry) ? "it was changed after it was written"
                : null;
            if (fault is not null)
            {
                return Broken(entry.Sequence, entry.At, $"The audit trail breaks at entry #{entry.Sequence} ({entry.At:u}, {entry.Action}): {fault}.");
            }

            previous = entry.Hash!;
            expected++;
            checkedCount++;
        }

        if (expected - 1 != head.LastSequence || previous != head.LastHash)
        {
            return Broken(expected, null, $"The audit trail breaks after entry #{expected - 1}: entries up to #{head.LastSequence} were written and are missing.");
        }

        return new AuditVerification(organizationId, true, checkedCount, null, null,
            $"The audit trail is intact: {checkedCount} entries from #{head.AnchorSequence + 1} to #{head.LastSequence}, last hash {head.LastHash}.", head.LastHash);

        AuditVerification Broken(long sequence, DateTimeOffset? at, string message) =>
            new(organizationId, false, checkedCount, sequence, at, message, head.LastHash);
    }

    /// <summary>
    /// Removes the current organization's entries older than the retention, anchors the chain on the
    /// last removed entry so the kept ones still verify, and records the pruning. Returns how many went.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken ct = default)
    {
        var organizationId = currentUser.RequireOrganization();
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.RetentionDays);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await EnsureChainAsync(db, organizationId, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await AuditWriter.LockHeadAsync(db, organizationId, ct);
        var last = await db.AuditEntries.Where(a => a.At < cutoff).OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(ct);
        if (last is null)
        {
            return 0;
        }

        var pruned = await db.AuditEntries.Where(a => a.Sequence <= last.Sequence).ExecuteDeleteAsync(ct);
        await db.Set<AuditChainHead>().Where(h => h.OrganizationId == organizationId).ExecuteUpdateAsync(
            s => s.SetProperty(h => h.AnchorSequence, last.Sequence).SetProperty(h => h.AnchorHash, last.Hash ?? ""), ct);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "audit.pruned",
            $"Removed {pruned} entries older than {options.RetentionDays} days (before {cutoff:u}), through #{last.Sequence}; the trail now starts after hash {last.Hash}."));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return pruned;
    }

    /// <summary>Starts the organization's chain (sealing entries from before it) in a transaction of its own.</summary>
    private static async Task EnsureChainAsync(PortalDbContext db, Guid organizationId, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await AuditWriter.LockHeadAsync(db, organizationId, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}

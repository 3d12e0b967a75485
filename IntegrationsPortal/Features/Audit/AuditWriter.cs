using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// The one way audit entries reach the database. Features add an <see cref="AuditEntry"/> to their
/// unit of work as before; this interceptor (on every <see cref="PortalDbContext"/>, registered by
/// <see cref="AuditExtensions.AddAudit"/>) chains the new entries of a save (sequence, previous hash,
/// hash) before they are written, inside the transaction <see cref="PortalDbContext.SaveChangesAsync(bool, CancellationToken)"/>
/// runs such a save in, so they commit with the change they describe. Appends are serialized by the
/// database, not by a process lock, so two portal processes or a command line beside the portal cannot
/// fork a chain: the first statement of the transaction writes the organization's
/// <see cref="AuditChainHead"/> row, which takes SQLite's write lock (its transactions begin IMMEDIATE)
/// or PostgreSQL's row lock until commit. A unique (organization, sequence) index stops any writer that
/// got round it. Stateless: one instance serves every context.
/// </summary>
public sealed class AuditWriter : SaveChangesInterceptor
{
    /// <summary>Chaining reads and locks the chain head, which is asynchronous work: a synchronous save may not carry new entries.</summary>
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db)
        {
            RefuseRewrites(db);
            if (HasNewEntries(db))
            {
                throw new InvalidOperationException("Audit entries are chained by SaveChangesAsync only; this save called SaveChanges.");
            }
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } db)
        {
            return result;
        }

        RefuseRewrites(db);
        if (HasNewEntries(db))
        {
            if (db is not PortalDbContext portal || portal.Database.CurrentTransaction is null)
            {
                // PortalDbContext opens one for such a save; without it the head's lock would end before the entries are written.
                throw new InvalidOperationException("Audit entries are chained only inside a transaction of the portal's database.");
            }

            await ChainNewEntriesAsync(portal, cancellationToken);
        }

        return result;
    }

    private static bool HasNewEntries(DbContext db) =>
        db.ChangeTracker.Entries<AuditEntry>().Any(e => e.State == EntityState.Added);

    /// <summary>Entries are appended, never changed or removed (pruning deletes in bulk, through <see cref="AuditTrail"/>).</summary>
    private static void RefuseRewrites(DbContext db)
    {
        if (db.ChangeTracker.Entries<AuditEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Audit entries are append-only.");
        }
    }

    private static async Task ChainNewEntriesAsync(PortalDbContext db, CancellationToken ct)
    {
        var added = db.ChangeTracker.Entries<AuditEntry>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        // One organization after another in a fixed order, so two multi-organization writers cannot deadlock.
        foreach (var chain in added.GroupBy(e => e.OrganizationId).OrderBy(g => g.Key))
        {
            var head = await LockHeadAsync(db, chain.Key, ct);
            foreach (var entry in chain)
            {
                entry.Sequence = head.LastSequence + 1;
                entry.PreviousHash = head.LastHash;
                entry.Hash = AuditHash.Compute(entry);
                head.LastSequence = entry.Sequence;
                head.LastHash = entry.Hash;
            }

            // A head made in this save is tracked and inserted with it; an existing one is updated in place.
            if (db.Entry(head).State != EntityState.Added)
            {
                await db.Set<AuditChainHead>().Where(h => h.OrganizationId == chain.Key).ExecuteUpdateAsync(
                    s => s.SetProperty(h => h.LastSequence, head.LastSequence).SetProperty(h => h.LastHash, head.LastHash), ct);
            }
        }
    }

    /// <summary>
    /// Locks the organization's chain head for the rest of the transaction and returns its current
    /// values; creates it on the organization's first entry, sealing entries written before the chain existed.
    /// </summary>
    internal static async Task<AuditChainHead> LockHeadAsync(PortalDbContext db, Guid organizationId, CancellationToken ct)
    {
        var heads = db.Set<AuditChainHead>();
        if (heads.Local.FirstOrDefault(h => h.OrganizationId == organizationId) is { } made && db.Entry(made).State == EntityState.Added)
        {
            return made;
        }

        // A write that changes nothing: it exists for the lock it takes.
        var locked = await heads.Where(h => h.OrganizationId == organizationId)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, h => h.LastSequence), ct);
        if (locked == 1)
        {
            return await heads.AsNoTracking().SingleAsync(h => h.OrganizationId == organizationId, ct);
        }

        var head = new AuditChainHead { OrganizationId = organizationId };
        await SealEarlierEntriesAsync(db, head, ct);
        // Saved with the first entries; a concurrent first append elsewhere fails on the key instead of forking.
        heads.Add(head);
        return head;
    }

    /// <summary>
    /// Entries from before the chain (numbered by the migration, in the order they were written) get
    /// their hashes when the organization's chain starts, so they are covered from then on.
    /// </summary>
    private static async Task SealEarlierEntriesAsync(PortalDbContext db, AuditChainHead head, CancellationToken ct)
    {
        var earlier = await db.AuditEntries.IgnoreQueryFilters()
            .Where(a => a.OrganizationId == head.OrganizationId && a.Hash == null && a.Sequence > 0)
            .OrderBy(a => a.Sequence).AsNoTracking().ToListAsync(ct);
        foreach (var entry in earlier)
        {
            entry.PreviousHash = head.LastHash;
            entry.Hash = AuditHash.Compute(entry);
            head.LastSequence = entry.Sequence;
            head.LastHash = entry.Hash;
            await db.AuditEntries.IgnoreQueryFilters().Where(a => a.Id == entry.Id).ExecuteUpdateAsync(
                s => s.SetProperty(a => a.PreviousHash, entry.PreviousHash).SetProperty(a => a.Hash, entry.Hash), ct);
        }
    }
}

using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// The one way audit entries reach the database. Features add an <see cref="AuditEntry"/> to their
/// unit of work as before; <see cref="PortalDbContext"/> hands every save that holds new entries to
/// this writer, which chains them (sequence, previous hash, hash) and saves them in one transaction
/// with the change they describe. Appends are serialized by the database, not by a process lock, so
/// two portal processes or a command line beside the portal cannot fork a chain: the first statement
/// of the transaction writes the organization's <see cref="AuditChainHead"/> row, which takes
/// SQLite's write lock (its transactions begin IMMEDIATE) or PostgreSQL's row lock until commit. A
/// unique (organization, sequence) index stops any writer that got round it.
/// </summary>
public static class AuditWriter
{
    public static bool HasNewEntries(DbContext db) =>
        db.ChangeTracker.Entries<AuditEntry>().Any(e => e.State == EntityState.Added);

    /// <summary>Entries are appended, never changed or removed (pruning deletes in bulk, through <see cref="AuditTrail"/>).</summary>
    public static void RefuseRewrites(DbContext db)
    {
        if (db.ChangeTracker.Entries<AuditEntry>().Any(e => e.State is EntityState.Modified or EntityState.Deleted))
        {
            throw new InvalidOperationException("Audit entries are append-only.");
        }
    }

    /// <summary>Chains the new entries and runs <paramref name="save"/> in a transaction (the caller's, when it has one).</summary>
    public static async Task<int> SaveAsync(PortalDbContext db, Func<CancellationToken, Task<int>> save, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await ChainNewEntriesAsync(db, ct);
            var saved = await save(ct);
            if (own is not null)
            {
                await own.CommitAsync(ct);
            }

            return saved;
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync();
            }
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

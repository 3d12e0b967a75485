using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Stamps <see cref="IHasTimestamps"/> rows as they are saved (docs/decisions/044): an inserted row gets
/// <c>CreatedAt</c> and <c>UpdatedAt</c> now, unless they were given (seeded history); an updated row
/// gets <c>UpdatedAt</c> now, unless the change set it itself: a service that must show the same
/// instant elsewhere (a flow's draft saved at) sets it, and <see cref="KeepUpdatedAt"/> leaves it as
/// it was for a change nobody made to the row (keys re-wrapped, a job's note). Stateless: one instance
/// serves every context.
/// </summary>
public sealed class TimestampInterceptor(TimeProvider time) : BeforeSaveInterceptor
{
    /// <summary>Saves a change to <paramref name="entity"/> without moving its <c>UpdatedAt</c>: the change is not one anybody made to it.</summary>
    public static void KeepUpdatedAt(DbContext db, IHasTimestamps entity) =>
        UpdatedAt(db.Entry(entity)).IsModified = true;

    protected override void BeforeSave(DbContext? db)
    {
        if (db is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var entry in db.ChangeTracker.Entries<IHasTimestamps>())
        {
            if (entry.State == EntityState.Added)
            {
                entry.Entity.CreatedAt = entry.Entity.CreatedAt == default ? now : entry.Entity.CreatedAt;
                entry.Entity.UpdatedAt = entry.Entity.UpdatedAt == default ? entry.Entity.CreatedAt : entry.Entity.UpdatedAt;
            }
            else if (entry.State == EntityState.Modified && !UpdatedAt(entry).IsModified)
            {
                UpdatedAt(entry).CurrentValue = now;
            }
        }
    }

    private static PropertyEntry UpdatedAt(EntityEntry entry) => entry.Property(nameof(IHasTimestamps.UpdatedAt));
}

using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Recipients;

/// <summary>
/// What the integration service needs of the verifications, inside its own context and save:
/// the verified set handed to senders, and forgetting numbers taken off the list.
/// </summary>
internal static class RecipientVerifications
{
    /// <summary>The property of a verifying type that lists its numbers.</summary>
    public const string Property = "recipients";

    public static async Task<IReadOnlySet<string>> VerifiedAsync(PortalDbContext db, Guid integrationId, CancellationToken ct) =>
        (await db.Set<RecipientVerification>().AsNoTracking()
            .Where(v => v.IntegrationId == integrationId && v.VerifiedAt != null)
            .Select(v => v.PhoneNumber)
            .ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Marks for deletion the verifications of numbers no longer on <paramref name="numbers"/>; a
    /// number added back later starts unverified. Numbers still listed keep their state.
    /// </summary>
    public static async Task ForgetRemovedAsync(PortalDbContext db, Guid integrationId, IReadOnlyCollection<string> numbers, CancellationToken ct)
    {
        var removed = await db.Set<RecipientVerification>()
            .Where(v => v.IntegrationId == integrationId && !numbers.Contains(v.PhoneNumber))
            .ToListAsync(ct);
        db.RemoveRange(removed);
    }
}

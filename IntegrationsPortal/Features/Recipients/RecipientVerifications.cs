using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Recipients;

/// <summary>
/// The recipient-list hooks of the types that verify their numbers, run inside the caller's own
/// context and save: the verified set handed to senders, and forgetting numbers taken off the list.
/// </summary>
[ForTypes(TypeKeys.Sms, TypeKeys.Phone)]
public sealed class RecipientVerifications : IRecipientListHooks
{
    public async Task<IReadOnlySet<string>> VerifiedAsync(PortalDbContext db, Guid integrationId, CancellationToken ct) =>
        (await db.Set<RecipientVerification>().AsNoTracking()
            .Where(v => v.IntegrationId == integrationId && v.VerifiedAt != null)
            .Select(v => v.PhoneNumber)
            .ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Marks for deletion the verifications of numbers no longer listed; a number added back later
    /// starts unverified. Numbers still listed keep their state.
    /// </summary>
    public async Task ForgetRemovedAsync(PortalDbContext db, Guid integrationId, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var numbers = PropertyValidator.SplitList(values.GetValueOrDefault(IRecipientListHooks.ListProperty));
        var removed = await db.Set<RecipientVerification>()
            .Where(v => v.IntegrationId == integrationId && !numbers.Contains(v.PhoneNumber))
            .ToListAsync(ct);
        db.RemoveRange(removed);
    }
}

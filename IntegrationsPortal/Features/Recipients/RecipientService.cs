using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Recipients;

/// <summary>
/// Phone numbers join a recipient list only once verified: an operator sends a code, which goes out
/// as a text through the integration's own provider account, and types back what the number's owner
/// read. Codes are six random digits, kept only as a salted hash, valid for ten minutes and five
/// wrong tries; a new one can be sent after a minute.
/// </summary>
public sealed class RecipientService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IntegrationQueries integrations,
    IntegrationSecrets secrets,
    TypeCode<IDeliverySender> senders,
    TimeProvider time)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(60);
    public const int MaxTries = 5;

    /// <summary>Every number on the recipient list, in list order, with where it stands.</summary>
    public async Task<IReadOnlyList<RecipientStatus>> ListAsync(Guid integrationId, CancellationToken ct = default)
    {
        var detail = await integrations.GetAsync(integrationId, ct);
        RequireVerifyingType(detail.Type);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Set<RecipientVerification>().AsNoTracking().Where(v => v.IntegrationId == integrationId).ToDictionaryAsync(v => v.PhoneNumber, ct);
        var now = time.GetUtcNow();
        return Numbers(detail.Properties).Select(number => Status(number, rows.GetValueOrDefault(number), now)).ToList();
    }

    public async Task SendCodeAsync(Guid integrationId, string phoneNumber, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "send verification codes");
        var configuration = await secrets.GetConfigurationAsync(integrationId, Audit.CredentialPurpose.Send, 1, ct);
        RequireVerifyingType(configuration.Type);
        var number = RequireListed(configuration.Properties, phoneNumber);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await FindAsync(db, integrationId, number, ct);
        var now = time.GetUtcNow();
        if (row?.VerifiedAt is not null)
        {
            throw PortalException.Conflict($"{number} is already verified.");
        }

        if (row?.SentAt is { } sentAt && now < sentAt + ResendAfter)
        {
            var wait = Math.Ceiling((sentAt + ResendAfter - now).TotalSeconds);
            throw PortalException.Conflict($"A code went to {number} less than a minute ago; you can send another in {wait:0} s.");
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        // Through the integration's own account and the delivery code, so the address policy, timeouts and
        // redaction are the deliveries' own. Nothing of it goes to the history: the request carries the code.
        var sender = (ITextMessageSender)senders.For(configuration.Type.Key)!; // the start-up check makes sure of it
        var outcome = await sender.SendTextAsync(configuration, number, $"Your IntegrationsPortal verification code is {code}. It expires in {CodeLifetime.TotalMinutes:0} minutes.", ct);
        if (!outcome.Succeeded)
        {
            throw PortalException.Conflict($"The code could not be sent to {number}: {outcome.ErrorMessage}");
        }

        if (row is null)
        {
            row = new RecipientVerification { Id = Guid.CreateVersion7(now), IntegrationId = integrationId, PhoneNumber = number };
            db.Add(row);
        }

        row.CodeSalt = RandomNumberGenerator.GetBytes(16);
        row.CodeHash = Hash(code, row.CodeSalt);
        row.SentAt = now;
        row.ExpiresAt = now + CodeLifetime;
        row.FailedTries = 0;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // The unique index: another session sent a code to the same number at the same moment.
            throw PortalException.Conflict($"Another code was just sent to {number}; use that one.");
        }
    }

    public async Task ConfirmAsync(Guid integrationId, string phoneNumber, string? code, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "confirm phone numbers");
        var detail = await integrations.GetAsync(integrationId, ct);
        RequireVerifyingType(detail.Type);
        var number = RequireListed(detail.Properties, phoneNumber);
        var typed = (code ?? "").Trim();
        if (typed.Length != 6 || !typed.All(char.IsAsciiDigit))
        {
            throw PortalException.Invalid(nameof(code), "Enter the 6-digit code from the text message.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await FindAsync(db, integrationId, number, ct);
        if (row?.VerifiedAt is not null)
        {
            return;
        }

        if (row is not { CodeHash: { } hash, CodeSalt: { } salt, ExpiresAt: { } expiresAt })
        {
            throw PortalException.Invalid(nameof(code), $"No code was sent to {number}: send one first.");
        }

        if (row.FailedTries >= MaxTries)
        {
            throw PortalException.Invalid(nameof(code), "Too many wrong codes: send a new code.");
        }

        var now = time.GetUtcNow();
        if (now >= expiresAt)
        {
            throw PortalException.Invalid(nameof(code), "The code expired: send a new one.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Hash(typed, salt), hash))
        {
            // Counted in the database, so tries typed at the same moment in two sessions all count.
            var counted = await db.Set<RecipientVerification>()
                .Where(v => v.Id == row.Id && v.FailedTries < MaxTries)
                .ExecuteUpdateAsync(s => s.SetProperty(v => v.FailedTries, v => v.FailedTries + 1), ct);
            var left = counted == 0 ? 0 : MaxTries - row.FailedTries - 1;
            throw PortalException.Invalid(nameof(code), left > 0
                ? $"Wrong code: {left} {(left == 1 ? "try" : "tries")} left."
                : "Wrong code, and that was the last try: send a new code.");
        }

        row.VerifiedAt = now;
        row.VerifiedBy = currentUser.UserName;
        row.CodeHash = null;
        row.CodeSalt = null;
        row.ExpiresAt = null;
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "recipient.verified", $"Verified {number} as a recipient of '{detail.Name}'."));
        await db.SaveChangesAsync(ct);
    }

    private static RecipientStatus Status(string number, RecipientVerification? row, DateTimeOffset now)
    {
        if (row?.VerifiedAt is { } verifiedAt)
        {
            return new RecipientStatus(number, RecipientState.Verified) { VerifiedAt = verifiedAt, VerifiedBy = row.VerifiedBy };
        }

        var canResendAt = row?.SentAt is { } sentAt && sentAt + ResendAfter > now ? sentAt + ResendAfter : (DateTimeOffset?)null;
        if (row is { CodeHash: not null, ExpiresAt: { } expiresAt } && expiresAt > now && row.FailedTries < MaxTries)
        {
            return new RecipientStatus(number, RecipientState.CodeSent) { CodeExpiresAt = expiresAt, TriesLeft = MaxTries - row.FailedTries, CanResendAt = canResendAt };
        }

        return new RecipientStatus(number, RecipientState.NotVerified) { CanResendAt = canResendAt };
    }

    private static byte[] Hash(string code, byte[] salt) => HMACSHA256.HashData(salt, Encoding.ASCII.GetBytes(code));

    private static Task<RecipientVerification?> FindAsync(PortalDbContext db, Guid integrationId, string number, CancellationToken ct) =>
        db.Set<RecipientVerification>().SingleOrDefaultAsync(v => v.IntegrationId == integrationId && v.PhoneNumber == number, ct);

    private static void RequireVerifyingType(IntegrationType type)
    {
        if (!type.VerifiesRecipients)
        {
            throw PortalException.Conflict($"{type.DisplayName} integrations have no recipient list to verify.");
        }
    }

    private static string RequireListed(IReadOnlyDictionary<string, string> properties, string phoneNumber)
    {
        var number = (phoneNumber ?? "").Trim();
        return Numbers(properties).Contains(number)
            ? number
            : throw PortalException.Invalid(nameof(phoneNumber), $"{number} is not on the recipient list.");
    }

    private static List<string> Numbers(IReadOnlyDictionary<string, string> properties) =>
        PropertyValidator.SplitList(properties.GetValueOrDefault(IRecipientListHooks.ListProperty));
}

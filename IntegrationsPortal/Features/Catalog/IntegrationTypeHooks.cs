using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// A type whose messages are signed with a secret the portal generates (the webhook): fills it in
/// for a new integration and rotates it. Found by key through <see cref="TypeCode{TRole}"/>;
/// a type with the <c>signing_secret</c> property must have one.
/// </summary>
[TypeCodeRole("signing-secret hook")]
public interface ISigningSecretHooks
{
    /// <summary>The values of a new integration, with a generated secret where the operator left it empty.</summary>
    IReadOnlyDictionary<string, string?> WithGeneratedSecret(IReadOnlyDictionary<string, string?> properties);

    /// <summary>
    /// Puts a new secret in <paramref name="secrets"/> (opened) and keeps the old one valid until
    /// <paramref name="validUntil"/>, noting that in <paramref name="properties"/>.
    /// </summary>
    void Rotate(IDictionary<string, string> secrets, IDictionary<string, string> properties, DateTimeOffset validUntil);
}

/// <summary>
/// A type whose recipients get deliveries only after they confirm a code (SMS, phone call). Found by
/// key through <see cref="TypeCode{TRole}"/>; a type marked <c>VerifiesRecipients</c> must have one.
/// </summary>
[TypeCodeRole("recipient-list hook")]
public interface IRecipientListHooks
{
    /// <summary>The property of a verifying type that lists its numbers; the sender reads it too.</summary>
    const string ListProperty = "recipients";

    /// <summary>The confirmed numbers, which alone get deliveries.</summary>
    Task<IReadOnlySet<string>> VerifiedAsync(PortalDbContext db, Guid integrationId, CancellationToken ct);

    /// <summary>In the caller's context and save: forgets the confirmations of numbers no longer listed in <paramref name="values"/>.</summary>
    Task ForgetRemovedAsync(PortalDbContext db, Guid integrationId, IReadOnlyDictionary<string, string> values, CancellationToken ct);
}

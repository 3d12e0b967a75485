using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// The only way in and out of an integration's sealed secrets: storing validated values (sensitive
/// ones sealed by the vault), opening them for the verifiers and senders, and rotating a type's
/// signing secret through its hooks. Secrets never leave this class except in a
/// <see cref="ConfiguredIntegration"/>, which nothing logs or renders.
/// </summary>
public sealed class IntegrationSecrets(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    CredentialVault vault,
    TypeCode<ISigningSecretHooks> signingSecrets,
    IntegrationEvents events,
    TimeProvider time,
    Audit.CredentialUseCounter uses)
{
    /// <summary>How long a rotated-out signing secret still signs, so receivers can switch over.</summary>
    public static readonly TimeSpan RotationGrace = TimeSpan.FromHours(24);

    /// <summary>For verifiers and senders only: the type, properties and opened secrets.</summary>
    internal Task<ConfiguredIntegration> GetConfigurationAsync(Guid id, CancellationToken ct = default) =>
        GetConfigurationAsync(id, null, 0, ct);

    /// <summary>As above, counting the opening as <paramref name="count"/> uses of the credentials for <paramref name="purpose"/>.</summary>
    internal async Task<ConfiguredIntegration> GetConfigurationAsync(
        Guid id, Audit.CredentialPurpose? purpose, int count, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Operate, "use integration credentials");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await Integration.FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        if (purpose is { } counted && integration.Secrets is not null)
        {
            uses.Count(integration.OrganizationId, integration.Id, counted, count);
        }

        return new ConfiguredIntegration(integration.Id, type, integration.Properties,
            Open(integration), integration.VerificationGeneration, integration.Status);
    }

    /// <summary>
    /// Replaces the type's signing secret and returns the new one, for the operator to give the
    /// receiver. The old one stays valid for <paramref name="grace"/> (<see cref="RotationGrace"/> by
    /// default): both signatures are sent until then.
    /// </summary>
    public async Task<string> RotateSigningSecretAsync(Guid id, TimeSpan? grace = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "rotate signing secrets");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (integration, hooks) = await FindSignedAsync(db, id, ct);

        var secrets = Open(integration);
        // A new dictionary, so EF Core sees the JSON column change.
        var properties = new Dictionary<string, string>(integration.Properties);
        hooks.Rotate(secrets, properties, time.GetUtcNow() + (grace ?? RotationGrace));
        integration.Properties = properties;
        Seal(integration, secrets);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.signing_secret_rotated", $"Rotated the signing secret of '{integration.Name}'.", integration.Id));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return secrets[Catalog.SigningSecrets.Current];
    }

    /// <summary>
    /// The current signing secret, for an Operator setting up the receiving side (the receiver needs it
    /// to check signatures, as with any webhook provider). Each reveal is audited: who, which integration.
    /// </summary>
    public async Task<string> RevealSigningSecretAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "reveal signing secrets");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (integration, _) = await FindSignedAsync(db, id, ct);
        var secret = Open(integration).GetValueOrDefault(Catalog.SigningSecrets.Current)
                     ?? throw PortalException.Conflict($"'{integration.Name}' has no signing secret yet: rotate it to have one generated.");
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.signing_secret_revealed", $"Revealed the signing secret of '{integration.Name}'.", integration.Id));
        await db.SaveChangesAsync(ct);
        return secret;
    }

    private async Task<(Integration Integration, ISigningSecretHooks Hooks)> FindSignedAsync(PortalDbContext db, Guid id, CancellationToken ct)
    {
        var integration = await Integration.FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        var hooks = signingSecrets.For(type.Key) ?? throw PortalException.Conflict($"{type.DisplayName} integrations have no signing secret.");
        return (integration, hooks);
    }

    /// <summary>
    /// Splits validated values into readable properties and sealed secrets. A secret is the new
    /// value where <paramref name="replaced"/> names it, else the stored one; a secret whose field
    /// is hidden now (auth switched to NONE, say) is forgotten. A new integration has none stored.
    /// </summary>
    internal void Store(Integration integration, IntegrationType type, Dictionary<string, string> values, IEnumerable<string> replaced)
    {
        var replacedNames = replaced.ToHashSet();
        var stored = Open(integration);
        var secrets = type.Properties
            .Where(p => p.Sensitive && values.ContainsKey(p.Name))
            .ToDictionary(p => p.Name, p => replacedNames.Contains(p.Name) ? values[p.Name] : stored[p.Name]);
        integration.Properties = values.Where(v => !type.Property(v.Key)!.Sensitive).ToDictionary(v => v.Key, v => v.Value);
        Seal(integration, secrets);
    }

    private void Seal(Integration integration, Dictionary<string, string> secrets)
    {
        integration.SecretNames = secrets.Keys.Order(StringComparer.Ordinal).ToList();
        integration.Secrets = secrets.Count == 0 ? null : vault.Seal(integration.Id, secrets);
    }

    private Dictionary<string, string> Open(Integration integration) =>
        integration.Secrets is { } sealedSecrets ? vault.Open(integration.Id, sealedSecrets) : [];
}

/// <summary>What a verifier or sender gets: everything, secrets opened. Never logged, never rendered.</summary>
public sealed record ConfiguredIntegration(
    Guid Id, IntegrationType Type, IReadOnlyDictionary<string, string> Properties, IReadOnlyDictionary<string, string> Secrets,
    int VerificationGeneration, IntegrationStatus Status)
{
    public string? Get(string name) =>
        Secrets.TryGetValue(name, out var secret) ? secret : Properties.TryGetValue(name, out var value) ? value : Type.Property(name)?.Default;

    /// <summary>
    /// For types that verify their recipients: the numbers confirmed by code, which alone get
    /// deliveries. The dispatcher loads it once per integration and batch; null elsewhere.
    /// </summary>
    public IReadOnlySet<string>? VerifiedRecipients { get; init; }

    // Records print their members; make sure a stray log line never shows the secrets.
    public override string ToString() => $"ConfiguredIntegration {{ Id = {Id}, Type = {Type.Key} }}";
}

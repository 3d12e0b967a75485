using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// What operators do to integrations: create, change, replace secrets, disable, activate, verify
/// again, delete. Every rule lives here (schema validation, one-per-organization, the lifecycle,
/// who may do what), so the pages, the API and the jobs share it. Reading is
/// <see cref="IntegrationQueries"/>; the sealed secrets are <see cref="IntegrationSecrets"/>'s; what
/// the jobs record is <see cref="IntegrationStatusRecorder"/>'s; what differs by type is the type's
/// hooks, found through <see cref="TypeCode{TRole}"/>.
/// </summary>
public sealed class IntegrationService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    IntegrationQueries queries,
    IntegrationSecrets secrets,
    TypeCode<ISigningSecretHooks> signingSecrets,
    TypeCode<IRecipientListHooks> recipientLists,
    VerificationScheduler verification,
    IntegrationEvents events,
    TimeProvider time)
{
    public async Task<Guid> CreateAsync(CreateIntegrationInput input, CancellationToken ct = default) =>
        (await CreateIssuingSecretAsync(input, ct)).Id;

    /// <summary>
    /// Creates the integration; a signing secret the portal generated (the operator left it empty) is
    /// returned this once, for the operator to give the receiving side.
    /// </summary>
    public async Task<CreatedIntegration> CreateIssuingSecretAsync(CreateIntegrationInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "add integrations");
        InputValidation.ThrowIfInvalid(input);
        var type = CatalogService.Get(input.TypeKey);
        if (input.Properties.FirstOrDefault(p => type.Property(p.Key) is { SetByPortal: true } && !string.IsNullOrEmpty(p.Value)) is { Key: not null } typed)
        {
            throw PortalException.Invalid(typed.Key, SetByPortalMessage(type.Property(typed.Key)!));
        }

        var values = PropertyValidator.Validate(type, signingSecrets.For(type.Key)?.WithGeneratedSecret(input.Properties) ?? input.Properties);
        var issued = values.GetValueOrDefault(Catalog.SigningSecrets.Current) is { } secret
                     && string.IsNullOrEmpty(input.Properties.GetValueOrDefault(Catalog.SigningSecrets.Current))
            ? secret
            : null;
        ValidateMetadata(input.Metadata);
        var enabled = Capabilities.Choose(type, input.EnabledCapabilities);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var inUse = await db.Set<Integration>().CountAsync(i => i.TypeKey == type.Key, ct);
        if (CatalogService.WhyNotAddable(type, await CatalogService.CustomIntegrationsEnabledAsync(db, ct), inUse) is { } why)
        {
            throw PortalException.Conflict(why);
        }

        var now = time.GetUtcNow();
        var integration = new Integration
        {
            Id = Guid.CreateVersion7(),
            TypeKey = type.Key,
            Name = input.Name.Trim(),
            Status = IntegrationStatus.PendingVerify,
            Metadata = new Dictionary<string, string>(input.Metadata),
            EnabledCapabilities = enabled,
            SingletonKey = type.SingleInstance ? type.Key : null,
            VerificationGeneration = 1,
            ApiId = Ulid.NewUlid(now).ToString(),
        };
        secrets.Store(integration, type, values, replaced: values.Keys);
        db.Add(integration);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.created", $"Added {type.DisplayName} integration '{integration.Name}'.", integration.Id));
        await SaveAsync(db, type, ct);

        await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        events.Publish(integration.Id);
        return new CreatedIntegration(integration.Id, issued);
    }

    /// <summary>
    /// Saves a new name, editable properties and metadata. A sensitive property given a value
    /// replaces that secret; left out or empty, it keeps the stored one. Any change to the
    /// properties sends the integration back to verification.
    /// </summary>
    public async Task UpdateAsync(Guid id, UpdateIntegrationInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "change integrations");
        InputValidation.ThrowIfInvalid(input);
        ValidateMetadata(input.Metadata);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await Integration.FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);

        var enabled = input.EnabledCapabilities is null ? integration.EnabledCapabilities : Capabilities.Choose(type, input.EnabledCapabilities);
        var merged = MergeForUpdate(integration, type, input.Properties, out var replacedSecrets);
        var values = PropertyValidator.Validate(type, merged);
        var propertiesChanged = replacedSecrets.Count > 0
            || !SameEntries(values.Where(v => !type.Property(v.Key)!.Sensitive), integration.Properties)
            || !values.Keys.Where(k => type.Property(k)!.Sensitive).Order(StringComparer.Ordinal).SequenceEqual(integration.SecretNames);
        if (propertiesChanged)
        {
            secrets.Store(integration, type, values, replacedSecrets);
            integration.Transition(LifecycleEvent.CredentialsChanged);
            if (recipientLists.For(type.Key) is { } recipients)
            {
                await recipients.ForgetRemovedAsync(db, id, values, ct);
            }
        }

        integration.Name = input.Name.Trim();
        integration.EnabledCapabilities = enabled;
        integration.Metadata = MergeMetadata(integration.Metadata, input.Metadata, keepVerified: !propertiesChanged);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.updated",
            $"Changed '{integration.Name}'{(replacedSecrets.Count > 0 ? $" and replaced {string.Join(", ", replacedSecrets)}" : "")}.", integration.Id));
        await SaveAsync(db, type, ct);
        if (propertiesChanged)
        {
            await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        }

        events.Publish(id);
    }

    /// <summary>Replaces some secrets (the detail page's "Replace"), keeping everything else.</summary>
    public async Task ReplaceSecretsAsync(Guid id, IReadOnlyDictionary<string, string> replacements, CancellationToken ct = default)
    {
        var current = await queries.GetAsync(id, ct);
        if (replacements.Keys.FirstOrDefault(k => current.Type.Property(k) is not { Sensitive: true }) is { } notSecret)
        {
            throw PortalException.Invalid(notSecret, $"'{notSecret}' is not a secret of {current.Type.DisplayName}.");
        }

        if (replacements.FirstOrDefault(s => string.IsNullOrEmpty(s.Value)) is { Key: not null } empty)
        {
            throw PortalException.Invalid(empty.Key, "Enter the new value.");
        }

        var properties = current.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        foreach (var (name, value) in replacements)
        {
            properties[name] = value;
        }

        await UpdateAsync(id, new UpdateIntegrationInput
        {
            Name = current.Name,
            Properties = properties,
            Metadata = new Dictionary<string, string>(current.Metadata),
        }, ct);
    }

    public Task DisableAsync(Guid id, CancellationToken ct = default) => ChangeStatusAsync(id, LifecycleEvent.Disable, "integration.disabled", ct);

    public Task ActivateAsync(Guid id, CancellationToken ct = default) => ChangeStatusAsync(id, LifecycleEvent.Activate, "integration.activated", ct);

    public Task VerifyNowAsync(Guid id, CancellationToken ct = default) => ChangeStatusAsync(id, LifecycleEvent.VerifyRequested, "integration.verify_requested", ct);

    public async Task DeleteAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "delete integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await Integration.FindAsync(db, id, ct);
        integration.DeletedAt = time.GetUtcNow();
        integration.SingletonKey = null;
        integration.VerificationGeneration++;
        // The row stays (history points at it) but its mappings go with it: left behind they would
        // block deleting the mapped places and devices, and no call could remove them any more.
        var mappings = await db.Set<ResourceMapping>().Where(m => m.IntegrationId == id).ToListAsync(ct);
        db.RemoveRange(mappings);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.deleted",
            $"Deleted '{integration.Name}'{(mappings.Count > 0 ? $" and released its {mappings.Count} resource mapping(s)" : "")}.", integration.Id));
        await db.SaveChangesAsync(ct);
        await verification.CancelAsync(id, ct);
        events.Publish(id);
    }

    private async Task ChangeStatusAsync(Guid id, LifecycleEvent happening, string auditAction, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Operate, "change integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await Integration.FindAsync(db, id, ct);
        var before = integration.Status;
        integration.Transition(happening);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, auditAction,
            $"'{integration.Name}' went from {IntegrationLifecycle.Label(before)} to {IntegrationLifecycle.Label(integration.Status)}.", integration.Id));
        await db.SaveChangesAsync(ct);
        if (integration.Status == IntegrationStatus.PendingVerify)
        {
            await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        }

        events.Publish(id);
    }

    /// <summary>The stored values with the update applied; refuses changes to properties fixed at creation.</summary>
    private static Dictionary<string, string?> MergeForUpdate(
        Integration integration, IntegrationType type, IReadOnlyDictionary<string, string?> changes, out List<string> replacedSecrets)
    {
        var merged = integration.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        // Secrets already stored count as present for "required", without being opened.
        foreach (var name in integration.SecretNames)
        {
            merged[name] = PropertyValidator.StoredSecret;
        }

        replacedSecrets = [];
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in changes)
        {
            var spec = type.Property(name);
            if (spec is null)
            {
                merged[name] = value; // reported as unknown by the validator
            }
            else if (spec.SetByPortal)
            {
                // Sent back unchanged (a PUT of what was read) is fine; anything else is typed.
                if (!string.IsNullOrEmpty(value) && (spec.Sensitive || value != integration.Properties.GetValueOrDefault(name)))
                {
                    errors[name] = [SetByPortalMessage(spec)];
                }
            }
            else if (spec.Sensitive)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    merged[name] = value;
                    replacedSecrets.Add(name);
                }
            }
            else if (!spec.Editable && (value ?? "") != (integration.Properties.GetValueOrDefault(name) ?? ""))
            {
                errors[name] = [$"{spec.Label} cannot change after the integration is created."];
            }
            else
            {
                merged[name] = value;
            }
        }

        var before = integration.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        foreach (var secret in DestinationRule.SecretsToReenter(type, before, merged, integration.SecretNames, replacedSecrets))
        {
            errors[secret.Name] = [DestinationRule.ReenterMessage(secret)];
        }

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, "Some properties cannot change.", errors);
        }

        return merged;
    }

    private static string SetByPortalMessage(PropertySpec spec) => $"{spec.Label} is set by a rotation, not typed.";

    private static bool SameEntries(IEnumerable<KeyValuePair<string, string>> a, IReadOnlyDictionary<string, string> b) =>
        a.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(b.OrderBy(p => p.Key, StringComparer.Ordinal));

    private static async Task SaveAsync(PortalDbContext db, IntegrationType type, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (type.SingleInstance)
        {
            // The unique index caught a second one-per-organization integration created at the same moment.
            throw PortalException.Conflict($"Your organization already has a {type.DisplayName} integration; only one is allowed.");
        }
    }

    /// <summary>
    /// The operator's metadata replaces theirs; what verification wrote (<c>verified_account</c>) is
    /// not theirs to send back, so it stays unless the properties changed and it is verified anew.
    /// </summary>
    private static Dictionary<string, string> MergeMetadata(
        IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> input, bool keepVerified)
    {
        var merged = new Dictionary<string, string>(input);
        if (keepVerified && stored.TryGetValue(Integration.VerifiedAccountKey, out var account))
        {
            merged[Integration.VerifiedAccountKey] = account;
        }
        else if (!keepVerified)
        {
            merged.Remove(Integration.VerifiedAccountKey);
        }

        return merged;
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > 50 || metadata.Any(m => string.IsNullOrWhiteSpace(m.Key) || m.Key.Length > 100 || (m.Value?.Length ?? 0) > 1000))
        {
            throw PortalException.Invalid("Metadata", "Metadata takes up to 50 entries, each with a name (up to 100 characters) and a value up to 1,000.");
        }
    }
}

using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Features.Recipients;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// Creating, reading, changing and retiring integrations. Every rule lives here (schema
/// validation, one-per-organization, the lifecycle, who may do what), so the pages, the API and
/// the jobs share it. Secrets go in through the vault and never come out of this class except to
/// <see cref="GetConfigurationAsync"/>, which only verifiers and senders call.
/// </summary>
public sealed class IntegrationService(
    CurrentUser currentUser,
    IDbContextFactory<PortalDbContext> dbFactory,
    CredentialVault vault,
    VerificationScheduler verification,
    IntegrationEvents events,
    TimeProvider time)
{
    public async Task<PagedResult<IntegrationRow>> ListAsync(IntegrationQuery query, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integrations = db.Set<Integration>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            integrations = integrations.Where(i => EF.Functions.Like(i.Name, $"%{EscapeLike(query.Search.Trim())}%", "\\"));
        }

        var typeKeys = CatalogData.Types
            .Where(t => query.Direction is null || t.Direction == query.Direction)
            .Where(t => query.Category is null || t.Category == query.Category)
            .Where(t => query.TypeKey is null || t.Key == query.TypeKey)
            .Select(t => t.Key)
            .ToList();
        if (query.Direction is not null || query.Category is not null || query.TypeKey is not null)
        {
            integrations = integrations.Where(i => typeKeys.Contains(i.TypeKey));
        }

        if (query.Status is { } status)
        {
            integrations = integrations.Where(i => i.Status == status);
        }

        var total = await integrations.CountAsync(ct);
        var rows = await Sort(integrations, query.SortBy, query.Descending)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, 200))
            .Select(i => new { i.Id, i.Name, i.TypeKey, i.Status, i.CreatedAt, i.UpdatedAt })
            .ToListAsync(ct);
        return new PagedResult<IntegrationRow>(rows.Select(r =>
        {
            var type = CatalogService.Get(r.TypeKey);
            return new IntegrationRow(r.Id, r.Name, r.TypeKey, type.DisplayName, type.Icon, type.Direction, type.Category, r.Status, r.CreatedAt, r.UpdatedAt);
        }).ToList(), total);
    }

    public async Task<IntegrationDetail> GetAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        return new IntegrationDetail(
            integration.Id, integration.Name, type, integration.Status, integration.Properties,
            type.Properties.Where(p => p.Sensitive).ToDictionary(p => p.Name, p => integration.SecretNames.Contains(p.Name)),
            integration.Metadata, integration.VerifiedAt, integration.LastError, integration.CreatedAt, integration.UpdatedAt);
    }

    public async Task<Guid> CreateAsync(CreateIntegrationInput input, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "add integrations");
        InputValidation.ThrowIfInvalid(input);
        var type = CatalogService.Get(input.TypeKey);
        var values = PropertyValidator.Validate(type, WithGeneratedSecrets(type, input.Properties));
        ValidateMetadata(input.Metadata);

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
            SingletonKey = type.SingleInstance ? type.Key : null,
            VerificationGeneration = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        StoreValues(integration, type, values, storedSecrets: new Dictionary<string, string>(), replaced: values.Keys);
        db.Add(integration);
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.created", $"Added {type.DisplayName} integration '{integration.Name}'."));
        await SaveAsync(db, type, ct);

        await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        events.Publish(integration.Id);
        return integration.Id;
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
        var integration = await FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);

        var merged = MergeForUpdate(integration, type, input.Properties, out var replacedSecrets);
        var values = PropertyValidator.Validate(type, merged);
        var propertiesChanged = replacedSecrets.Count > 0
            || !SameEntries(values.Where(v => !type.Property(v.Key)!.Sensitive), integration.Properties)
            || !values.Keys.Where(k => type.Property(k)!.Sensitive).Order(StringComparer.Ordinal).SequenceEqual(integration.SecretNames);
        if (propertiesChanged)
        {
            StoreValues(integration, type, values, OpenSecrets(integration), replacedSecrets);
            Transition(integration, LifecycleEvent.CredentialsChanged);
            if (type.VerifiesRecipients)
            {
                await RecipientVerifications.ForgetRemovedAsync(db, id, PropertyValidator.SplitList(values.GetValueOrDefault(RecipientVerifications.Property)), ct);
            }
        }

        integration.Name = input.Name.Trim();
        integration.Metadata = new Dictionary<string, string>(input.Metadata);
        integration.UpdatedAt = time.GetUtcNow();
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.updated",
            $"Changed '{integration.Name}'{(replacedSecrets.Count > 0 ? $" and replaced {string.Join(", ", replacedSecrets)}" : "")}."));
        await SaveAsync(db, type, ct);
        if (propertiesChanged)
        {
            await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        }

        events.Publish(id);
    }

    /// <summary>Replaces some secrets (the detail page's "Replace"), keeping everything else.</summary>
    public async Task ReplaceSecretsAsync(Guid id, IReadOnlyDictionary<string, string> secrets, CancellationToken ct = default)
    {
        var current = await GetAsync(id, ct);
        if (secrets.Keys.FirstOrDefault(k => current.Type.Property(k) is not { Sensitive: true }) is { } notSecret)
        {
            throw PortalException.Invalid(notSecret, $"'{notSecret}' is not a secret of {current.Type.DisplayName}.");
        }

        if (secrets.FirstOrDefault(s => string.IsNullOrEmpty(s.Value)) is { Key: not null } empty)
        {
            throw PortalException.Invalid(empty.Key, "Enter the new value.");
        }

        var properties = current.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        foreach (var (name, value) in secrets)
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
        var integration = await FindAsync(db, id, ct);
        integration.DeletedAt = time.GetUtcNow();
        integration.SingletonKey = null;
        integration.VerificationGeneration++;
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.deleted", $"Deleted '{integration.Name}'."));
        await db.SaveChangesAsync(ct);
        await verification.CancelAsync(id, ct);
        events.Publish(id);
    }

    /// <summary>For verifiers and senders only: the type, properties and opened secrets.</summary>
    internal async Task<ConfiguredIntegration> GetConfigurationAsync(Guid id, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "use integration credentials");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        return new ConfiguredIntegration(integration.Id, type, integration.Properties,
            OpenSecrets(integration), integration.VerificationGeneration, integration.Status);
    }

    /// <summary>Applies a verification's outcome, unless the integration moved on since it was queued.</summary>
    internal async Task<bool> RecordVerificationAsync(Guid id, int generation, VerificationResult result, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || integration.VerificationGeneration != generation || integration.Status != IntegrationStatus.PendingVerify)
        {
            return false;
        }

        var now = time.GetUtcNow();
        Transition(integration, result.Succeeded ? LifecycleEvent.VerificationSucceeded : LifecycleEvent.VerificationFailed);
        integration.VerifiedAt = result.Succeeded ? now : integration.VerifiedAt;
        integration.LastError = result.Succeeded ? null : Truncate(result.Message, Limits.ErrorMessage);
        integration.UpdatedAt = now;
        if (result.Succeeded && result.Account is { Length: > 0 })
        {
            integration.Metadata["verified_account"] = Truncate(result.Account, 200);
        }

        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, result.Succeeded ? "integration.verified" : "integration.verification_failed",
            result.Succeeded ? $"Verified '{integration.Name}'." : $"Verification of '{integration.Name}' failed: {integration.LastError}"));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return true;
    }

    /// <summary>
    /// For the jobs that use an integration: a receiver is gone (410), deliveries kept failing, or a
    /// provider refused the credentials during a pull, so the integration goes to error with the
    /// reason. Does nothing when the lifecycle does not allow it (already in error, or inactive).
    /// Returns whether it went to error now, so a caller alerts once, not at every later failure.
    /// </summary>
    internal async Task<bool> RecordProblemAsync(Guid id, LifecycleEvent happening, string reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || !IntegrationLifecycle.Allows(integration.Status, happening))
        {
            return false;
        }

        Transition(integration, happening);
        integration.LastError = Truncate(reason, Limits.ErrorMessage);
        integration.UpdatedAt = time.GetUtcNow();
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, $"integration.{happening.ToString().ToLowerInvariant()}", $"'{integration.Name}' went to error: {integration.LastError}"));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
        return true;
    }

    /// <summary>
    /// Replaces the webhook signing secret. The old one stays valid for <paramref name="grace"/>
    /// (24 h by default): both signatures are sent until then, so receivers can switch over.
    /// </summary>
    public async Task RotateSigningSecretAsync(Guid id, TimeSpan? grace = null, CancellationToken ct = default)
    {
        currentUser.Demand(PortalPermission.Operate, "rotate signing secrets");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await FindAsync(db, id, ct);
        var type = CatalogService.Get(integration.TypeKey);
        if (type.Property(SigningSecrets.Current) is null)
        {
            throw PortalException.Conflict($"{type.DisplayName} integrations have no signing secret.");
        }

        var secrets = OpenSecrets(integration);
        if (secrets.TryGetValue(SigningSecrets.Current, out var old))
        {
            secrets[SigningSecrets.Previous] = old;
            integration.Properties[SigningSecrets.PreviousExpires] =
                (time.GetUtcNow() + (grace ?? TimeSpan.FromHours(24))).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }

        secrets[SigningSecrets.Current] = WebhookSignature.NewSecret();
        integration.Properties = new Dictionary<string, string>(integration.Properties);
        integration.SecretNames = secrets.Keys.Order(StringComparer.Ordinal).ToList();
        integration.Secrets = vault.Seal(integration.Id, secrets);
        integration.UpdatedAt = time.GetUtcNow();
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, "integration.signing_secret_rotated", $"Rotated the signing secret of '{integration.Name}'."));
        await db.SaveChangesAsync(ct);
        events.Publish(id);
    }

    /// <summary>Shows the operator that verification is being retried, and why; the status stays pending_verify.</summary>
    internal async Task RecordVerificationRetryAsync(Guid id, int generation, string message, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (integration is null || integration.VerificationGeneration != generation)
        {
            return;
        }

        integration.LastError = Truncate(message, Limits.ErrorMessage);
        await db.SaveChangesAsync(ct);
        events.Publish(id);
    }

    private async Task ChangeStatusAsync(Guid id, LifecycleEvent happening, string auditAction, CancellationToken ct)
    {
        currentUser.Demand(PortalPermission.Operate, "change integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var integration = await FindAsync(db, id, ct);
        var before = integration.Status;
        Transition(integration, happening);
        integration.UpdatedAt = time.GetUtcNow();
        db.AuditEntries.Add(AuditEntry.Record(currentUser, time, auditAction,
            $"'{integration.Name}' went from {IntegrationLifecycle.Label(before)} to {IntegrationLifecycle.Label(integration.Status)}."));
        await db.SaveChangesAsync(ct);
        if (integration.Status == IntegrationStatus.PendingVerify)
        {
            await verification.EnqueueAsync(integration.OrganizationId, integration.Id, integration.VerificationGeneration, ct);
        }

        events.Publish(id);
    }

    private static void Transition(Integration integration, LifecycleEvent happening)
    {
        integration.Status = IntegrationLifecycle.Next(integration.Status, happening, integration.VerifiedAt is not null);
        if (integration.Status == IntegrationStatus.PendingVerify)
        {
            integration.VerificationGeneration++;
            integration.LastError = null;
        }
    }

    /// <summary>The stored values with the update applied; refuses changes to properties fixed at creation.</summary>
    private static Dictionary<string, string?> MergeForUpdate(
        Integration integration, IntegrationType type, IReadOnlyDictionary<string, string?> changes, out List<string> replacedSecrets)
    {
        var merged = integration.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        // Secrets already stored count as present for "required", without being opened.
        foreach (var name in integration.SecretNames)
        {
            merged[name] = "(stored)";
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

        if (errors.Count > 0)
        {
            throw new PortalException(PortalErrorKind.Validation, "Some properties cannot change.", errors);
        }

        return merged;
    }

    /// <summary>
    /// Splits validated values into readable properties and sealed secrets. A secret is the new
    /// value where <paramref name="replaced"/> names it, else the stored one; a secret whose field
    /// is hidden now (auth switched to NONE, say) is forgotten.
    /// </summary>
    private void StoreValues(
        Integration integration, IntegrationType type, Dictionary<string, string> values,
        IReadOnlyDictionary<string, string> storedSecrets, IEnumerable<string> replaced)
    {
        var replacedNames = replaced.ToHashSet();
        var secrets = type.Properties
            .Where(p => p.Sensitive && values.ContainsKey(p.Name))
            .ToDictionary(p => p.Name, p => replacedNames.Contains(p.Name) ? values[p.Name] : storedSecrets[p.Name]);
        integration.Properties = values.Where(v => !type.Property(v.Key)!.Sensitive).ToDictionary(v => v.Key, v => v.Value);
        integration.SecretNames = secrets.Keys.Order(StringComparer.Ordinal).ToList();
        integration.Secrets = secrets.Count == 0 ? null : vault.Seal(integration.Id, secrets);
    }

    /// <summary>A webhook without a signing secret gets a fresh one.</summary>
    private static IReadOnlyDictionary<string, string?> WithGeneratedSecrets(IntegrationType type, IReadOnlyDictionary<string, string?> properties)
    {
        if (type.Property(SigningSecrets.Current) is null || properties.GetValueOrDefault(SigningSecrets.Current) is { Length: > 0 })
        {
            return properties;
        }

        return new Dictionary<string, string?>(properties) { [SigningSecrets.Current] = WebhookSignature.NewSecret() };
    }

    private static bool SameEntries(IEnumerable<KeyValuePair<string, string>> a, IReadOnlyDictionary<string, string> b) =>
        a.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(b.OrderBy(p => p.Key, StringComparer.Ordinal));

    private Dictionary<string, string> OpenSecrets(Integration integration) =>
        integration.Secrets is { } sealedSecrets ? vault.Open(integration.Id, sealedSecrets) : [];

    private static async Task<Integration> FindAsync(PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw PortalException.NotFound("The integration");

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

    private static void ValidateMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > 50 || metadata.Any(m => string.IsNullOrWhiteSpace(m.Key) || m.Key.Length > 100 || (m.Value?.Length ?? 0) > 1000))
        {
            throw PortalException.Invalid("Metadata", "Metadata takes up to 50 entries, each with a name (up to 100 characters) and a value up to 1,000.");
        }
    }

    private static IQueryable<Integration> Sort(IQueryable<Integration> query, IntegrationSort by, bool descending) => (by, descending) switch
    {
        (IntegrationSort.Name, false) => query.OrderBy(i => i.Name).ThenBy(i => i.Id),
        (IntegrationSort.Name, true) => query.OrderByDescending(i => i.Name).ThenBy(i => i.Id),
        (IntegrationSort.Type, false) => query.OrderBy(i => i.TypeKey).ThenBy(i => i.Name),
        (IntegrationSort.Type, true) => query.OrderByDescending(i => i.TypeKey).ThenBy(i => i.Name),
        (IntegrationSort.Status, false) => query.OrderBy(i => i.Status).ThenBy(i => i.Name),
        (IntegrationSort.Status, true) => query.OrderByDescending(i => i.Status).ThenBy(i => i.Name),
        (IntegrationSort.UpdatedAt, false) => query.OrderBy(i => i.UpdatedAt),
        (IntegrationSort.UpdatedAt, true) => query.OrderByDescending(i => i.UpdatedAt),
        (_, false) => query.OrderBy(i => i.CreatedAt),
        _ => query.OrderByDescending(i => i.CreatedAt),
    };

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
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

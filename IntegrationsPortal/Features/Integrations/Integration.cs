using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// One configured integration of a catalog type. Non-sensitive properties are plain JSON;
/// sensitive ones live only in the sealed secrets (see <see cref="CredentialVault"/>), with just
/// their names kept readable so the UI can say "set" or "not set".
/// </summary>
public sealed class Integration : ITenantOwned, IHasTimestamps
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>
    /// The id /api/v1 publishes: a 26-character ULID, sortable by creation. The database key never
    /// leaves the portal's own API, so neither API can be walked from it.
    /// </summary>
    public string ApiId { get; set; } = Ulid.NewUlid().ToString();

    /// <summary>The id /v2 publishes: <c>int_</c> and 20 random characters; no order, no relation to any other id.</summary>
    public string PlatformId { get; set; } = NewPlatformId();

    public required string TypeKey { get; set; }

    public required string Name { get; set; }

    public IntegrationStatus Status { get; set; }

    public Dictionary<string, string> Properties { get; set; } = [];

    /// <summary>The metadata key verification writes the provider's account name to (not the operator's to edit).</summary>
    public const string VerifiedAccountKey = "verified_account";

    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>
    /// The capabilities routing may use this integration for: a subset of its type's routable ones
    /// (<see cref="Catalog.Capabilities.Choose"/>), all of them unless the operator unticked some.
    /// </summary>
    public List<string> EnabledCapabilities { get; set; } = [];

    /// <summary>Names of the sensitive properties that have a value; never the values.</summary>
    public List<string> SecretNames { get; set; } = [];

    public string? SecretsKeyId { get; set; }

    public byte[]? SecretsWrappedKey { get; set; }

    public byte[]? SecretsCiphertext { get; set; }

    /// <summary>
    /// Bumped whenever what is being verified changes; a verification job that finishes for an
    /// older generation is ignored, so a slow check cannot overwrite a newer state.
    /// </summary>
    public int VerificationGeneration { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>Why the last verification or delivery failed, in words an operator can act on; never a credential.</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// The event that put the integration in error, kept while it stays there; null otherwise. Asked
    /// instead of <see cref="LastError"/>'s words (which are for people) when a rule depends on why,
    /// e.g. which integrations the admins' "deliveries stopped" banner lists.
    /// </summary>
    public LifecycleEvent? ErrorCause { get; set; }

    /// <summary>The type key while this is a live one-per-organization integration; backs a unique index.</summary>
    public string? SingletonKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Soft delete: gone from lists and lookups, kept for audit.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public SealedSecrets? Secrets
    {
        get => SecretsKeyId is null ? null : new SealedSecrets(SecretsKeyId, SecretsWrappedKey!, SecretsCiphertext!);
        set => (SecretsKeyId, SecretsWrappedKey, SecretsCiphertext) = (value?.KeyId, value?.WrappedDataKey, value?.Ciphertext);
    }

    /// <summary>Moves the status as the lifecycle says; back in pending_verify, a new verification generation starts.</summary>
    internal void Transition(LifecycleEvent happening)
    {
        var before = Status;
        Status = IntegrationLifecycle.Next(Status, happening, VerifiedAt is not null);
        ErrorCause = Status != IntegrationStatus.Error ? null : before != IntegrationStatus.Error ? happening : ErrorCause;
        if (happening == LifecycleEvent.CredentialsChanged)
        {
            // What was verified is gone: until the new credentials pass, nothing about them is verified.
            VerifiedAt = null;
        }

        if (Status == IntegrationStatus.PendingVerify)
        {
            VerificationGeneration++;
            LastError = null;
        }
    }

    public const string PlatformIdPrefix = "int_";

    public static string NewPlatformId() =>
        PlatformIdPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(10));

    /// <summary>The live integration <paramref name="id"/> of the context's organization, or a 404 an operator understands.</summary>
    internal static async Task<Integration> FindAsync(PortalDbContext db, Guid id, CancellationToken ct) =>
        await db.Set<Integration>().SingleOrDefaultAsync(i => i.Id == id, ct) ?? throw PortalException.NotFound("The integration");
}

public sealed class IntegrationConfiguration : IEntityTypeConfiguration<Integration>
{
    public void Configure(EntityTypeBuilder<Integration> builder)
    {
        builder.Property(i => i.TypeKey).HasMaxLength(64);
        builder.Property(i => i.Name).HasMaxLength(Limits.IntegrationName);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.SecretsKeyId).HasMaxLength(64);
        builder.Property(i => i.SingletonKey).HasMaxLength(64);
        builder.Property(i => i.ApiId).HasMaxLength(26);
        builder.Property(i => i.PlatformId).HasMaxLength(24);
        builder.HasIndex(i => i.ApiId).IsUnique();
        builder.HasIndex(i => i.PlatformId).IsUnique();
        builder.Property(i => i.LastError).HasMaxLength(Limits.ErrorMessage);
        builder.Property(i => i.ErrorCause).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.Properties).HasJsonMap();
        builder.Property(i => i.Metadata).HasJsonMap();
        builder.Property(i => i.SecretNames).HasJsonList();
        builder.Property(i => i.EnabledCapabilities).HasJsonList();
        builder.Ignore(i => i.Secrets);
        builder.HasQueryFilter("SoftDelete", i => i.DeletedAt == null);
        builder.HasIndex(i => new { i.OrganizationId, i.SingletonKey }).IsUnique();
        builder.HasIndex(i => new { i.OrganizationId, i.Name });
        builder.HasIndex(i => new { i.OrganizationId, i.CreatedAt });
    }
}

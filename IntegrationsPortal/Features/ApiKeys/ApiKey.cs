using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.ApiKeys;

/// <summary>What a key may do: read (GET) and/or write (everything else).</summary>
[Flags]
public enum ApiKeyScopes
{
    None = 0,
    Read = 1,
    Write = 2,
}

/// <summary>
/// A key a program uses to act as its organization on /v2 and /api/v1. Only a SHA-256 hash of
/// the key is stored: the key itself is shown once, at creation, and can't be recovered.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    public Guid OrganizationId { get; set; }

    public required string Name { get; set; }

    /// <summary>The key's first characters, in clear: how a person tells keys apart, and how a request finds its row.</summary>
    public required string Prefix { get; set; }

    public required byte[] Hash { get; set; }

    public ApiKeyScopes Scopes { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(ApiKeyService.MaxNameLength);
        builder.Property(k => k.Prefix).HasMaxLength(ApiKeyService.PrefixLength);
        builder.Property(k => k.Hash).HasMaxLength(32);
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        // Not unique: two keys may share a prefix by chance; the hash tells them apart.
        builder.HasIndex(k => k.Prefix);
    }
}

using System.Text.Json;
using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// One configured integration of a catalog type. Non-sensitive properties are plain JSON;
/// sensitive ones live only in the sealed secrets (see <see cref="CredentialVault"/>), with just
/// their names kept readable so the UI can say "set" or "not set".
/// </summary>
public sealed class Integration : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public required string TypeKey { get; set; }

    public required string Name { get; set; }

    public IntegrationStatus Status { get; set; }

    public Dictionary<string, string> Properties { get; set; } = [];

    public Dictionary<string, string> Metadata { get; set; } = [];

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
        builder.Property(i => i.LastError).HasMaxLength(Limits.ErrorMessage);
        builder.Property(i => i.Properties).HasConversion(JsonConversion.Map, JsonConversion.MapComparer);
        builder.Property(i => i.Metadata).HasConversion(JsonConversion.Map, JsonConversion.MapComparer);
        builder.Property(i => i.SecretNames).HasConversion(JsonConversion.List, JsonConversion.ListComparer);
        builder.Ignore(i => i.Secrets);
        builder.HasQueryFilter("SoftDelete", i => i.DeletedAt == null);
        builder.HasIndex(i => new { i.OrganizationId, i.SingletonKey }).IsUnique();
        builder.HasIndex(i => new { i.OrganizationId, i.Name });
        builder.HasIndex(i => new { i.OrganizationId, i.CreatedAt });
    }
}

/// <summary>JSON columns for small string maps and lists (SQLite has no native type for them).</summary>
internal static class JsonConversion
{
    public static readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<Dictionary<string, string>, string> Map = new(
        v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
        v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>());

    public static readonly ValueComparer<Dictionary<string, string>> MapComparer = new(
        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
        v => v.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
        v => new Dictionary<string, string>(v));

    public static readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<List<string>, string> List = new(
        v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
        v => JsonSerializer.Deserialize<List<string>>(v, (JsonSerializerOptions?)null) ?? new List<string>());

    public static readonly ValueComparer<List<string>> ListComparer = new(
        (a, b) => a!.SequenceEqual(b!),
        v => v.Aggregate(0, HashCode.Combine),
        v => v.ToList());
}

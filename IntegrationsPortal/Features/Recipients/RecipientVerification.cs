using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Recipients;

/// <summary>
/// Whether one number on an integration's recipient list has proved it belongs to someone who
/// wants the messages: a code texted to it, typed back by an operator. The code is kept only as a
/// salted hash until it is confirmed, runs out or is replaced.
/// </summary>
public sealed class RecipientVerification : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    /// <summary>E.164, as the recipients property stores it.</summary>
    public required string PhoneNumber { get; set; }

    /// <summary>HMAC-SHA256 of the code keyed with <see cref="CodeSalt"/>; null once verified.</summary>
    public byte[]? CodeHash { get; set; }

    public byte[]? CodeSalt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Wrong codes typed for the current code; at the limit a new code is needed.</summary>
    public int FailedTries { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>The user name of the operator who typed the right code.</summary>
    public string? VerifiedBy { get; set; }
}

public sealed class RecipientVerificationConfiguration : IEntityTypeConfiguration<RecipientVerification>
{
    public void Configure(EntityTypeBuilder<RecipientVerification> builder)
    {
        builder.Property(v => v.PhoneNumber).HasMaxLength(16);
        builder.Property(v => v.CodeHash).HasMaxLength(32);
        builder.Property(v => v.CodeSalt).HasMaxLength(16);
        builder.Property(v => v.VerifiedBy).HasMaxLength(256);
        builder.HasIndex(v => new { v.IntegrationId, v.PhoneNumber }).IsUnique();
    }
}

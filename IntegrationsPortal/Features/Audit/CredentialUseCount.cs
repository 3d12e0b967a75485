using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Audit;

/// <summary>Why an integration's secrets were opened.</summary>
public enum CredentialPurpose
{
    Send,
    Verify,
    Pull,
}

/// <summary>
/// How many times one integration's credentials were used for one purpose on one day (UTC). A
/// counter, not an audit entry per use: sends would otherwise write a row each.
/// </summary>
public sealed class CredentialUseCount : ITenantOwned
{
    public Guid OrganizationId { get; set; }

    public Guid IntegrationId { get; set; }

    public DateOnly Day { get; set; }

    public CredentialPurpose Purpose { get; set; }

    public long Count { get; set; }
}

public sealed class CredentialUseCountConfiguration : IEntityTypeConfiguration<CredentialUseCount>
{
    public void Configure(EntityTypeBuilder<CredentialUseCount> builder)
    {
        builder.HasKey(c => new { c.IntegrationId, c.Day, c.Purpose });
        builder.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(16);
    }
}

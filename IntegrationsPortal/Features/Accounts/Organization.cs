namespace IntegrationsPortal.Features.Accounts;

/// <summary>A tenant: every integration, resource and delivery belongs to exactly one.</summary>
public sealed class Organization
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set by an Admin: the catalog then also lists first-party custom integration types.</summary>
    public bool CustomIntegrationsEnabled { get; set; }

    /// <summary>Set by an Admin: users without two-factor sign-in must set it up before anything else.</summary>
    public bool RequireTwoFactor { get; set; }
}

public sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.Property(o => o.Name).HasMaxLength(Limits.OrganizationName);
    }
}

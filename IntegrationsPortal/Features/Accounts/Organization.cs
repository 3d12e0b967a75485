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

    /// <summary>
    /// Set by a platform administrator: its users cannot sign in and its integrations neither send nor
    /// pull; nothing is deleted, and clearing it (resume) lets everything carry on where it stopped.
    /// </summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    public bool IsSuspended => SuspendedAt is not null;
}

public sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.Property(o => o.Name).HasMaxLength(Limits.OrganizationName);
        builder.Ignore(o => o.IsSuspended);
    }
}

/// <summary>The one definition of "suspended" that sign-in, API keys, the dispatcher and the pull jobs share.</summary>
public static class OrganizationSuspension
{
    /// <summary>
    /// Ids of suspended organizations, as a subquery: put it in a local variable and use
    /// <c>!suspended.Contains(row.OrganizationId)</c>, which EF Core turns into one NOT IN in the same read.
    /// </summary>
    public static IQueryable<Guid> SuspendedOrganizationIds(this Infrastructure.Data.PortalDbContext db) =>
        db.Organizations.Where(o => o.SuspendedAt != null).Select(o => o.Id);

    public static Task<bool> IsSuspendedAsync(this Infrastructure.Data.PortalDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Organizations.AnyAsync(o => o.Id == organizationId && o.SuspendedAt != null, ct);
}

using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// An operator's account. User names are unique across organizations because sign-in looks a user up
/// before anyone knows the organization; for that reason users are not under the tenant query filter,
/// and the user administration service filters them by organization itself.
/// </summary>
public sealed class PortalUser : IdentityUser
{
    public Guid OrganizationId { get; set; }

    public Organization? Organization { get; set; }

    public required string DisplayName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>A disabled user cannot sign in, and an open session ends at the next revalidation.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>
    /// May create, rename, suspend and resume organizations and appoint other platform administrators
    /// (the Platform page). The first user, made at setup, is one.
    /// </summary>
    public bool IsPlatformAdministrator { get; set; }
}

public sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(Limits.DisplayName);
        builder.HasOne(u => u.Organization).WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => u.OrganizationId);
    }
}

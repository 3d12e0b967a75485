namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// A user's place in one organization, with their role there (docs/decisions/035). A user may have
/// several; the session acts in one of them at a time (the organization claim), and every request
/// checks that the membership still exists with the session's role, so removing a member or changing
/// their role ends that access at once. Not tenant-filtered: the user menu lists a user's memberships
/// across organizations, and services filter by organization themselves, as they do for users.
/// </summary>
public sealed class Membership
{
    public required string UserId { get; set; }

    public Guid OrganizationId { get; set; }

    public Organization? Organization { get; set; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Set when an Admin of this organization disabled the member here. It closes this organization to
    /// them and nothing else: their account and their other memberships carry on. Turning a whole
    /// account off is <see cref="PortalUser.IsDisabled"/>, which is about the portal, not one organization.
    /// </summary>
    public DateTimeOffset? DisabledAt { get; set; }
}

public sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.HasKey(m => new { m.UserId, m.OrganizationId });
        builder.Property(m => m.Role).HasMaxLength(16);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(m => m.Organization).WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(m => new { m.OrganizationId, m.Role });
    }
}

/// <summary>The membership rules that sign-in, switching and user administration share.</summary>
public static class Memberships
{
    /// <summary>
    /// The organization a sign-in opens: the one the user last worked in when they are still an enabled
    /// member of it and it is not suspended, else their first such organization by name; null when none.
    /// </summary>
    public static async Task<Guid?> SignInOrganizationAsync(this Infrastructure.Data.PortalDbContext db, PortalUser user, CancellationToken ct)
    {
        var open = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == user.Id && m.DisabledAt == null && m.Organization!.SuspendedAt == null)
            .OrderBy(m => m.Organization!.Name)
            .Select(m => m.OrganizationId)
            .ToListAsync(ct);
        return open.Contains(user.OrganizationId) ? user.OrganizationId : open.Count > 0 ? open[0] : null;
    }

    /// <summary>Whether the user is an enabled member of the organization and it is not suspended: the test for switching into it.</summary>
    public static Task<bool> CanEnterAsync(this Infrastructure.Data.PortalDbContext db, string userId, Guid organizationId, CancellationToken ct) =>
        db.Memberships.AnyAsync(m => m.UserId == userId && m.OrganizationId == organizationId && m.DisabledAt == null
                                     && m.Organization!.SuspendedAt == null, ct);

    /// <summary>Enabled Admins of the organization (enabled here and as an account), for the last-Admin rule.</summary>
    public static Task<int> ActiveAdminCountAsync(this Infrastructure.Data.PortalDbContext db, Guid organizationId, CancellationToken ct) =>
        db.Memberships.CountAsync(m => m.OrganizationId == organizationId && m.Role == PortalRoles.Admin && m.DisabledAt == null
                                       && db.Users.Any(u => u.Id == m.UserId && !u.IsDisabled), ct);
}

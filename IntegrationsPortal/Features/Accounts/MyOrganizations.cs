using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>An organization the signed-in user belongs to, as the user menu lists it.</summary>
public sealed record MyOrganization(Guid Id, string Name, string Role, bool IsSuspended, bool IsCurrent);

/// <summary>The signed-in user's organizations, for the user menu's switcher.</summary>
public sealed class MyOrganizations(CurrentUser currentUser, IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<IReadOnlyList<MyOrganization>> ListAsync(CancellationToken ct = default)
    {
        var userId = currentUser.UserId;
        if (userId is null)
        {
            return [];
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.DisabledAt == null)
            .Select(m => new { m.OrganizationId, m.Organization!.Name, m.Role, m.Organization.SuspendedAt })
            .ToListAsync(ct);
        return rows
            .OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(r => new MyOrganization(r.OrganizationId, r.Name, r.Role, r.SuspendedAt is not null, r.OrganizationId == currentUser.OrganizationId))
            .ToList();
    }
}

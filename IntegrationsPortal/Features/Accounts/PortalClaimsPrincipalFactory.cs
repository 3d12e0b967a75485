using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Puts the session's organization and the user's role in it into the cookie, so every request knows
/// its tenant without a query. The organization is the user's <see cref="PortalUser.OrganizationId"/>
/// (the one they last signed in to or switched to); the role comes from their membership there, not
/// from Identity's user roles, because a user has one role per organization (docs/decisions/035).
/// </summary>
public sealed class PortalClaimsPrincipalFactory(
    UserManager<PortalUser> userManager,
    IOptions<IdentityOptions> options,
    IDbContextFactory<Infrastructure.Data.PortalDbContext> dbFactory)
    : UserClaimsPrincipalFactory<PortalUser>(userManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        await using var db = await dbFactory.CreateDbContextAsync();
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == user.OrganizationId);
        var role = await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == user.Id && m.OrganizationId == user.OrganizationId)
            .Select(m => m.Role)
            .FirstOrDefaultAsync();
        identity.AddClaim(new Claim(PortalClaims.OrganizationId, user.OrganizationId.ToString()));
        identity.AddClaim(new Claim(PortalClaims.OrganizationName, organization.Name));
        identity.AddClaim(new Claim(PortalClaims.DisplayName, user.DisplayName));
        // No membership, no role: the per-request check (UserSessions) then refuses the session.
        if (role is not null)
        {
            identity.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, role));
        }

        if (user.IsPlatformAdministrator)
        {
            identity.AddClaim(new Claim(PortalClaims.PlatformAdministrator, "true"));
        }

        return identity;
    }
}

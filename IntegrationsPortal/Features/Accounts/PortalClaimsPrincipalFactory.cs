using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>Puts the user's organization into the cookie, so every request knows its tenant without a query.</summary>
public sealed class PortalClaimsPrincipalFactory(
    UserManager<PortalUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options,
    IDbContextFactory<Infrastructure.Data.PortalDbContext> dbFactory)
    : UserClaimsPrincipalFactory<PortalUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        await using var db = await dbFactory.CreateDbContextAsync();
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == user.OrganizationId);
        identity.AddClaim(new Claim(PortalClaims.OrganizationId, user.OrganizationId.ToString()));
        identity.AddClaim(new Claim(PortalClaims.OrganizationName, organization.Name));
        identity.AddClaim(new Claim(PortalClaims.DisplayName, user.DisplayName));
        if (user.IsPlatformAdministrator)
        {
            identity.AddClaim(new Claim(PortalClaims.PlatformAdministrator, "true"));
        }

        return identity;
    }
}

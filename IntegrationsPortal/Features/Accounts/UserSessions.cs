using System.Security.Claims;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Ends a user's sessions at once (docs/decisions/014). Every session carries the user's security
/// stamp; sign-out, a role change, disabling and a password change give the user a new one. Each
/// request compares the two with one indexed read of the user's row, and open Blazor circuits hear
/// of the change through <see cref="Ended"/> instead of waiting for their next revalidation.
/// </summary>
public sealed class UserSessions
{
    /// <summary>Raised with the user's id after their sessions were ended.</summary>
    public event Action<string>? Ended;

    /// <summary>
    /// Gives the user a new security stamp, so every cookie of theirs stops working at once and their
    /// circuits at the next revalidation (seconds). Not announced: on sign-out the circuit of the page
    /// that posted the form would race the form's own redirect to the signed-out page.
    /// </summary>
    public static async Task EndCookiesAsync(UserManager<PortalUser> users, PortalUser user) =>
        IdentityErrors.ThrowIfFailed(await users.UpdateSecurityStampAsync(user));

    /// <summary>For callers that changed the stamp themselves inside a larger transaction: call after it commits.</summary>
    public void Announce(string userId) => Ended?.Invoke(userId);

    /// <summary>
    /// Whether the session's user still exists, is enabled, has the stamp the session was issued with,
    /// is still a member of the session's organization with the session's role, and that organization
    /// is not suspended.
    /// </summary>
    public static async Task<bool> IsCurrentAsync(PortalDbContext db, ClaimsPrincipal principal, IdentityOptions options, CancellationToken ct) =>
        await ReadCurrentAsync(db, principal, options, ct) is not null;

    /// <summary>
    /// The session's user row when the session is current, else null. One indexed read that also
    /// answers the two-factor rule, so a request reads its user once (<see cref="SessionUser.For"/>).
    /// </summary>
    private static async Task<SessionUser?> ReadCurrentAsync(PortalDbContext db, ClaimsPrincipal principal, IdentityOptions options, CancellationToken ct)
    {
        var userId = principal.FindFirstValue(options.ClaimsIdentity.UserIdClaimType);
        var stamp = principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType);
        if (userId is null || stamp is null)
        {
            return null;
        }

        // The session's organization and role in the same read: suspending the organization, removing
        // the membership or changing the role there ends the session at once (docs/decisions/035).
        var organizationId = Guid.TryParse(principal.FindFirstValue(PortalClaims.OrganizationId), out var id) ? id : Guid.Empty;
        var role = principal.FindFirstValue(options.ClaimsIdentity.RoleClaimType);
        var row = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId)
            .Select(u => new
            {
                u.SecurityStamp,
                u.IsDisabled,
                MustSetUpTwoFactor = !u.TwoFactorEnabled && db.Organizations.Any(o => o.Id == organizationId && o.RequireTwoFactor),
                Suspended = db.Organizations.Any(o => o.Id == organizationId && o.SuspendedAt != null),
                // A membership disabled here counts as none: this organization's sessions end, the others carry on.
                Role = db.Memberships.Where(m => m.UserId == userId && m.OrganizationId == organizationId && m.DisabledAt == null)
                    .Select(m => m.Role).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        return row is { IsDisabled: false, Suspended: false } && row.SecurityStamp == stamp && row.Role is not null && row.Role == role
            ? new SessionUser(userId, row.MustSetUpTwoFactor)
            : null;
    }

    /// <summary>
    /// The cookie's check on every request. It replaces Identity's SecurityStampValidator, which with
    /// a zero interval would also rebuild the principal (roles, organization) and re-issue the
    /// cookie on every request.
    /// </summary>
    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var options = services.GetRequiredService<IOptions<IdentityOptions>>().Value;
        if (context.Principal is not null
            && await ReadCurrentAsync(services.GetRequiredService<PortalDbContext>(), context.Principal, options, context.HttpContext.RequestAborted) is { } user)
        {
            context.HttpContext.Items[typeof(SessionUser)] = user;
            return;
        }

        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}

/// <summary>What the cookie check read of the request's user, kept in <see cref="HttpContext.Items"/> for the rest of the request.</summary>
public sealed record SessionUser(string UserId, bool MustSetUpTwoFactor)
{
    /// <summary>The row read for this request's user, or null when none was read (or it was another user's).</summary>
    public static SessionUser? For(HttpContext context, string userId) =>
        context.Items.TryGetValue(typeof(SessionUser), out var value) && value is SessionUser user && user.UserId == userId ? user : null;
}

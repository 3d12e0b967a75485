using System.Security.Claims;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// When an Admin requires two-factor sign-in for the organization, a signed-in user without it can
/// only set it up (or sign out): pages lead to the two-factor page, the API answers 403. Checked on every
/// signed-in request, so the rule holds the moment it is switched on, for open sessions too; the cookie
/// check's read of the user row answers it (<see cref="SessionUser"/>), so no second read.
/// </summary>
public sealed class TwoFactorRequirementMiddleware(RequestDelegate next)
{
    public const string SetUpPath = "/account/two-factor";

    public async Task InvokeAsync(HttpContext context, PortalDbContext db)
    {
        if (context.User.Identity is { IsAuthenticated: true, AuthenticationType: var type } && type == IdentityConstants.ApplicationScheme
            && !IsAllowedMeanwhile(context.Request.Path)
            && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId
            && (SessionUser.For(context, userId)?.MustSetUpTwoFactor ?? await MustSetUpAsync(db, userId, context.RequestAborted)))
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsJsonAsync(new { error = "Your organization requires two-factor sign-in. Set it up in the portal first." });
                return;
            }

            context.Response.Redirect(SetUpPath);
            return;
        }

        await next(context);
    }

    private static Task<bool> MustSetUpAsync(PortalDbContext db, string userId, CancellationToken ct) =>
        db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => !u.TwoFactorEnabled && u.Organization!.RequireTwoFactor).FirstOrDefaultAsync(ct);

    private static bool IsAllowedMeanwhile(PathString path) =>
        path.StartsWithSegments(SetUpPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/account/logout", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/_framework", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/_content", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/css", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/favicon.svg", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}

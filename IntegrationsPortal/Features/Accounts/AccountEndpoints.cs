using Microsoft.AspNetCore.Antiforgery;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A plain form post (with its antiforgery token) from the user menu; cookies cannot be
        // cleared over a Blazor circuit.
        endpoints.MapPost("/account/logout", async Task<IResult> (HttpContext http, IAntiforgery antiforgery, SignInManager<PortalUser> signInManager) =>
        {
            // Minimal APIs check antiforgery only when they bind a form; this one binds nothing.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem("This sign-out form has expired. Reload the page and sign out again.", statusCode: StatusCodes.Status400BadRequest);
            }

            // A new security stamp, so a copy of this cookie (or the user's other sessions) stops working too.
            if (await signInManager.UserManager.GetUserAsync(http.User) is { } user)
            {
                await UserSessions.EndCookiesAsync(signInManager.UserManager, user);
            }

            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login?signedOut=true");
        }).RequireAuthorization();

        // The user menu's switcher: a form post too, because the new organization is a new cookie.
        // The page reloads afterwards, so nothing of the old organization stays on screen.
        endpoints.MapPost("/account/switch-organization", async Task<IResult> (
            HttpContext http, IAntiforgery antiforgery, SignInManager<PortalUser> signInManager, IDbContextFactory<PortalDbContext> dbFactory,
            IOrganizationSwitchAudit audit) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem("This form has expired. Reload the page and switch again.", statusCode: StatusCodes.Status400BadRequest);
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var user = await signInManager.UserManager.GetUserAsync(http.User);
            await using var db = await dbFactory.CreateDbContextAsync(http.RequestAborted);
            if (user is null || !Guid.TryParse(form["organizationId"], out var organizationId)
                || !await db.CanEnterAsync(user.Id, organizationId, http.RequestAborted))
            {
                return TypedResults.Problem("You cannot switch to that organization: you are not a member of it, or it is suspended.",
                    statusCode: StatusCodes.Status409Conflict);
            }

            // The claims factory reads the organization from the user's row, which is also where the
            // next sign-in starts.
            // The organization the session worked in, from its cookie (the row may be another session's choice).
            var from = Guid.TryParse(http.User.FindFirst(PortalClaims.OrganizationId)?.Value, out var current) ? current : user.OrganizationId;
            user.OrganizationId = organizationId;
            IdentityErrors.ThrowIfFailed(await signInManager.UserManager.UpdateAsync(user));
            await signInManager.RefreshSignInAsync(user);
            await audit.RecordSwitchAsync(user, from, organizationId, http.RequestAborted);
            return TypedResults.LocalRedirect("/");
        }).RequireAuthorization();

        endpoints.MapGet("/api/me", (HttpContext http) => TypedResults.Ok(new
        {
            name = http.User.Identity!.Name,
            displayName = http.User.FindFirst(PortalClaims.DisplayName)?.Value,
            organization = http.User.FindFirst(PortalClaims.OrganizationName)?.Value,
            organizationId = http.User.FindFirst(PortalClaims.OrganizationId)?.Value,
            role = PortalRoles.All.FirstOrDefault(http.User.IsInRole),
        })).RequireAuthorization(PortalPolicies.CanView);

        // For load balancers and uptime checks; HEAD too, which probes use.
        endpoints.MapMethods("/health", [HttpMethods.Get, HttpMethods.Head], () => TypedResults.Ok("healthy")).AllowAnonymous();
        return endpoints;
    }
}

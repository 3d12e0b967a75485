using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A plain form post (with its antiforgery token) from the user menu; cookies cannot be
        // cleared over a Blazor circuit.
        endpoints.MapPost("/account/logout", async (SignInManager<PortalUser> signInManager) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login?signedOut=true");
        }).RequireAuthorization();

        endpoints.MapGet("/api/me", (HttpContext http) => TypedResults.Ok(new
        {
            name = http.User.Identity!.Name,
            displayName = http.User.FindFirst(PortalClaims.DisplayName)?.Value,
            organization = http.User.FindFirst(PortalClaims.OrganizationName)?.Value,
            role = PortalRoles.All.FirstOrDefault(http.User.IsInRole),
        })).RequireAuthorization(PortalPolicies.CanView);

        endpoints.MapGet("/health", () => TypedResults.Ok("healthy")).AllowAnonymous();
        return endpoints;
    }
}

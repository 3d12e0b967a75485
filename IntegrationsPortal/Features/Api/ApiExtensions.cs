using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Settings;

namespace IntegrationsPortal.Features.Api;

public static class ApiExtensions
{
    /// <summary>
    /// The REST API under /api: the same services the pages use, behind the same policies, with
    /// service refusals mapped to problem responses. Auth is the portal's cookie.
    /// </summary>
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api")
            .RequireAuthorization(PortalPolicies.CanView)
            .AddEndpointFilter<PortalErrorFilter>();
        api.MapSettingsApi();
        api.MapIntegrationsApi();
        api.MapDeliveryApi();
        return endpoints;
    }
}

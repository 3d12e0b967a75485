using IntegrationsPortal.Features.Accounts.Invitations;
using System.Text.Json;
using System.Text.Json.Serialization;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Api.OpenApi;
using IntegrationsPortal.Features.Api.V1;
using IntegrationsPortal.Features.Api.V2;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Platform;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Recipients;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Features.Uplinks;

namespace IntegrationsPortal.Features.Api;

public static class ApiExtensions
{
    /// <summary>JSON the way API clients expect it: enums as snake_case names (pending_verify, egress), not numbers.</summary>
    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower)));
        builder.Services.AddScoped<V2.PlatformIds>();
        builder.Services.AddPublicApiDocuments();
        return builder;
    }

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
        api.MapInvitationsApi();
        api.MapPasswordChangeApi();
        api.MapAuditApi();
        api.MapIntegrationsApi();
        api.MapRecipientsApi();
        api.MapResourcesApi();
        api.MapDeliveryApi();
        api.MapIngestionApi();
        api.MapApiKeysApi();
        api.MapUplinksApi();
        api.MapPlatformApi();
        endpoints.MapProgramApis();
        endpoints.MapUplinkEndpoint();
        endpoints.MapPublicApiDocuments();
        endpoints.MapApiReference();
        return endpoints;
    }

    /// <summary>The programs' APIs, in groups authenticated by key (Features/ApiKeys). /v2 and /api/v1 fill their groups in their own files.</summary>
    private static IEndpointRouteBuilder MapProgramApis(this IEndpointRouteBuilder endpoints)
    {
        // Each API answers refusals in its own published shape: /v2 as problems, /api/v1 in its envelope.
        endpoints.MapKeyedApi(ApiKeyDefaults.V2Prefix).AddEndpointFilter<PortalErrorFilter>().MapIntegrationsV2();
        endpoints.MapKeyedApi(ApiKeyDefaults.V1Prefix).AddEndpointFilter<V1ErrorFilter>().MapProvidersV1().MapIntegrationsV1().MapRoutingRulesV1().MapOperationsV1();
        return endpoints;
    }
}

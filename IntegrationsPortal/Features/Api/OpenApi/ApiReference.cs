using IntegrationsPortal.Infrastructure.Security;
using Scalar.AspNetCore;

namespace IntegrationsPortal.Features.Api.OpenApi;

/// <summary>
/// The API reference pages (Scalar) at /api-reference/v1 and /api-reference/v2. Everything comes
/// from the portal itself: Scalar's bundled script (no CDN), no web fonts, no telemetry, and its
/// script tags carry this request's CSP nonce, so the portal's one policy holds here too.
/// </summary>
public static class ApiReference
{
    public const string Path = "/api-reference";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapScalarApiReference(Path, (options, context) =>
        {
            options.WithTitle("IntegrationsPortal API reference")
                .WithFavicon("/favicon.svg")
                .WithOpenApiRoutePattern(PublicApi.RoutePattern)
                .WithNonce(SecurityHeadersMiddleware.Nonce(context))
                .DisableDefaultFonts()
                .DisableTelemetry();
            foreach (var api in PublicApi.All)
            {
                options.AddDocument(api.DocumentName, api.Title);
            }
        }).AllowAnonymous();
        return endpoints;
    }
}

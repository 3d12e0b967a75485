using System.Globalization;
using System.Threading.RateLimiting;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Uplinks.Formats;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Uplinks;

public static class UplinksExtensions
{
    public const string RateLimitPolicy = "uplinks";

    /// <summary>The push endpoint's path; the integration's id is in it so the rate limit can be per integration before any work.</summary>
    public const string EndpointPattern = "/api/uplinks/{integrationId:guid}";

    public static string EndpointPath(Guid integrationId) => $"/api/uplinks/{integrationId}";

    public static IHostApplicationBuilder AddUplinks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<UplinkOptions>().Bind(builder.Configuration.GetSection(UplinkOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UplinkOptions>, UplinkOptionsValidation>();
        AddFormat<HeliumUplinks>(services);
        AddFormat<ThingsStackUplinks>(services);
        AddFormat<ChirpStackUplinks>(services);
        AddFormat<HttpUplinks>(services);
        services.AddSingleton<UplinkFormats>();
        services.AddTypeCode<UplinkEndpointVerifier>();
        services.AddSingleton<UplinkAuthenticator>();
        services.AddSingleton<UplinkStore>();
        services.AddSingleton<UplinkEvents>();
        services.AddSingleton<UplinkFlowFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<UplinkFlowFeed>());
        services.AddScoped<UplinkTokenHandoff>();
        services.AddHostedService(sp => sp.GetRequiredService<UplinkStore>());
        services.AddScoped<UplinkRejections>();
        services.AddSingleton<UplinkTelemetry>();
        services.AddSingleton<UplinkReceiver>();
        services.AddScoped<UplinkTokens>();
        services.AddScoped<UplinkQueries>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(RateLimitPolicy, context =>
            {
                var settings = context.RequestServices.GetRequiredService<IOptions<UplinkOptions>>().Value;
                // Partitioned by the integration in the path: one network's flood does not starve another's.
                return RateLimitPartition.GetTokenBucketLimiter(context.Request.RouteValues["integrationId"]?.ToString() ?? "", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, settings.Burst),
                    TokensPerPeriod = Math.Max(1, settings.PermitsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
        });
        return builder;
    }

    /// <summary>
    /// The push endpoint, outside the cookie-authenticated API group: the token is the credential.
    /// Operator actions on tokens and the page's figures are in the API group (<see cref="MapUplinksApi"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapUplinkEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(EndpointPattern, (HttpContext context, Guid integrationId, UplinkReceiver receiver) => receiver.ReceiveAsync(context, integrationId))
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery()
            .AllowAnonymous();
        return endpoints;
    }

    public static RouteGroupBuilder MapUplinksApi(this RouteGroupBuilder api)
    {
        api.MapPost("/integrations/{id:guid}/uplink-token", async (Guid id, UplinkTokens tokens, HttpContext context, CancellationToken ct) =>
        {
            var issued = await tokens.IssueAsync(id, ct);
            var url = $"{context.Request.Scheme}://{context.Request.Host}{EndpointPath(id)}";
            return Results.Ok(new { token = issued.Token, endpoint = url, previousValidUntil = issued.PreviousValidUntil });
        });
        api.MapDelete("/integrations/{id:guid}/uplink-token/previous", async (Guid id, UplinkTokens tokens, CancellationToken ct) =>
        {
            await tokens.RevokePreviousAsync(id, ct);
            return Results.NoContent();
        });
        api.MapGet("/integrations/{id:guid}/uplinks", async (Guid id, UplinkQueries queries, CancellationToken ct) => Results.Ok(new
        {
            activity = await queries.ActivityAsync(id, ct),
            unmapped = await queries.UnmappedAsync(id, ct),
            rejected = await queries.RejectedAsync(id, ct),
        }));
        return api;
    }

    private static void AddFormat<T>(IServiceCollection services)
        where T : class, IUplinkFormat => services.AddSingleton<IUplinkFormat, T>();
}

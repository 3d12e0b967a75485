using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Api;
using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;

namespace IntegrationsPortal.Features.ApiKeys;

/// <summary>Portal:Api settings: how many requests one key may make per window before it gets 429.</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Portal:Api";

    public int PermitsPerWindow { get; set; } = 600;

    public int WindowSeconds { get; set; } = 60;
}

public static class ApiKeysExtensions
{
    public const string RateLimitPolicy = "api-key";
    public const string ScopePolicy = "ApiKeyScope";

    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var limits = builder.Configuration.GetSection(ApiKeyOptions.Section).Get<ApiKeyOptions>() ?? new ApiKeyOptions();
        services.AddScoped<ApiKeyService>();
        services.AddSingleton<ApiKeyEvents>();
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyDefaults.Scheme, null);

        // The programs' paths are authenticated by the key alone: the default (cookie) scheme hands
        // them over, so a browser's cookie never authorizes a call there and CurrentUser sees the key.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
            options.ForwardDefaultSelector = context => ApiKeyDefaults.IsProgramPath(context.Request.Path) ? ApiKeyDefaults.Scheme : null);

        services.AddAuthorizationBuilder().AddPolicy(ScopePolicy, policy => policy
            .AddAuthenticationSchemes(ApiKeyDefaults.Scheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.Resource is HttpContext http
                && context.User.HasClaim(ApiKeyDefaults.ScopeClaim, IsWrite(http.Request.Method) ? "write" : "read")));

        services.AddRateLimiter(options =>
        {
            // One window per key: a busy program can't use up another program's share.
            options.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.User.FindFirstValue(ApiKeyDefaults.KeyIdClaim) ?? "",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.PermitsPerWindow,
                    Window = TimeSpan.FromSeconds(limits.WindowSeconds),
                    QueueLimit = 0,
                }));
        });
        return builder;
    }

    /// <summary>Settings > API keys for signed-in administrators (cookie, under /api).</summary>
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").RequireAuthorization(PortalPolicies.CanAdminister);
        keys.MapGet("/", (ApiKeyService service, CancellationToken ct) => service.ListAsync(ct));
        keys.MapPost("/", async (NewApiKeyInput input, ApiKeyService service, CancellationToken ct) =>
        {
            var created = await service.CreateAsync(input, ct);
            return TypedResults.Created($"/api/api-keys/{created.Row.Id}", created);
        });
        keys.MapDelete("/{id:guid}", async (Guid id, ApiKeyService service, CancellationToken ct) =>
        {
            await service.RevokeAsync(id, ct);
            return TypedResults.NoContent();
        });
        return api;
    }

    /// <summary>
    /// A group of a published API: authenticated by key, scope checked per method (read for GET,
    /// write for the rest), limited per key, every write audited.
    /// </summary>
    public static RouteGroupBuilder MapKeyedApi(this IEndpointRouteBuilder endpoints, string prefix) =>
        endpoints.MapGroup(prefix)
            .RequireAuthorization(ScopePolicy)
            .RequireRateLimiting(RateLimitPolicy)
            .AddEndpointFilter<ApiKeyAuditFilter>();

    public static bool IsWrite(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
}

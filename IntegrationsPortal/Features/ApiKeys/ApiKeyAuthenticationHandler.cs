using System.Security.Claims;
using System.Text.Encodings.Web;
using IntegrationsPortal.Features.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.ApiKeys;

/// <summary>
/// The authentication scheme of the programs' APIs. A request under /v2 or /api/v1 is authenticated
/// by this scheme alone (the cookie is never read there), so cookie-only protections such as a
/// same-origin check can tell these requests apart by <see cref="ClaimsIdentity.AuthenticationType"/>.
/// </summary>
public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string V2Prefix = "/v2";
    public const string V1Prefix = "/api/v1";
    public const string V2Header = "X-Api-Key";
    public const string ScopeClaim = "portal:api_scope";
    public const string KeyIdClaim = "portal:api_key";

    public static bool IsProgramPath(PathString path) =>
        path.StartsWithSegments(V2Prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(V1Prefix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Reads the key where each published API puts it (/v2: X-Api-Key; /api/v1: Authorization: Bearer)
/// and signs the request in as the key's organization. A write key acts with an Operator's
/// permissions and a read-only key with a Viewer's, so the services' own checks apply unchanged.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await keys.AuthenticateAsync(presented, Context.RequestAborted);
        if (key is null)
        {
            // Unknown, revoked and expired look the same to the caller.
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, $"apikey:{key.Id}"),
            new(ClaimTypes.Name, $"API key '{key.Name}' ({key.Prefix}…)"),
            new(ClaimTypes.Role, key.Scopes.HasFlag(ApiKeyScopes.Write) ? PortalRoles.Operator : PortalRoles.Viewer),
            new(PortalClaims.OrganizationId, key.OrganizationId.ToString()),
            new(ApiKeyDefaults.KeyIdClaim, key.Id.ToString()),
        };
        claims.AddRange(ApiKeyService.ScopeNames(key.Scopes).Select(s => new Claim(ApiKeyDefaults.ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyDefaults.Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Path.StartsWithSegments(ApiKeyDefaults.V1Prefix, StringComparison.OrdinalIgnoreCase)
            ? "Bearer"
            : $"ApiKey header=\"{ApiKeyDefaults.V2Header}\"";
        return Task.CompletedTask;
    }

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Path.StartsWithSegments(ApiKeyDefaults.V2Prefix, StringComparison.OrdinalIgnoreCase))
        {
            var value = request.Headers[ApiKeyDefaults.V2Header].ToString().Trim();
            return value.Length == 0 ? null : value;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim() is { Length: > 0 } token ? token : null
            : null;
    }
}

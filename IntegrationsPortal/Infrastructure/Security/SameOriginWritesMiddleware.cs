namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>
/// Cross-site request forgery guard for the cookie-authenticated API (docs/decisions/014). A browser
/// attaches the portal's cookie to a request that a page on another site (or another port of this
/// host) starts, so an <c>/api</c> write must prove it came from one of the portal's own pages:
/// <c>Sec-Fetch-Site</c> says so when the browser sends it, otherwise <c>Origin</c> must be this
/// portal's scheme, host and port. A request with neither header did not come from a browser page
/// (every current browser sends <c>Origin</c> on a cross-origin POST, PUT, PATCH and DELETE), so
/// scripts and curl with a copied cookie keep working. Requests that authenticate with an
/// <c>Authorization</c> header (API keys) carry no ambient credential and are exempt.
/// </summary>
public sealed class SameOriginWritesMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!NeedsProof(context) || IsSameOrigin(context.Request))
        {
            return next(context);
        }

        return Results.Problem(
            "This request came from another site. Use the portal's own pages, or call the API without a browser.",
            statusCode: StatusCodes.Status403Forbidden,
            title: "Cross-site request refused").ExecuteAsync(context);
    }

    private static bool NeedsProof(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !HttpMethods.IsGet(context.Request.Method)
        && !HttpMethods.IsHead(context.Request.Method)
        && !HttpMethods.IsOptions(context.Request.Method)
        && context.User.Identity?.IsAuthenticated == true
        && !context.Request.Headers.ContainsKey("Authorization");

    public static bool IsSameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            // "none" is the user typing or bookmarking; "same-site" is another port or subdomain: refused.
            return fetchSite is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}

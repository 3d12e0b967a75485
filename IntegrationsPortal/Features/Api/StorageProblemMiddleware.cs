using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Api;

/// <summary>
/// A full or failing disk while the portal runs: API clients get 503 with a problem body and a
/// Retry-After, which they can handle, instead of the error page's HTML. Pages keep the error page.
/// </summary>
public sealed class StorageProblemMiddleware(RequestDelegate next, ILogger<StorageProblemMiddleware> logger)
{
    private const int RetryAfterSeconds = 60;

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (StorageFailure.IsDiskError(e) && IsApi(context.Request.Path) && !context.Response.HasStarted)
        {
            logger.LogError(e, "Storage failure on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                "The portal cannot write its data right now (the disk is full or failing). The change was not saved; try again later.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Storage unavailable").ExecuteAsync(context);
        }
    }

    private static bool IsApi(PathString path) => path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || ApiKeyDefaults.IsProgramPath(path);
}

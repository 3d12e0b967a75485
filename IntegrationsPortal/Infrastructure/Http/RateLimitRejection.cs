using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace IntegrationsPortal.Infrastructure.Http;

/// <summary>
/// One answer for every rate limit the portal sets (sign-in per address, API keys per key, uplinks
/// per integration): 429 with Retry-After and a problem body. <see cref="RateLimiterOptions.OnRejected"/>
/// is a single slot, so features add policies and leave the rejection to this.
/// </summary>
public static class RateLimitRejection
{
    public static IServiceCollection AddPortalRateLimiter(this IServiceCollection services) =>
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
        });

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        // A body, so the pages' status-code re-execution leaves the answer alone.
        await Results.Problem(
                title: "Too many requests",
                detail: $"Too many requests from you in a short time. Try again in {seconds} seconds.",
                statusCode: StatusCodes.Status429TooManyRequests)
            .ExecuteAsync(http);
    }
}

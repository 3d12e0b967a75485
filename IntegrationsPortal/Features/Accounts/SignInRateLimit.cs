using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// At most N sign-in attempts per client address in a window (10 a minute by default), on top of
/// the per-account lockout: the lockout stops guessing one account's password, this stops trying
/// one common password on many accounts. Only the form's POST counts; the address is the one the
/// forwarded headers give when the portal sits behind a configured proxy.
/// </summary>
public static class SignInRateLimit
{
    public const string LoginPath = "/account/login";

    public static IHostApplicationBuilder AddSignInRateLimit(this IHostApplicationBuilder builder)
    {
        // Read when the options are first used, so settings a host adds after this call still count.
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var security = configuration.GetSection("Portal:Security");
            var permits = security.GetValue("SignInAttemptsPerAddress", 10);
            var window = TimeSpan.FromSeconds(security.GetValue("SignInWindowSeconds", 60));
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                HttpMethods.IsPost(http.Request.Method) && http.Request.Path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetFixedWindowLimiter(
                        // Keys apart from the no-limit partition's: the partitions are cached by key alone.
                        "sign-in " + http.Connection.RemoteIpAddress,
                        _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 })
                    : RateLimitPartition.GetNoLimiter("other"));
        });
        return builder;
    }
}

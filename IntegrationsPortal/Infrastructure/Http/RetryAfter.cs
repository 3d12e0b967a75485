using System.Net.Http.Headers;

namespace IntegrationsPortal.Infrastructure.Http;

/// <summary>
/// The one reading of a server's Retry-After (RFC 9110 10.2.3), for delivery and ingestion alike.
/// An HTTP-date is measured against the injected clock, so a test's manual clock and the schedule it
/// checks agree; a date already past means "now", not a negative wait.
/// </summary>
public static class RetryAfter
{
    /// <summary>How long the server asked to be left alone; null when it did not say, or said something unreadable.</summary>
    public static TimeSpan? Wait(HttpResponseHeaders headers, TimeProvider time) => headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };
}

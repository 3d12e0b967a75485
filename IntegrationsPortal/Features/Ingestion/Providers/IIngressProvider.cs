using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>A value as the provider names it: its external id (meter number, vehicle id, place code), not yet a platform resource.</summary>
public readonly record struct ExternalReading(string ExternalId, string Metric, DateTimeOffset Timestamp, double Value, string Unit);

/// <summary>A place to ask a weather provider about: its external id in the mapping and its coordinates.</summary>
public sealed record PlaceCoordinates(string ExternalId, double Latitude, double Longitude);

/// <summary>One request for a time window, continuing from <paramref name="Cursor"/> when the provider pages.</summary>
public sealed record IngressRequest(
    DateTimeOffset From, DateTimeOffset To, string? Cursor, IReadOnlyList<string> ExternalIds, IReadOnlyList<PlaceCoordinates> Places);

/// <summary>One page of readings and where the next page starts (null: the window is done).</summary>
public sealed record IngressPage(IReadOnlyList<ExternalReading> Readings, string? NextCursor);

/// <summary>
/// One class per ingress type: how to ask the provider for a window of data and how to read its
/// answer. Everything else (windows, cursors, retries, mapping, writing) is shared.
/// Marked with its type (<see cref="Catalog.ForTypesAttribute"/>).
/// </summary>
[Catalog.TypeCodeRole("ingress provider")]
public interface IIngressProvider
{
    Task<IngressPage> FetchAsync(ConfiguredIntegration integration, IngressRequest request, CancellationToken ct);
}

/// <summary>The provider refused our credentials: retrying will not help, the integration goes to error.</summary>
public sealed class ProviderAuthenticationException(string message, int? statusCode = null) : Exception(message)
{
    /// <summary>The provider's HTTP status (401, 403), for the request history.</summary>
    public int? StatusCode { get; } = statusCode;
}

/// <summary>The provider is rate limiting or failing for now; <see cref="RetryAfter"/> is its own hint, if it gave one.</summary>
public sealed class ProviderUnavailableException(string message, TimeSpan? retryAfter, int? statusCode = null) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The provider's HTTP status (429, 5xx), for the request history.</summary>
    public int? StatusCode { get; } = statusCode;
}

/// <summary>The provider answered something we cannot read; nothing of the page is written.</summary>
public sealed class ProviderFormatException(string message, Exception? inner = null, int? statusCode = null) : Exception(message, inner)
{
    /// <summary>The provider's HTTP status, for the request history.</summary>
    public int? StatusCode { get; } = statusCode;
}

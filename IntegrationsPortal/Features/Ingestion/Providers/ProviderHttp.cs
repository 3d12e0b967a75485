using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Ingestion.Providers;

/// <summary>
/// The HTTP part every provider shares: send with the integration's bearer token, turn 401/403
/// into an authentication failure, 429 and 5xx into "try later" (with Retry-After), and parse JSON
/// completely before anyone uses it, so a malformed page never half-writes.
/// </summary>
public sealed class ProviderHttp(IHttpClientFactory httpClients, TimeProvider time)
{
    public const string HttpClientName = "ingress";

    public async Task<JsonDocument> GetJsonAsync(ConfiguredIntegration integration, string providerName, string relativeUrl, CancellationToken ct)
    {
        var baseUrl = integration.Get("base_url")!;
        var uri = new Uri(new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/"), relativeUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (integration.Get("api_token") is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ProviderAuthenticationException($"{providerName} refused the credentials ({status}).", status);
        }

        if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
        {
            throw new ProviderUnavailableException($"{providerName} answered {status}.", RetryAfter.Wait(response.Headers, time), status);
        }

        if (!response.IsSuccessStatusCode)
        {
            var body = SecretRedactor.For(integration).Redact(await response.Content.ReadAsStringAsync(ct));
            throw new ProviderFormatException($"{providerName} answered {status}: {Limits.Shorten(body, 200)}", statusCode: status);
        }

        try
        {
            return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        }
        catch (JsonException e)
        {
            throw new ProviderFormatException($"{providerName} answered with something that is not JSON.", e, status);
        }
    }

    /// <summary>Reads a required part of a provider's JSON, or says clearly what is missing.</summary>
    public static JsonElement Required(JsonElement element, string name, string providerName) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new ProviderFormatException($"{providerName} answered without '{name}'.");

    public static DateTimeOffset Time(JsonElement element, string providerName) =>
        element.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(element.GetString(), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new ProviderFormatException($"{providerName} sent a timestamp that is not one: {element.GetRawText()}.");

    public static double Number(JsonElement element, string providerName) =>
        element.ValueKind == JsonValueKind.Number
            ? element.GetDouble()
            : throw new ProviderFormatException($"{providerName} sent a value that is not a number: {element.GetRawText()}.");

    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

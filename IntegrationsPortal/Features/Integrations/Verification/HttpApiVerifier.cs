using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// The shared part of verifiers that call a provider's HTTP API: send one request, then sort the
/// answer into success, "credentials refused" (final) or "try again later" (429, 5xx, network).
/// A provider's verifier only says which request to send and what a good answer means.
/// </summary>
public abstract class HttpApiVerifier(IHttpClientFactory httpClients) : IIntegrationVerifier
{
    public const string HttpClientName = "verification";

    /// <summary>How long any verification request may take.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    protected abstract string ProviderName { get; }

    protected abstract HttpRequestMessage BuildRequest(ConfiguredIntegration configuration);

    /// <summary>Reads a 2xx answer; the default accepts any.</summary>
    protected virtual VerificationResult Interpret(JsonElement body, ConfiguredIntegration configuration) =>
        VerificationResult.Success($"{ProviderName} accepted the credentials.");

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct)
    {
        using var request = BuildRequest(configuration);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            try
            {
                using var json = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
                return Interpret(json.RootElement, configuration);
            }
            catch (JsonException)
            {
                return VerificationResult.Failed($"{ProviderName} answered {status} but not with JSON: is the API base URL right?");
            }
        }

        var detail = ProviderMessage(text) is { } message ? $": {SecretRedactor.For(configuration).Redact(message)}" : ".";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                VerificationResult.Failed($"{ProviderName} refused the credentials ({status}){detail}"),
            HttpStatusCode.NotFound => VerificationResult.Failed($"{ProviderName} answered 404 Not Found: check the account id and the API base URL."),
            HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                VerificationResult.RetryLater($"{ProviderName} is not answering properly ({status}){detail}"),
            _ => VerificationResult.Failed($"{ProviderName} answered {status}{detail}"),
        };
    }

    protected static Uri Endpoint(ConfiguredIntegration configuration, string relative) =>
        new(new Uri(EnsureTrailingSlash(configuration.Get("base_url") ?? "")), relative);

    protected static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    protected static string? Text(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    /// <summary>The error text providers put in their JSON (Stripe, Twilio, Plivo, Samsara, Open-Meteo shapes).</summary>
    private static string? ProviderMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var message = Text(root, "error", "message") ?? Text(root, "message") ?? Text(root, "reason") ?? Text(root, "error");
            return message is null ? null : Limits.Shorten(message, 300);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string EnsureTrailingSlash(string url) => url.EndsWith('/') ? url : url + "/";
}

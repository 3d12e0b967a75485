using System.Net;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// Slack incoming webhook, the whole type in one class. Sends <c>POST {"text": ...}</c> to the
/// hooks URL (itself the credential, so never recorded in full); Slack answers 200 <c>ok</c>, or a
/// status with a plain-text error code (400 <c>invalid_payload</c>, 403 <c>invalid_token</c>,
/// 404 <c>no_service</c>, 410 <c>channel_is_archived</c>, 429 <c>rate_limited</c>...). Verifies by
/// posting an empty message, which Slack refuses with 400 <c>no_text</c> for a live hook without
/// posting anything, and with 403/404/410 for a dead one.
/// </summary>
[ForTypes(TypeKeys.Slack)]
public sealed class SlackIncomingWebhook(HttpDelivery http, IHttpClientFactory clients) : IDeliverySender, IIntegrationVerifier
{
    public const string UrlProperty = "webhook_url";

    /// <summary>Slack shows up to 4,000 characters of a message's text before cutting it off.</summary>
    public const int MaxText = 4000;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public string SamplePayload(IntegrationType type) => SamplePayloads.Text;

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var url = message.Integration.Get(UrlProperty) ?? "";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Json(new { text = Text(message.EventType, message.Payload) }) };
        var outcome = await http.SendAsync(request, message.Integration, Timeout, status => status == 200, ct);
        outcome = outcome with { Url = Redacted(url) };
        return outcome.StatusCode is { } status && Explain(status, outcome.ResponseBody) is var (kind, explanation)
            ? outcome with { Failure = kind, ErrorClass = "slack", ErrorMessage = $"Slack answered {status} {Code(outcome.ResponseBody)}: {explanation}." }
            : outcome;
    }

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.Get(UrlProperty)) { Content = Json(new { }) };
        using var response = await clients.CreateClient(HttpApiVerifier.HttpClientName).SendAsync(request, ct);
        var status = (int)response.StatusCode;
        var code = Code(await response.Content.ReadAsStringAsync(ct));
        return status switch
        {
            // The empty message reached the channel's hook and was refused for being empty: nothing was posted.
            400 or 200 => VerificationResult.Success($"Slack knows the webhook ({status} {code}); nothing was posted."),
            429 or >= 500 => VerificationResult.RetryLater($"Slack is not answering properly ({status} {code})."),
            _ when Explain(status, code) is var (_, explanation) => VerificationResult.Failed($"Slack answered {status} {code}: {explanation}."),
            _ => VerificationResult.Failed($"Slack answered {status} {code}: is this an incoming webhook URL?"),
        };
    }

    /// <summary>
    /// The message's own "text" when it has one, else its event type over a compact rendering of the
    /// payload; escaped as Slack's mrkdwn requires, and cut to what Slack shows.
    /// </summary>
    public static string Text(string eventType, string payload)
    {
        var text = Payloads.Field(payload, "text") is { Length: > 0 } own ? own : $"*{eventType}*\n```{Compact(payload)}```";
        text = text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
        return Limits.Shorten(text, MaxText);
    }

    /// <summary>Which answers no retry can change, and what the operator should do about them.</summary>
    private static (FailureKind Kind, string Explanation)? Explain(int status, string? body) => (status, Code(body)) switch
    {
        (400, _) => (FailureKind.Final, "Slack refused the message as malformed"),
        (403, "invalid_token") => (FailureKind.Gone, "the webhook URL was revoked; create a new one in Slack and replace it"),
        (403, _) => (FailureKind.Final, "the workspace does not let this app post there"),
        (404, _) => (FailureKind.Gone, "the webhook no longer exists (removed, or its app uninstalled); create a new one in Slack and replace it"),
        (410, _) => (FailureKind.Gone, "the channel is archived; unarchive it or point a new webhook at another channel"),
        _ => null,
    };

    /// <summary>Slack's error code ("no_service"), kept short for messages.</summary>
    private static string Code(string? body) => (body ?? "").Trim() is { Length: > 0 and <= 100 } code ? code : "";

    private static string Compact(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return JsonSerializer.Serialize(json.RootElement);
        }
        catch (JsonException)
        {
            return payload;
        }
    }

    /// <summary>The hooks URL without its path, which is the secret.</summary>
    private static string Redacted(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.GetLeftPart(UriPartial.Authority)}/[redacted]" : "[redacted]";

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>Webhook: POSTs the JSON payload, signed per Standard Webhooks, with None, Basic or Digest auth.</summary>
[ForTypes(TypeKeys.Webhook)]
public sealed class WebhookSender(HttpDelivery http) : IDeliverySender
{
    public Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var options = WebhookIntegrationOptions.From(message.Integration);
        var id = message.MessageId.ToString();
        var request = new HttpRequestMessage(HttpMethod.Post, MessageParameters.WithPathSuffix(options.Endpoint.Url, message))
        {
            // Bytes, not a stream: Digest sends the body a second time after the challenge.
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(message.Payload)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        HttpSender.AddCustomHeaders(request, options.Headers);
        HttpSender.AddCustomHeaders(request, MessageParameters.Get(message, MessageParameters.Headers));
        HttpSender.AddCustomHeaders(request, options.SecretHeaders);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", message.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", string.Join(' ', options.SecretsToSignWith(message.Now).Select(s => WebhookSignature.Sign(s, id, message.Now, message.Payload))));

        NetworkCredential? digest = null;
        switch (options.Endpoint.Auth)
        {
            case EndpointAuth.Basic:
                request.Headers.Authorization = BasicAuthentication.Header(options.Endpoint.Username, options.Endpoint.Password);
                break;
            case EndpointAuth.Digest:
                digest = new NetworkCredential(options.Endpoint.Username, options.Endpoint.Password);
                break;
        }

        return SendAndDisposeAsync(request, message, digest, ct);
    }

    private async Task<DeliveryOutcome> SendAndDisposeAsync(HttpRequestMessage request, ConfiguredIntegrationMessage message, NetworkCredential? digest, CancellationToken ct)
    {
        using (request)
        {
            return await http.SendAsync(request, message.Integration, TimeSpan.FromSeconds(30), status => status is >= 200 and < 300, ct, digest);
        }
    }
}

/// <summary>Reads JSON payloads for the senders that need fields out of them.</summary>
internal static class Payloads
{
    public static string? Field(string payload, string name)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The human text of a notification: its "text" or "message", else the JSON itself.</summary>
    public static string Text(string payload) => Field(payload, "text") ?? Field(payload, "message") ?? payload;
}

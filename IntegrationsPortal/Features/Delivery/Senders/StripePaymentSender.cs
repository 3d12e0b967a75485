using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// <c>initiate_payment</c> through Stripe's API: a form-encoded <c>POST {base_url}/v1/payment_intents</c>
/// with <c>amount</c> (smallest currency unit), <c>currency</c> and an optional <c>description</c>,
/// Bearer secret key, and the message id as Stripe's <c>Idempotency-Key</c>, so a retry after a lost
/// answer finds the first PaymentIntent instead of making a second. Stripe's 4xx answers (bad amount,
/// card or key) are final: retrying the same request cannot help. The PaymentIntent's id is the reference.
/// </summary>
[ForTypes(TypeKeys.Stripe)]
public sealed class StripePaymentSender(HttpDelivery http) : IDeliverySender
{
    public const string DefaultBaseUrl = "https://api.stripe.com";

    public string SamplePayload(IntegrationType type) => """{ "amount": 2000, "currency": "usd", "description": "Test from IntegrationsPortal" }""";

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        if (message.EventType != Capabilities.InitiatePayment)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "unsupported", $"Stripe integrations take {Capabilities.InitiatePayment} operations only.");
        }

        var integration = message.Integration;
        var fields = new Dictionary<string, string>
        {
            ["amount"] = Payloads.Field(message.Payload, "amount") ?? "",
            ["currency"] = (Payloads.Field(message.Payload, "currency") ?? "").ToLowerInvariant(),
        };
        if (Payloads.Field(message.Payload, "description") is { Length: > 0 } description)
        {
            fields["description"] = description;
        }

        var baseUrl = (integration.Get("base_url") is { Length: > 0 } configured ? configured : DefaultBaseUrl).TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/payment_intents") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new("Bearer", integration.Get("secret_key"));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.MessageId.ToString());
        var outcome = await http.SendAsync(request, integration, TimeSpan.FromSeconds(30), status => status is >= 200 and < 300, ct);
        if (outcome.Succeeded)
        {
            return outcome with { Reference = ReferenceOf(outcome.ResponseBody) };
        }

        return outcome.StatusCode is >= 400 and < 500 and not (409 or 429)
            ? outcome with { Failure = FailureKind.Final, ErrorMessage = $"Stripe refused the payment ({outcome.StatusCode}): {Text(outcome.ResponseBody, "error", "message") ?? "no reason given"}" }
            : outcome;
    }

    /// <summary>The PaymentIntent's id (pi_...) in Stripe's answer.</summary>
    public string? ReferenceOf(string? responseBody) => Text(responseBody, "id");

    private static string? Text(string? json, params string[] path)
    {
        try
        {
            using var document = JsonDocument.Parse(json ?? "");
            var element = document.RootElement;
            foreach (var name in path)
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                {
                    return null;
                }
            }

            return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

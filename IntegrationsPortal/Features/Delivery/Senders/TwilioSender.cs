using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// SMS and phone calls in Twilio's wire format: a form-encoded POST per recipient to
/// <c>/2010-04-01/Accounts/{sid}/Messages.json</c> or <c>/Calls.json</c>, Basic auth with the
/// account SID and auth token. A call reads the message aloud with TwiML.
/// </summary>
public sealed class TwilioSender(HttpDelivery http) : IDeliverySender
{
    public bool Handles(string typeKey) => typeKey is "sms" or "phone" or "twilio";

    public async Task<DeliveryOutcome> SendAsync(ConfiguredIntegrationMessage message, CancellationToken ct)
    {
        var integration = message.Integration;
        var call = integration.Type.Key == "phone";
        var sid = integration.Get("account_sid") ?? "";
        var baseUrl = (integration.Get("base_url") ?? "https://api.twilio.com").TrimEnd('/');
        var url = $"{baseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(sid)}/{(call ? "Calls" : "Messages")}.json";
        var text = Payloads.Text(message.Payload);
        // The twilio messaging account has no recipient list: the payload names the number.
        var recipients = PropertyValidator.SplitList(integration.Get("recipients") ?? Payloads.Field(message.Payload, "to"));
        if (recipients.Count == 0)
        {
            return DeliveryOutcome.Fail(FailureKind.Final, "configuration", "There is no recipient: set recipients or put \"to\" in the payload.");
        }

        DeliveryOutcome? outcome = null;
        foreach (var to in recipients)
        {
            var fields = new Dictionary<string, string> { ["To"] = to, ["From"] = integration.Get("from_number") ?? "" };
            if (call)
            {
                fields["Twiml"] = $"<Response><Say>{System.Security.SecurityElement.Escape(text)}</Say></Response>";
            }
            else
            {
                fields["Body"] = text;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Authorization = HttpSender.Basic(sid, integration.Get("auth_token") ?? "");
            request.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", $"{message.MessageId}-{to}");
            outcome = await http.SendAsync(request, integration, TimeSpan.FromSeconds(30), status => status is >= 200 and < 300, ct);
            if (!outcome.Succeeded)
            {
                return outcome; // the whole message is retried; the idempotency token lets the provider drop repeats
            }
        }

        return outcome!;
    }
}

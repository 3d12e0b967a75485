using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// SMS and phone calls in Twilio's wire format: a form-encoded POST per recipient to
/// <c>/2010-04-01/Accounts/{sid}/Messages.json</c> or <c>/Calls.json</c>, Basic auth with the
/// account SID and auth token. A call reads the message aloud with TwiML.
/// </summary>
[ForTypes(TypeKeys.Sms, TypeKeys.Phone, TypeKeys.Twilio)]
public sealed class TwilioSender(HttpDelivery http) : PhoneSender(http)
{
    protected override string ProviderName => "Twilio";

    protected override string AccountIdLabel => "account SID";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration integration, PhoneText text)
    {
        var sid = integration.Get("account_sid") ?? "";
        var baseUrl = (integration.Get("base_url") ?? "https://api.twilio.com").TrimEnd('/');
        var url = $"{baseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(sid)}/{(text.Voice ? "Calls" : "Messages")}.json";
        var fields = new Dictionary<string, string> { ["To"] = text.To, ["From"] = integration.Get("from_number") ?? "" };
        if (text.Voice)
        {
            fields["Twiml"] = $"<Response><Say>{System.Security.SecurityElement.Escape(text.Text)}</Say></Response>";
        }
        else
        {
            fields["Body"] = text.Text;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = BasicAuthentication.Header(sid, integration.Get("auth_token") ?? "");
        request.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", text.IdempotencyKey);
        return request;
    }
}

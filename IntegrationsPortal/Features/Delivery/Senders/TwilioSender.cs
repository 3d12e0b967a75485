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

    protected override string? RefusalReason(string? responseBody) => Payloads.Field(responseBody ?? "", "message");

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration integration, PhoneText text)
    {
        var options = TwilioIntegrationOptions.From(integration);
        var url = $"{options.BaseUrl}/2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}/{(text.Voice ? "Calls" : "Messages")}.json";
        // WhatsApp is the same Messages API with both addresses in the whatsapp: scheme.
        var whatsApp = options.WhatsApp && !text.Voice;
        var fields = new Dictionary<string, string> { ["To"] = Address(text.To, whatsApp), ["From"] = Address(options.FromNumber, whatsApp) };
        if (text.Voice)
        {
            fields["Twiml"] = $"<Response><Say>{System.Security.SecurityElement.Escape(text.Text)}</Say></Response>";
        }
        else
        {
            fields["Body"] = text.Text;
        }

        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = BasicAuthentication.Header(options.AccountSid, options.AuthToken);
        request.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", text.IdempotencyKey);
        return request;
    }

    /// <summary>
    /// A number as Twilio takes it on the channel: <c>whatsapp:+14155550100</c> for WhatsApp. A
    /// payload may already name a WhatsApp address, and the channel decides, not the prefix.
    /// </summary>
    private static string Address(string number, bool whatsApp)
    {
        var bare = number.StartsWith(WhatsAppScheme, StringComparison.OrdinalIgnoreCase) ? number[WhatsAppScheme.Length..] : number;
        return whatsApp ? WhatsAppScheme + bare : bare;
    }

    private const string WhatsAppScheme = "whatsapp:";
}

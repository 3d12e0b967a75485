using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// SMS through Plivo's Message API: <c>POST /v1/Account/{auth_id}/Message/</c> with JSON
/// <c>{"src", "dst", "text"}</c> and Basic auth (auth ID, auth token); Plivo answers 202 with the
/// queued message's uuid. Plivo would take several numbers joined by '&lt;' in one request, but one
/// request per number keeps a failure attached to its number.
/// </summary>
[ForTypes(TypeKeys.Plivo)]
public sealed class PlivoSender(HttpDelivery http) : PhoneSender(http)
{
    protected override string ProviderName => "Plivo";

    protected override string AccountIdLabel => "auth ID";

    protected override string? RefusalReason(string? responseBody) => Payloads.Field(responseBody ?? "", "error");

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration integration, PhoneText text)
    {
        var options = PlivoIntegrationOptions.From(integration);
        var request = new HttpRequestMessage(HttpMethod.Post, $"{options.BaseUrl}/v1/Account/{Uri.EscapeDataString(options.AuthId)}/Message/")
        {
            Content = Json(new { src = options.FromNumber, dst = text.To, text = text.Text }),
        };
        request.Headers.Authorization = BasicAuthentication.Header(options.AuthId, options.AuthToken);
        return request;
    }
}

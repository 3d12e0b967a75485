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

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration integration, PhoneText text)
    {
        var authId = integration.Get("auth_id") ?? "";
        var baseUrl = (integration.Get("base_url") ?? "https://api.plivo.com").TrimEnd('/');
        var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/v1/Account/{Uri.EscapeDataString(authId)}/Message/")
        {
            Content = Json(new { src = integration.Get("from_number") ?? "", dst = text.To, text = text.Text }),
        };
        request.Headers.Authorization = BasicAuthentication.Header(authId, integration.Get("auth_token") ?? "");
        return request;
    }
}

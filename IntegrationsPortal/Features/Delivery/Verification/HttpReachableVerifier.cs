using System.Net;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Delivery.Verification;

/// <summary>
/// Webhook and HTTP destinations have no "who am I": the check is that the endpoint answers HTTP
/// at all, and does not refuse our credentials. Many webhook receivers answer 405 or 501 to HEAD
/// (some frameworks even 500), which still proves the endpoint is there: only a missing path, refused
/// credentials, or a gateway saying the receiver behind it is down keep it from being verified.
/// </summary>
[ForTypes(TypeKeys.Webhook, TypeKeys.Http)]
public sealed class HttpReachableVerifier(IHttpClientFactory httpClients, OutboundAddressPolicy policy) : IIntegrationVerifier
{
    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration c, CancellationToken ct)
    {
        var endpoint = EndpointOptions.From(c);
        var url = new Uri(endpoint.Url);
        var auth = endpoint.Auth;
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        if (auth == EndpointAuth.Basic)
        {
            request.Headers.Authorization = BasicAuthentication.Header(endpoint.Username, endpoint.Password);
        }

        using var digestClient = auth == EndpointAuth.Digest
            ? policy.CreateDigestClient(url, new NetworkCredential(endpoint.Username, endpoint.Password), HttpApiVerifier.Timeout)
            : null;
        var client = digestClient ?? httpClients.CreateClient(HttpApiVerifier.HttpClientName);
        using var response = await client.SendAsync(request, ct);
        var status = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => VerificationResult.Failed($"The endpoint answered {status}: check the URL."),
            HttpStatusCode.Unauthorized when auth == EndpointAuth.None =>
                VerificationResult.Failed("The endpoint asks for credentials (401): choose Basic or Digest authentication and set them."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when auth != EndpointAuth.None =>
                VerificationResult.Failed($"The endpoint refused the username or password ({auth.ToString().ToLowerInvariant()} authentication, {status})."),
            HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout =>
                VerificationResult.RetryLater($"The endpoint answered {status}."),
            _ => VerificationResult.Success($"The endpoint answered ({status})."),
        };
    }
}

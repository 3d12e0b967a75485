using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery.Senders;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;

namespace IntegrationsPortal.Features.Delivery.Verification;

// One small class per provider a message goes to: the "who am I" request from its public API, and what
// a good answer says. They read the senders' options, so they sit with the senders (docs/decisions/041).

/// <summary>Twilio (and the Twilio-compatible SMS and phone types): GET /2010-04-01/Accounts/{sid}.json with Basic auth.</summary>
[ForTypes(TypeKeys.Sms, TypeKeys.Phone, TypeKeys.Twilio)]
public sealed class TwilioVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "Twilio";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c)
    {
        var options = TwilioIntegrationOptions.From(c);
        return new(HttpMethod.Get, Endpoint(c, $"2010-04-01/Accounts/{Uri.EscapeDataString(options.AccountSid)}.json"))
        {
            Headers = { Authorization = BasicAuthentication.Header(options.AccountSid, options.AuthToken) },
        };
    }

    protected override VerificationResult Interpret(JsonElement body, ConfiguredIntegration c) =>
        Text(body, "status") is "active" or null
            ? VerificationResult.Success("Twilio accepted the credentials.", Text(body, "friendly_name"))
            : VerificationResult.Failed($"The Twilio account is {Text(body, "status")}.");
}

/// <summary>Plivo: GET /v1/Account/{auth_id}/ with Basic auth.</summary>
[ForTypes(TypeKeys.Plivo)]
public sealed class PlivoVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "Plivo";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c)
    {
        var options = PlivoIntegrationOptions.From(c);
        return new(HttpMethod.Get, Endpoint(c, $"v1/Account/{Uri.EscapeDataString(options.AuthId)}/"))
        {
            Headers = { Authorization = BasicAuthentication.Header(options.AuthId, options.AuthToken) },
        };
    }

    protected override VerificationResult Interpret(JsonElement body, ConfiguredIntegration c) =>
        VerificationResult.Success("Plivo accepted the credentials.", Text(body, "name"));
}

/// <summary>Stripe: GET /v1/account with the secret key; the publishable key must be of the same mode.</summary>
[ForTypes(TypeKeys.Stripe)]
public sealed class StripeVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "Stripe";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c) =>
        new(HttpMethod.Get, Endpoint(c, "v1/account")) { Headers = { Authorization = Bearer(c.Get("secret_key")!) } };

    protected override VerificationResult Interpret(JsonElement body, ConfiguredIntegration c)
    {
        var secretLive = c.Get("secret_key")!.Contains("_live_", StringComparison.Ordinal);
        var publishableLive = (c.Get("publishable_key") ?? "").Contains("_live_", StringComparison.Ordinal);
        return secretLive != publishableLive
            ? VerificationResult.Failed("The publishable key and the secret key are from different modes (one test, one live).")
            : VerificationResult.Success("Stripe accepted the secret key.", Text(body, "business_profile", "name") ?? Text(body, "id"));
    }
}

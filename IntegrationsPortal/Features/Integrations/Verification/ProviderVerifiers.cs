using System.Text.Json;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations.Verification;

// One small class per provider data comes from: the "who am I" request from its public API, and what a good
// answer says. The ones for providers messages go to sit with their senders (Features/Delivery/Verification).

/// <summary>Open-Meteo style weather API: a one-day hourly forecast must come back.</summary>
[ForTypes(TypeKeys.OpenMeteo)]
public sealed class OpenMeteoVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "The weather API";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c)
    {
        var apiKey = c.Get("api_key") is { Length: > 0 } key ? $"&apikey={Uri.EscapeDataString(key)}" : "";
        return new(HttpMethod.Get, Endpoint(c, $"v1/forecast?latitude=52.52&longitude=13.41&hourly=temperature_2m&forecast_days=1{apiKey}"));
    }

    protected override VerificationResult Interpret(JsonElement body, ConfiguredIntegration c) =>
        body.TryGetProperty("hourly", out _)
            ? VerificationResult.Success("The weather API returned a forecast.")
            : VerificationResult.Failed("The weather API answered without hourly data: is the API base URL right?");
}

/// <summary>Utility-data provider (UtilityAPI style): GET /api/v2/authorizations with a bearer token.</summary>
[ForTypes(TypeKeys.UtilityData)]
public sealed class UtilityDataVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "The utility-data API";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c) =>
        new(HttpMethod.Get, Endpoint(c, "api/v2/authorizations?limit=1")) { Headers = { Authorization = Bearer(c.Get("api_token")!) } };
}

/// <summary>Telematics provider (Samsara style): GET /me with a bearer token names the organization.</summary>
[ForTypes(TypeKeys.Telematics)]
public sealed class TelematicsVerifier(IHttpClientFactory http) : HttpApiVerifier(http)
{
    protected override string ProviderName => "The telematics API";

    protected override HttpRequestMessage BuildRequest(ConfiguredIntegration c) =>
        new(HttpMethod.Get, Endpoint(c, "me")) { Headers = { Authorization = Bearer(c.Get("api_token")!) } };

    protected override VerificationResult Interpret(JsonElement body, ConfiguredIntegration c) =>
        VerificationResult.Success("The telematics API accepted the token.", Text(body, "data", "name"));
}

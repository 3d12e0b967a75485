using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Uplinks;

/// <summary>What to set in the network server's console, step by step, and the header field the token goes in there.</summary>
public sealed record UplinkSetup(string Where, IReadOnlyList<string> Steps, string HeaderField);

/// <summary>The on-screen instructions of each pushed type, in the words of that network's console.</summary>
public static class UplinkInstructions
{
    public static UplinkSetup For(string typeKey) => typeKey switch
    {
        TypeKeys.HeliumUplinks => new("Helium Console: Integrations > Add integration > HTTP",
        [
            "Endpoint URL: the URL above, method POST.",
            $"Under \"HTTP Headers\", add the key {UplinkHeaders.Token} with the token as its value.",
            "Connect the integration to the devices' label or flow.",
        ], "HTTP Headers"),
        TypeKeys.ThingsStackUplinks => new("The Things Stack console: Applications > Integrations > Webhooks > Add webhook > Custom webhook",
        [
            "Webhook format: JSON. Base URL: the URL above.",
            $"Under \"Additional headers\", add {UplinkHeaders.Token} with the token as its value.",
            "Enable \"Uplink message\" and leave its path empty.",
        ], "Additional headers"),
        TypeKeys.ChirpStackUplinks => new("ChirpStack: Applications > Integrations > HTTP",
        [
            "Payload encoding: JSON. Event endpoint URL: the URL above.",
            $"Under \"Headers\", add {UplinkHeaders.Token} with the token as its value.",
        ], "Headers"),
        _ => new("Your device or gateway",
        [
            "POST JSON to the URL above: {\"device\": \"...\", \"time\": \"...\", \"metrics\": {\"name\": number}}, one object or an array.",
            $"Send the token as Authorization: Bearer <token>, or in the header {UplinkHeaders.Token}.",
        ], "Authorization"),
    };
}

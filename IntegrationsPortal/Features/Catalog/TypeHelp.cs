namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// The short per-type text of the in-app help (Pages/TypeHelpPage): how to set up the other side. The
/// fields and the example come from the type's own data, so only this part is written by hand,
/// once per family of types rather than once per type.
/// </summary>
public static class TypeHelp
{
    /// <summary>An ingress integration's readings as the portal stores them (one per resource, metric and time).</summary>
    public const string ExampleReading = """
        {
          "resourcePath": "devices/0193c0de-0000-7000-8000-000000000042",
          "metric": "energy_kwh",
          "timestamp": "2026-01-01T00:15:00Z",
          "value": 1.25,
          "unit": "kWh"
        }
        """;

    /// <summary>What to do on the other side so the integration works, in a few sentences.</summary>
    public static string OtherSide(IntegrationType type) => type.Key switch
    {
        TypeKeys.Webhook =>
            "Run an HTTPS endpoint that accepts a JSON POST and answers 2xx within 30 seconds. Check the webhook-id, webhook-timestamp " +
            "and webhook-signature headers with the signing secret (Standard Webhooks), and ignore a webhook-id you have already seen: " +
            "a retried message keeps its id.",
        TypeKeys.Http =>
            "Run an endpoint that accepts the configured method and content type and answers 2xx. Any other answer is retried on the " +
            "schedule; 4xx other than 408 and 429 is not retried.",
        TypeKeys.Mqtt =>
            "Give the portal a broker account that may publish to the topic, and subscribe your consumers to it. Messages of one " +
            "integration arrive in the order they were queued; with QoS 1 a message may arrive twice, so consumers should be idempotent.",
        TypeKeys.Email =>
            "Give the portal an SMTP account (host, port, TLS) allowed to send as the From address, and add the portal's sending host " +
            "to the domain's SPF record so receivers do not file the mail as spam.",
        TypeKeys.Slack => "Create an incoming webhook in your Slack workspace for the channel, and paste its URL here.",
        TypeKeys.Stripe => "Create a restricted API key in the Stripe dashboard with only the permissions the portal uses, and paste it here.",
        _ when type.ReceivesPushes =>
            "The portal gives this integration an uplink URL and token. Configure the network server (or your device gateway) to POST " +
            "each uplink there with the token; the portal decodes it and stores a reading per mapped device.",
        _ when type.Direction == IntegrationDirection.Ingress =>
            "Give the portal an API account that may read the data, and map each external id the provider uses (meter, vehicle, " +
            "station) to a place or device under Resource mappings. The portal pulls on the schedule; Backfill fetches the past.",
        _ =>
            "Create an API account at the provider for the portal, paste its credentials here, and verify the sending number or sender " +
            "id there first: providers refuse messages from unverified senders.",
    };
}

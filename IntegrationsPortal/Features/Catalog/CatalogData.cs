using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using static IntegrationsPortal.Features.Catalog.Properties;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// Every integration type the portal knows, as data. Adding a type is an entry here plus the small
/// classes where it talks to the world, found by its key (docs/adding-an-integration-type.md).
/// Property names follow the provider's own API vocabulary so operators recognise them.
/// </summary>
public static class CatalogData
{
    private static readonly string[] AuthModes = ["NONE", "BASIC", "DIGEST"];

    public static readonly IReadOnlyList<IntegrationType> Types =
    [
        new(TypeKeys.Webhook, "Webhook", "webhook", IntegrationDirection.Egress, Categories.Notification,
            "POSTs signed JSON to your endpoint (Standard Webhooks signatures).",
            [
                Url("url", "Endpoint URL", required: true),
                Choice("auth", "Authentication", AuthModes, "NONE"),
                // Basic and Digest cannot work without both: required whenever they show.
                Text("username", "Username", required: true) with { Sensitive = true, VisibleWhen = new("auth", "BASIC", "DIGEST") },
                Secret("password", "Password", required: true) with { VisibleWhen = new("auth", "BASIC", "DIGEST") },
                Map("headers", "Custom headers"),
                SecretHeaders(),
                Secret("signing_secret", "Signing secret") with
                {
                    FollowsDestination = false, // signs, is never sent
                    Help = "whsec_... (Standard Webhooks). Generated when left empty; rotate it under Credentials.", Rule = PropertyRules.SigningSecret,
                },
                Secret("previous_signing_secret", "Previous signing secret") with { SetByPortal = true, FollowsDestination = false, Help = "Set by a rotation; still signed with until it expires." },
                Text("previous_signing_secret_expires", "Previous secret valid until") with
                {
                    SetByPortal = true, Help = "Set by a rotation.", Rule = PropertyRules.Timestamp,
                },
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.Notify],
            Mapping = new(ResourceFilter.Any, false, "Receiver's id"),
        },
        new(TypeKeys.Http, "HTTP", "http", IntegrationDirection.Egress, Categories.Data,
            "Sends each message to any HTTP API, as JSON, XML or a form.",
            [
                Url("url", "URL", required: true),
                Choice("method", "Method", ["POST", "PUT", "PATCH"], "POST"),
                Choice("auth", "Authentication", ["NONE", "BASIC", "API_KEY"], "NONE"),
                Text("username", "Username", required: true) with { Sensitive = true, VisibleWhen = new("auth", "BASIC") },
                Secret("password", "Password", required: true) with { VisibleWhen = new("auth", "BASIC") },
                Text("api_key_header", "API key header", defaultValue: "X-API-Key") with { VisibleWhen = new("auth", "API_KEY") },
                Secret("api_key", "API key", required: true) with { VisibleWhen = new("auth", "API_KEY") },
                Map("headers", "Headers"),
                SecretHeaders(),
                Choice("content_type", "Content type", ["JSON", "XML", "FORM"], "JSON"),
                Number("timeout_seconds", "Timeout (seconds)", 1, 120, "30"),
                Choice("retry_strategy", "Retry strategy", ["DEFAULT", "NONE", "FIXED", "EXPONENTIAL"], "DEFAULT")
                    with { Help = "DEFAULT: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h." },
                Number("retry_interval_seconds", "Retry interval (seconds)", 1, 86400, "60") with { VisibleWhen = new("retry_strategy", "FIXED", "EXPONENTIAL"), Help = "The fixed delay, or the first one that doubles." },
                Number("retry_max_delay_seconds", "Longest delay (seconds)", 1, 86400, "3600") with { VisibleWhen = new("retry_strategy", "EXPONENTIAL") },
                Number("retry_max_attempts", "Attempts in all", 1, 50, "8") with { VisibleWhen = new("retry_strategy", "FIXED", "EXPONENTIAL") },
                Text("success_codes", "Success status codes", defaultValue: "200-299") with { Help = "Ranges and codes, e.g. 200-299,304. 3xx is a failure unless listed." },
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.Notify],
        },
        new(TypeKeys.Mqtt, "MQTT", "hub", IntegrationDirection.Egress, Categories.Data,
            "Publishes to an MQTT 3.1.1 or 5.0 broker at QoS 0, 1 or 2, with retain, TLS (client certificates too) and a last will.",
            [
                Text("host", "Broker host", required: true) with { Destination = true },
                Number("port", "Port", 1, 65535, "1883") with { Help = "1883 for plain TCP, 8883 for TLS." },
                // Not required: integrations made before 5.0 existed have none and mean 3.1.1, the default.
                Choice("protocol_version", "Protocol version", ["3.1.1", "5.0"], "3.1.1")
                    with { Required = false, Help = "5.0 adds message expiry, user properties and the broker's reason when it refuses a message." },
                Text("client_id", "Client id") with { Help = "Generated when empty." },
                Text("username", "Username"),
                Secret("password", "Password"),
                Text("topic", "Topic", required: true) with { Placeholder = "sites/{placeId}/devices/{deviceId}/telemetry", Rule = PropertyRules.PublishTopic },
                Choice("qos", "QoS", ["0", "1", "2"], "1"),
                Flag("retain", "Retain"),
                Number("message_expiry_seconds", "Message expiry (seconds)", 1, uint.MaxValue)
                    with { VisibleWhen = new("protocol_version", "5.0"), Help = "The broker drops a message not yet delivered (retained or queued) after this long. Empty: never." },
                Map("user_properties", "User properties") with { VisibleWhen = new("protocol_version", "5.0") },
                Flag("tls", "Use TLS"),
                CaCertificate() with { VisibleWhen = new("tls", "true"), Help = "Only for a broker whose certificate is not signed by a public CA." },
                ClientCertificate() with { VisibleWhen = new("tls", "true"), Help = "For a broker that knows its clients by certificate (AWS IoT Core). Needs its private key below." },
                PrivateKey("client_key", "Client private key (PEM)", "client_certificate")
                    with { VisibleWhen = new("tls", "true"), Help = "The client certificate's key: -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE KEY) to its END line." },
                Text("will_topic", "Last will topic") with { Rule = PropertyRules.PublishTopic },
                Text("will_payload", "Last will payload"),
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.Publish, Capabilities.Notify],
            DeliversInOrder = true,
        },
        new(TypeKeys.Email, "Email", "mail", IntegrationDirection.Egress, Categories.Notification,
            "Sends email through your SMTP server.",
            [
                Text("smtp_host", "SMTP host", required: true) with { Destination = true },
                Number("smtp_port", "SMTP port", 1, 65535, "587"),
                Flag("starttls", "Use STARTTLS", "true"),
                CaCertificate() with { VisibleWhen = new("starttls", "true"), Help = "Only for a server whose certificate is not signed by a public CA." },
                Text("username", "Username"),
                Secret("password", "Password"),
                Emails("from", "From address", required: true) with { MaxItems = 1 },
                Emails("recipients", "Recipients", required: true),
                Flag("alerts", "Send portal alerts to Admins") with
                {
                    Help = "When deliveries through another integration stop, the organization's Admins get an email through this one.",
                },
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.SendEmail],
        },
        new(TypeKeys.Sms, "SMS", "sms", IntegrationDirection.Egress, Categories.Notification,
            "Texts your on-call numbers through a Twilio-compatible SMS API.",
            [
                .. TwilioAccount(),
                Phones("recipients", "Recipients", required: true) with { Help = "Numbers join after they confirm a code sent by text." },
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.SendSms],
            VerifiesRecipients = true,
        },
        new(TypeKeys.Phone, "Phone call", "call", IntegrationDirection.Egress, Categories.Notification,
            "Calls your on-call numbers and reads the alert aloud (Twilio-compatible voice API).",
            [
                .. TwilioAccount(),
                Phones("recipients", "Recipients", required: true) with { Help = "Numbers join after they confirm a code sent by text." },
            ])
        {
            Capabilities = [Capabilities.TestSend, Capabilities.PlaceCall],
            VerifiesRecipients = true,
        },
        new(TypeKeys.Twilio, "Twilio", "forum", IntegrationDirection.Egress, Categories.Messaging,
            "Your Twilio account for SMS and WhatsApp messages.",
            [
                .. TwilioAccount(),
                // Not required: integrations made before WhatsApp have none and mean SMS, the default.
                Choice(TwilioChannels.Property, "Send as", [TwilioChannels.Sms, TwilioChannels.WhatsApp], TwilioChannels.Sms) with
                {
                    Required = false,
                    Help = "WhatsApp sends from whatsapp:+<From number>, which must be a WhatsApp sender of your Twilio account.",
                },
            ])
        {
            SingleInstance = true,
            Capabilities = [Capabilities.SendSms, Capabilities.SendWhatsApp, Capabilities.TestSend],
        },
        new(TypeKeys.Plivo, "Plivo", "textsms", IntegrationDirection.Egress, Categories.Messaging,
            "Your Plivo account for SMS and voice.",
            [
                Text("auth_id", "Auth ID", required: true) with { Editable = false },
                Secret("auth_token", "Auth token", required: true),
                Phones("from_number", "From number", required: true) with { MaxItems = 1 },
                Url("base_url", "API base URL", defaultValue: "https://api.plivo.com"),
            ])
        {
            SingleInstance = true,
            Capabilities = [Capabilities.SendSms, Capabilities.TestSend],
        },
        new(TypeKeys.Slack, "Slack", "tag", IntegrationDirection.Egress, Categories.Messaging,
            "Posts each message to a Slack channel through an incoming webhook.",
            [
                // The URL is the credential: anyone holding it can post to the channel.
                Url("webhook_url", "Webhook URL", required: true) with
                {
                    Sensitive = true,
                    Placeholder = "https://hooks.slack.com/services/T000/B000/XXXX",
                    Help = "From your Slack app's Incoming Webhooks page. Kept in the vault like a password.",
                },
            ])
        {
            Capabilities = [Capabilities.TestSend],
        },
        new(TypeKeys.Stripe, "Stripe", "payments", IntegrationDirection.Egress, Categories.Payment,
            "Takes payments and refunds through your Stripe account.",
            [
                Text("publishable_key", "Publishable key", required: true) with { Placeholder = "pk_live_..." },
                Secret("secret_key", "Secret key", required: true),
                Secret("webhook_secret", "Webhook signing secret") with { FollowsDestination = false }, // checks what Stripe sends us
                Url("base_url", "API base URL", defaultValue: "https://api.stripe.com"),
            ])
        {
            SingleInstance = true,
            Capabilities = [Capabilities.InitiatePayment, Capabilities.ProcessRefund, Capabilities.VerifyPayment],
        },
        new(TypeKeys.OpenMeteo, "Weather (Open-Meteo)", "partly_cloudy_day", IntegrationDirection.Ingress, Categories.Weather,
            "Hourly observations and forecasts for each mapped place's coordinates.",
            [
                Url("base_url", "API base URL", defaultValue: "https://api.open-meteo.com"),
                Secret("api_key", "API key") with { Help = "Only for the commercial plan." },
                Text("variables", "Hourly variables", defaultValue: "temperature_2m,relative_humidity_2m,wind_speed_10m"),
                Number("interval_minutes", "Pull every (minutes)", 5, 1440, "60"),
                CronSchedule(),
            ])
        {
            Capabilities = [Capabilities.Backfill],
            Mapping = new(ResourceFilter.PlacesOnly, false, "Station or place code"),
        },
        new(TypeKeys.UtilityData, "Utility data", "electric_meter", IntegrationDirection.Ingress, Categories.UtilityData,
            "15-minute and hourly interval readings for your utility meters.",
            PullApi("https://utilityapi.com", "API token", minimumMinutes: 15, defaultMinutes: "60"))
        {
            Capabilities = [Capabilities.Backfill],
            Mapping = new(new ResourceFilter(false, ["meter"]), true, "Meter number"),
        },
        new(TypeKeys.Telematics, "Telematics", "local_shipping", IntegrationDirection.Ingress, Categories.Telematics,
            "Vehicle location, odometer and fuel or charge from your fleet platform.",
            PullApi("https://api.samsara.com", "API token", minimumMinutes: 1, defaultMinutes: "5"))
        {
            Capabilities = [Capabilities.Backfill],
            Mapping = new(new ResourceFilter(false, ["vehicle"]), true, "Vehicle id"),
        },
        new(TypeKeys.WhatsApp, "WhatsApp Business", "chat", IntegrationDirection.Egress, Categories.Messaging,
            "Template messages through the WhatsApp Business Platform.",
            [Text("phone_number_id", "Phone number id", required: true), Secret("access_token", "Access token", required: true)])
        {
            Availability = TypeAvailability.Disabled,
            SingleInstance = true,
        },
        new(TypeKeys.ScadaBridge, "SCADA bridge", "precision_manufacturing", IntegrationDirection.Ingress, Categories.Data,
            "First-party bridge that pulls tags from an on-site SCADA historian.",
            PullApi(null, "Bridge token", minimumMinutes: 1, defaultMinutes: "15"))
        {
            // Coming soon: no ingress provider speaks the bridge's API yet (the start-up check refuses a pulled type without one).
            Availability = TypeAvailability.Disabled,
            Capabilities = [Capabilities.Backfill],
            Mapping = new(new ResourceFilter(false, ["sensor", "meter"]), false, "Tag name"),
        },
        Uplinks(TypeKeys.HeliumUplinks, "Helium uplinks", "cell_tower",
            "Uplinks from Helium devices, pushed by the Helium Console HTTP integration. In the integration, set the endpoint URL "
            + "below as the POST URL and add an HTTP header (the Console's \"HTTP Headers\" key/value list) "
            + $"named {UplinkHeaders.Token} with the token shown once, or Authorization: Bearer <token>."),
        Uplinks(TypeKeys.ThingsStackUplinks, "The Things Stack uplinks", "settings_input_antenna",
            "Uplinks from The Things Stack (The Things Network) webhooks. Create a webhook with format JSON, the endpoint URL below "
            + "as the base URL, \"Uplink message\" enabled, and under \"Additional headers\" "
            + $"add {UplinkHeaders.Token} with the token shown once (or Authorization: Bearer <token>)."),
        Uplinks(TypeKeys.ChirpStackUplinks, "ChirpStack uplinks", "router",
            "Uplinks from ChirpStack v4's HTTP integration (JSON encoding). Set the endpoint URL below as the event endpoint and add "
            + $"a header {UplinkHeaders.Token} with the token shown once (or Authorization: Bearer <token>); "
            + "events other than uplinks are acknowledged and ignored."),
        Uplinks(TypeKeys.HttpUplinks, "HTTP uplinks", "input",
            "Device data POSTed by anything that speaks HTTP: {\"device\": \"...\", \"time\": \"...\", \"metrics\": {\"name\": number}}, "
            + $"one object or an array, with the token as Authorization: Bearer <token> or in {UplinkHeaders.Token}."),
    ];

    /// <summary>
    /// A type whose devices push to the portal (Features/Uplinks). Nothing to call out to: verification succeeds once the
    /// integration exists, and the endpoint URL and token to paste into the network server are on its page.
    /// </summary>
    private static IntegrationType Uplinks(string key, string name, string icon, string description) =>
        new(key, name, icon, IntegrationDirection.Ingress, Categories.Data,
            description + " Verification has nothing to call: it succeeds as soon as the endpoint is configured.", [])
        {
            ReceivesPushes = true,
            Mapping = new(new ResourceFilter(false, ["*"]), true, "Device EUI"),
        };
}

/// <summary>Short builders for property specs, so the catalog reads as a table.</summary>
internal static class Properties
{
    public static PropertySpec Text(string name, string label, bool required = false, string? defaultValue = null) =>
        new(name, label, PropertyType.String) { Required = required, Default = defaultValue };

    public static PropertySpec Secret(string name, string label, bool required = false) =>
        new(name, label, PropertyType.Secret) { Required = required, Sensitive = true, FollowsDestination = true };

    public static PropertySpec Url(string name, string label, bool required = false, string? defaultValue = null) =>
        new(name, label, PropertyType.Url) { Required = required, Default = defaultValue, Placeholder = "https://", Destination = true };

    public static PropertySpec Number(string name, string label, double min, double max, string? defaultValue = null) =>
        new(name, label, PropertyType.Number) { Min = min, Max = max, Default = defaultValue };

    public static PropertySpec Flag(string name, string label, string defaultValue = "false") =>
        new(name, label, PropertyType.Bool) { Default = defaultValue };

    public static PropertySpec Choice(string name, string label, string[] options, string defaultValue) =>
        new(name, label, PropertyType.Enum) { Options = options, Default = defaultValue, Required = true };

    public static PropertySpec Emails(string name, string label, bool required = false) =>
        new(name, label, PropertyType.EmailList) { Required = required, Placeholder = "ops@example.com" };

    public static PropertySpec Phones(string name, string label, bool required = false) =>
        new(name, label, PropertyType.PhoneList) { Required = required, Placeholder = "+14155550100" };

    public static PropertySpec Map(string name, string label) => new(name, label, PropertyType.KeyValueMap);

    /// <summary>
    /// Headers whose values are credentials (an API token): sealed in the vault like a password, shown as
    /// set or not set, typed again when the destination moves, and sent after every other header.
    /// </summary>
    public static PropertySpec SecretHeaders() =>
        new(HeaderMaps.SecretProperty, "Secret headers", PropertyType.KeyValueMap)
        {
            Sensitive = true, FollowsDestination = true, Rule = PropertyRules.HeaderMap,
            Help = "Sent with every request like the headers above, but kept encrypted and never shown again (an API token, say).",
        };

    public static PropertySpec CaCertificate() => new("ca_certificate", "CA certificate (PEM)", PropertyType.Certificate);

    public static PropertySpec ClientCertificate() => new("client_certificate", "Client certificate (PEM)", PropertyType.Certificate);

    /// <summary>A secret private key that must belong to the <paramref name="certificate"/> property's certificate.</summary>
    public static PropertySpec PrivateKey(string name, string label, string certificate) =>
        new(name, label, PropertyType.PrivateKey) { Sensitive = true, PairsWith = certificate, FollowsDestination = true };

    /// <summary>The account part shared by every Twilio-compatible type.</summary>
    public static PropertySpec[] TwilioAccount() =>
    [
        Text("account_sid", "Account SID", required: true) with { Editable = false, Placeholder = "AC..." },
        Secret("auth_token", "Auth token", required: true),
        Phones("from_number", "From number", required: true) with { MaxItems = 1 },
        Url("base_url", "API base URL", defaultValue: "https://api.twilio.com"),
    ];

    /// <summary>An ingress API pulled on a schedule with a bearer token.</summary>
    public static PropertySpec[] PullApi(string? defaultBaseUrl, string tokenLabel, int minimumMinutes, string defaultMinutes) =>
    [
        Url("base_url", "API base URL", required: true, defaultValue: defaultBaseUrl),
        Secret("api_token", tokenLabel, required: true),
        Number("interval_minutes", "Pull every (minutes)", minimumMinutes, 1440, defaultMinutes),
        CronSchedule(),
    ];

    public static PropertySpec CronSchedule() =>
        new("schedule_cron", "Or pull on a cron schedule", PropertyType.Cron)
        {
            Help = "Quartz cron, seconds first (0 0 6 * * ? is every day at 06:00 UTC). Overrides the interval.",
            Placeholder = "0 0/15 * * * ?",
        };
}

/// <summary>The Twilio type's "Send as" option: SMS, or WhatsApp on the same Messages API.</summary>
public static class TwilioChannels
{
    public const string Property = "channel";
    public const string Sms = "SMS";
    public const string WhatsApp = "WHATSAPP";
}
